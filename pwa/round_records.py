"""Checking the two records a round is made of, as phones upload them (sync.py stores them).

A "round" is the places a pair means to visit today, in order; a
"round_tick" says one of them was visited, and when. Each is its own record
with its own UUID, sealed like a contact and stored exactly once by the same
rules: a tick from each partner's phone is two ticks, never a lost update.
Only places of the uploader's own team, and only rounds of it, are accepted;
another team's id answers as if it did not exist.
"""
import json
from datetime import date, datetime, timezone

from . import rules
from .rules import Refused

ROUND_FIELDS = {"kind", "id", "day", "stops", "created_at"}
TICK_FIELDS = {"kind", "id", "round_id", "place_id", "done_at", "created_at"}
CONTENT = {"round": ("day", "stops"), "round_tick": ("round_id", "place_id", "done_at")}


def _fields(rec, allowed):
    unknown = sorted(set(rec) - allowed)
    if unknown:
        raise Refused(unknown[0], "ukendt felt")


def _stamp(value, field):
    return rules.moment(value, field, rules.EARLIEST_RECORD).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(value):
    try:
        if not (isinstance(value, str) and len(value) == 10):
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        raise Refused("day", "skal være en dato (ÅÅÅÅ-MM-DD)") from None
    if day < rules.EARLIEST_RECORD.date() or day > (datetime.now(timezone.utc) + rules.MAX_FUTURE).date():
        raise Refused("day", "ligger uden for det mulige")
    return value


def validate_round(rec, place_ids):
    """A round: its day and its stops, place ids of the team, each once, in the pair's order."""
    _fields(rec, ROUND_FIELDS)
    stops = rec.get("stops")
    if not isinstance(stops, list) or any(isinstance(s, bool) or not isinstance(s, int) or s not in place_ids
                                          for s in stops):
        raise Refused("stops", "indeholder et sted, teamet ikke har")
    if not 1 <= len(stops) <= rules.MAX_ROUND_STOPS or len(set(stops)) != len(stops):
        raise Refused("stops", f"skal have 1–{rules.MAX_ROUND_STOPS} forskellige steder")
    created = rec.get("created_at")
    return {"id": rules.uuid_field(rec.get("id"), "id"), "day": _day(rec.get("day")), "stops": json.dumps(stops),
            "created_at": _stamp(created, "created_at") if created is not None else None}


def validate_tick(rec, round_stops, place_names):
    """A tick: a stop of one of the team's rounds, visited at `done_at`.

    `round_stops(round_id)` is the round's place ids, or None for no such
    round in the team; `place_names` maps the team's place ids to names.
    """
    _fields(rec, TICK_FIELDS)
    out = {"id": rules.uuid_field(rec.get("id"), "id")}
    out["round_id"] = rules.uuid_field(rec.get("round_id"), "round_id")
    stops = round_stops(out["round_id"])
    if stops is None:
        raise Refused("round_id", "ukendt runde i dit team")
    place_id = rec.get("place_id")
    if isinstance(place_id, bool) or not isinstance(place_id, int) or place_id not in stops:
        raise Refused("place_id", "er ikke med i runden")
    out["place_id"] = place_id
    out["place_name"] = place_names.get(place_id, "")
    out["done_at"] = _stamp(rec.get("done_at"), "done_at")
    created = rec.get("created_at")
    out["created_at"] = _stamp(created, "created_at") if created is not None else None
    return out
