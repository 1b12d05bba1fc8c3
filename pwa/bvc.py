"""The Brøset Violence Checklist: its six items, its risk bands, and scoring.

The facts (items, cut-offs, band names and actions) are the manual's and live
in content/da.json (appendix 1A); this module is what the app does with them.
The BVC page scores the items a worker checks (kit.py), an uploaded encounter's
BVC is checked and scored again here rather than trusted (sync.py), and the
team page and the timer name a band by its id. The phone bands a total with
static/js/score.js, from the same bands the page hands it.
"""
import json

from . import content as c
from .rules import Refused


def items():
    return c.content()["bvc"]["items"]


def bands():
    return c.content()["bvc"]["bands"]


def band_ids():
    return [b["id"] for b in bands()]


def band_for(total):
    """The risk band (a dict from the content) for a total score."""
    for band in bands():
        if band["min"] <= total <= band["max"]:
            return band
    raise ValueError(f"BVC total out of range: {total}")


def score(checked_ids):
    """Total and band for a set of observed item ids; each item counts 0 or 1."""
    known = {item["id"] for item in items()}
    unknown = set(checked_ids) - known
    if unknown:
        raise ValueError(f"unknown BVC item(s): {', '.join(sorted(unknown))}")
    total = len(set(checked_ids))
    return total, band_for(total)


def check_upload(bvc, claimed_total):
    """An uploaded BVC ({item id: 0 or 1} for all six) scored here: (JSON text, total, band id).

    The phone's total is only compared, never stored: a total that does not
    match its items is refused, since the team would act on the wrong band.
    """
    ids = [i["id"] for i in items()]
    if not isinstance(bvc, dict):
        raise Refused("bvc", "skal være et objekt med de seks punkter")
    for key in bvc:
        if key not in ids:
            raise Refused(f"bvc.{key}", "ukendt BVC-punkt")
    for key in ids:
        if key not in bvc:
            raise Refused(f"bvc.{key}", "mangler")
        if type(bvc[key]) is not int or bvc[key] not in (0, 1):
            raise Refused(f"bvc.{key}", "skal være 0 eller 1")
    total, band = score([k for k in ids if bvc[k]])
    if claimed_total is not None and (type(claimed_total) is not int or claimed_total != total):
        raise Refused("bvc_total", f"passer ikke med punkterne (summen er {total})")
    return json.dumps({k: bvc[k] for k in ids}), total, band["id"]
