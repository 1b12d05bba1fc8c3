"""Check-in timers: the phone's timer mirrored on the server, so the team sees a missed check-in.

The phone is the source of truth and works alone; the server is told what
happened as a list of events, each with the phone's UUID: start, extend
("+15 min"), checkin ("Jeg er OK": the check-in is confirmed and the same
interval starts again), and the three that end a timer: checkout ("Jeg har
forladt adressen"), stop ("Stop timeren") and ok ("Jeg er OK" on a phone from
before issue 13, which ended its timer there and so ends it here too). Events are stored as they arrive, idempotently by that id, and
a timer's state is always recomputed from all of its events sorted by the
time they happened on the phone. So a check-in made offline and uploaded an
hour later, a batch sent twice, or events that arrive out of order all leave
the timer exactly where the phone left it.

Least data: a timer holds the worker, times, the risk band and the place text
the worker typed, never a citizen. What the team and the coordinator see of
an overdue timer is overdue.py.
"""
from datetime import datetime, timedelta, timezone

from flask import Blueprint, g, jsonify

from . import alerts, bvc, rules
from .auth import login_required
from .csrf import csrf
from .db import get_db, transaction
from .errors import list_body
from .rules import Refused

bp = Blueprint("timers", __name__, url_prefix="/api/timers")

TYPES = ("start", "extend", "checkin", "ok", "stop", "checkout")
# The events that end a timer, and the status each leaves it in.
ENDS = {"ok": "ok", "stop": "stopped", "checkout": "checked_out"}
EVENT_FIELDS = {"id", "timer_id", "type", "at", "minutes", "place", "band", "partner_user_id"}
# Millisecond precision keeps two taps in the same second in their order;
# one fixed format makes the text columns sort and compare as times.
FMT = "%Y-%m-%dT%H:%M:%S.{ms:03d}Z"


