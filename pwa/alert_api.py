"""`POST /api/alerts`: the help button and the duress code, sent from the phone when it has signal.

The phone queues each alert with its own UUID beside the timer's events
(timer-core.js, timer-sync.js) and sends them once there is a connection
and a session; a phone that lost its signal may send the same alert twice,
and gets "duplicate" the second time. The alert is about the worker logged
in: without a session the server cannot know who pressed, so the phone
keeps the alert until the next login. Storing it opens the alert
(alerts.py); `flask notify-overdue` escalates it within the minute.
"""
from flask import Blueprint, g, jsonify

from . import alerts, rules
from .auth import login_required
from .csrf import csrf
from .db import get_db, transaction
from .errors import list_body
from .rules import Refused

bp = Blueprint("alert_api", __name__, url_prefix="/api/alerts")

FIELDS = {"id", "kind", "at", "timer_id", "place", "place_at"}
PHONE_KINDS = ("help", "duress")     # 'overdue' is the server's own


def _time(value, field):
    return alerts.stamp(rules.moment(value, field, rules.EARLIEST_TIMER))


def validate(item):
    """A clean alert, or Refused naming the first bad field."""
    if not isinstance(item, dict):
        raise Refused(None, "en alarm skal være et objekt")
    unknown = sorted(set(item) - FIELDS)
    if unknown:
        raise Refused(unknown[0], "ukendt felt")
    out = {"id": rules.uuid_field(item.get("id"), "id")}
    if item.get("kind") not in PHONE_KINDS:
        raise Refused("kind", "skal være 'help' eller 'duress'")
    out["kind"] = item["kind"]
    out["at"] = _time(item.get("at"), "at")
    out["timer_id"] = rules.uuid_field(item["timer_id"], "timer_id") if item.get("timer_id") is not None else None
    out["place"] = rules.text(item.get("place"), "place", "timer_place")
    out["place_at"] = _time(item["place_at"], "place_at") if item.get("place_at") is not None else None
    return out


def _store_one(db, user, item):
    aid = rules.claimed_id(item)
    try:
        clean = validate(item)
        aid = clean["id"]
        found = db.execute("SELECT user_id FROM alerts WHERE client_id = ?", [aid]).fetchone()
        if found:
            if found["user_id"] != user["id"]:
                raise Refused("id", "id er allerede brugt")
            return {"id": aid, "status": "duplicate"}
        if clean["timer_id"] and db.execute("SELECT 1 FROM checkin_events WHERE timer_id = ? AND user_id != ?",
                                            [clean["timer_id"], user["id"]]).fetchone():
            raise Refused("timer_id", "ukendt timer")
        alerts.open_alert(db, team_id=user["team_id"], user_id=user["id"], kind=clean["kind"], raised_at=clean["at"],
                          place=clean["place"], place_at=clean["place_at"], timer_id=clean["timer_id"],
                          client_id=aid, by=user["id"])
        return {"id": aid, "status": "stored"}
    except Refused as e:
        return rules.refusal(aid, e.field, e.message)


@bp.post("")
@csrf.exempt          # checked below, after the login check, so a lapsed session answers 401
@login_required
def post_alerts():
    csrf.protect()
    items = list_body("alerts", "alarmer", rules.MAX_BATCH)
    db = get_db()
    with transaction(db):
        results = [_store_one(db, g.user, item) for item in items]
    return jsonify({"results": results})
