"""The Brøset Violence Checklist: its six items, its risk bands, and scoring.

The facts (items, cut-offs, band names and actions) are the manual's and live
in content/da.json (appendix 1A); this module is what the app does with them.
The BVC page scores the items a worker checks (kit.py), an uploaded encounter's
BVC is checked and scored again here rather than trusted (sync.py), and the
team page and the timer name a band by its id. The phone bands a total with
static/js/bvc.js, from the same bands the page hands it. Two workers may score
one citizen (the makkerscore, static/js/pair-score.js): the higher score is the
pair's result, and the other is kept beside it (check_partner).
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


def _checked_items(bvc, field):
    """An uploaded BVC ({item id: 0 or 1} for all six), checked item by item: (normalised dict, total)."""
    ids = [i["id"] for i in items()]
    if not isinstance(bvc, dict):
        raise Refused(field, "skal være et objekt med de seks punkter")
    for key in bvc:
        if key not in ids:
            raise Refused(f"{field}.{key}", "ukendt BVC-punkt")
    for key in ids:
        if key not in bvc:
            raise Refused(f"{field}.{key}", "mangler")
        if type(bvc[key]) is not int or bvc[key] not in (0, 1):
            raise Refused(f"{field}.{key}", "skal være 0 eller 1")
    return {k: bvc[k] for k in ids}, sum(bvc[k] for k in ids)


def check_upload(bvc, claimed_total):
    """An uploaded BVC ({item id: 0 or 1} for all six) scored here: (JSON text, total, band id).

    The phone's total is only compared, never stored: a total that does not
    match its items is refused, since the team would act on the wrong band.
    """
    checked, total = _checked_items(bvc, "bvc")
    band = band_for(total)
    if claimed_total is not None and (type(claimed_total) is not int or claimed_total != total):
        raise Refused("bvc_total", f"passer ikke med punkterne (summen er {total})")
    return json.dumps(checked), total, band["id"]


def check_partner(partner, pair_total):
    """The pair's other score (the makkerscore), checked like the first: its JSON text.

    When two workers score, `bvc` is the pair's result, the higher of the two
    (our advice: the higher band applies), so the total and band the team acts
    on are always the pair's; the other score may not be higher.
    """
    checked, total = _checked_items(partner, "bvc_partner")
    if total > pair_total:
        raise Refused("bvc_partner", f"er højere end bvc ({total} mod {pair_total}): "
                                     "parrets resultat (bvc) skal være den højeste af de to")
    return json.dumps(checked)


def differences(first, second):
    """The items two scores of one pair disagree on, in the manual's order (ids)."""
    return [i["id"] for i in items() if first.get(i["id"]) != second.get(i["id"])]