def stamp(moment):
    moment = moment.astimezone(timezone.utc)
    return moment.strftime(FMT).format(ms=moment.microsecond // 1000)


def now():
    return datetime.now(timezone.utc)


def parse(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- validation ---------------------------------------------------------------

def _at(value):
    return stamp(rules.moment(value, "at", rules.EARLIEST_TIMER))


def validate_event(ev):
    """A clean event dict, or Refused naming the first bad field."""
    if not isinstance(ev, dict):
        raise Refused(None, "en hændelse skal være et objekt")
    unknown = sorted(set(ev) - EVENT_FIELDS)
    if unknown:
        raise Refused(unknown[0], "ukendt felt")
    out = {"id": rules.uuid_field(ev.get("id"), "id"), "timer_id": rules.uuid_field(ev.get("timer_id"), "timer_id")}
    kind = ev.get("type")
    if kind not in TYPES:
        raise Refused("type", "skal være 'start', 'extend', 'checkin', 'ok', 'stop' eller 'checkout'")
    out["type"] = kind
    out["at"] = _at(ev.get("at"))
    minutes = ev.get("minutes")
    if kind in ("start", "extend"):
        if type(minutes) is not int or not 1 <= minutes <= rules.MAX_TIMER_MINUTES:
            raise Refused("minutes", f"skal være et helt antal minutter, 1–{rules.MAX_TIMER_MINUTES}")
    elif minutes is not None:
        raise Refused("minutes", "hører kun til 'start' og 'extend'")
    out["minutes"] = minutes
    place, band = ev.get("place"), ev.get("band")
    if kind != "start":
        for field, value in (("place", place), ("band", band)):
            if value is not None:
                raise Refused(field, "hører kun til 'start'")
    place = rules.text(place, "place", "timer_place")
    if band is not None and band not in bvc.band_ids():
        raise Refused("band", "skal være 'low', 'moderate', 'high' eller null")
    out["place"], out["band"] = place, band
    out["partner_user_id"] = _partner(ev.get("partner_user_id"), kind)
    return out


def _partner(value, kind):
    # Today's partner from /settings (a worker's id), so the server pushes to their phone too (push.py).
    if value is None:
        return None
    if kind != "start":
        raise Refused("partner_user_id", "hører kun til 'start'")
    if type(value) is not int or not 1 <= value <= 2 ** 63 - 1:
        raise Refused("partner_user_id", "skal være en kollegas nummer eller null")
    return value


# --- applying events ------------------------------------------------------------

# Within the same instant a check-in counts before an extension, and both
# before an end, so "Jeg er OK", "+15 min" and "Stop" tapped together still
# give the worker the whole interval and fifteen minutes, then stop.
_RANK = {"start": 0, "checkin": 1, "extend": 2, "ok": 3, "stop": 3, "checkout": 3}


def replay(events):
    """The timer's state from its events, or None while its start has not arrived.

    Pure, so the rules are in one place (the phone's timer-core.js keeps the
    same): the start always comes first (it carries the interval); the rest
    apply in the order they happened. A check-in makes the next one due a
    whole interval after it; an extension adds its minutes to the due time,
    or to the moment of the tap when the timer had already run out. After an
    end (ENDS) the timer is closed and later events change nothing.
    """
    start = next((e for e in events if e["type"] == "start"), None)
    if start is None:
        return None
    t0 = parse(start["at"])
    interval = timedelta(minutes=start["minutes"])
    state = {"started_at": start["at"], "due_at": stamp(t0 + interval), "place": start["place"],
             "band": start["band"], "status": "running", "checked_in_at": None, "updated_at": start["at"]}
    rest = sorted((e for e in events if e is not start), key=lambda e: (e["at"], _RANK[e["type"]], e["id"]))
    for e in rest:
        if state["status"] != "running" or e["type"] == "start":
            continue
        if e["type"] == "checkin":
            state["due_at"] = stamp(parse(e["at"]) + interval)
            state["checked_in_at"] = e["at"]
        elif e["type"] == "extend":
            base = max(parse(state["due_at"]), parse(e["at"]))
            state["due_at"] = stamp(base + timedelta(minutes=e["minutes"]))
        else:
            state["status"] = ENDS[e["type"]]
        state["updated_at"] = e["at"]
    return state


def _events_of(db, timer_id):
    return [dict(r) for r in db.execute(
        "SELECT id, type, at, minutes, place, band FROM checkin_events WHERE timer_id = ?", [timer_id])]


def _recompute(db, user, timer_id):
    state = replay(_events_of(db, timer_id))
    if state is None:
        return None
    db.execute(
        "INSERT INTO checkin_timers (id, team_id, user_id, started_at, due_at, place, band, status, checked_in_at,"
        " updated_at) VALUES (:id, :team_id, :user_id, :started_at, :due_at, :place, :band, :status, :checked_in_at,"
        " :updated_at)"
        " ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, due_at = excluded.due_at,"
        " place = excluded.place, band = excluded.band, status = excluded.status,"
        " checked_in_at = excluded.checked_in_at, updated_at = excluded.updated_at",
        dict(state, id=timer_id, team_id=user["team_id"], user_id=user["id"]))
    return state


def _store_one(db, user, ev, touched):
    eid = rules.claimed_id(ev)
    try:
        clean = validate_event(ev)
        eid = clean["id"]
        existing = db.execute("SELECT user_id FROM checkin_events WHERE id = ?", [eid]).fetchone()
        if existing:
            if existing["user_id"] != user["id"]:
                raise Refused("id", "id er allerede brugt")
            return {"id": eid, "status": "duplicate"}
        # A timer is its starter's: another worker's (or team's) id is refused
        # without saying whether it exists.
        owner = db.execute("SELECT user_id FROM checkin_events WHERE timer_id = ? LIMIT 1",
                           [clean["timer_id"]]).fetchone()
        if owner and owner["user_id"] != user["id"]:
            raise Refused("timer_id", "ukendt timer")
        if clean["type"] == "start" and db.execute(
                "SELECT 1 FROM checkin_events WHERE timer_id = ? AND type = 'start'", [clean["timer_id"]]).fetchone():
            raise Refused("timer_id", "timeren er allerede startet")
        if clean["partner_user_id"] is not None and not db.execute(
                "SELECT 1 FROM users WHERE id = ? AND team_id = ? AND active = 1 AND id != ?",
                [clean["partner_user_id"], user["team_id"], user["id"]]).fetchone():
            # A partner not (or no longer) in the team is dropped, not refused: the timer must reach the server.
            clean["partner_user_id"] = None
        db.execute("INSERT INTO checkin_events (id, timer_id, team_id, user_id, type, at, minutes, place, band,"
                   " partner_user_id) VALUES (:id, :timer_id, :team_id, :user_id, :type, :at, :minutes, :place,"
                   " :band, :partner_user_id)",
                   dict(clean, team_id=user["team_id"], user_id=user["id"]))
        touched.add(clean["timer_id"])
        return {"id": eid, "status": "stored"}
    except Refused as e:
        return rules.refusal(eid, e.field, e.message)


def store_events(db, user, events):
    """Store a batch in one transaction and bring the touched timers up to date."""
    touched = set()
    with transaction(db):
        results = [_store_one(db, user, ev, touched) for ev in events]
        for timer_id in sorted(touched):
            # A check-in answers the missed one: its alert closes in the same write.
            alerts.settle_timer(db, timer_id, _recompute(db, user, timer_id))
    return results


@bp.post("/events")
@csrf.exempt          # checked below, after the login check, so a lapsed session answers 401
@login_required
def events():
    csrf.protect()
    results = store_events(get_db(), g.user, list_body("events", "hændelser", rules.MAX_BATCH))
    return jsonify({"results": results})
