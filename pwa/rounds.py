"""Today's round: the page a pair plans and ticks it on, and the team's rounds for the phones.

/round is a static shell like /log (precached, the same for everyone, no
login to open it): the phone fills it from its cached session (the team's
places) and its own copy of the rounds it made or fetched (round.js). The
rounds and ticks travel as records through the outbox and POST /api/sync
(round_records.py). GET /api/rounds gives the team's rounds of a day, so the
partner's phone shows the same round, ticks from both phones included.
"""
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, g, jsonify, render_template, request

from .auth import login_required
from .db import get_db
from .errors import FieldError

bp = Blueprint("rounds", __name__)


@bp.get("/round")
def page():
    return render_template("round.html")


def team_rounds(db, team_id, day):
    """The team's rounds of `day`, oldest first: each stop with its place and its first tick."""
    places = {r["id"]: r for r in db.execute("SELECT id, name, area FROM places WHERE team_id = ?", [team_id])}
    out = []
    for r in db.execute("SELECT r.id, r.day, r.stops, r.created_at, u.id AS uid, u.name AS uname FROM rounds r"
                        " JOIN users u ON u.id = r.created_by WHERE r.team_id = ? AND r.day = ?"
                        " ORDER BY r.created_at, r.id", [team_id, day]):
        ticks = {}
        for t in db.execute("SELECT t.place_id, t.place_name, min(t.done_at) AS done_at, u.name AS by_name"
                            " FROM round_ticks t JOIN users u ON u.id = t.created_by WHERE t.round_id = ?"
                            " GROUP BY t.place_id", [r["id"]]):
            ticks[t["place_id"]] = t
        stops = []
        for pid in json.loads(r["stops"]):
            place, tick = places.get(pid), ticks.get(pid)
            stops.append({"place_id": pid, "name": place["name"] if place else "(fjernet sted)",
                          "area": place["area"] if place else "",
                          "done_at": tick["done_at"] if tick else None, "done_by": tick["by_name"] if tick else None})
        out.append({"id": r["id"], "day": r["day"], "created_at": r["created_at"],
                    "created_by": {"id": r["uid"], "name": r["uname"]}, "stops": stops})
    return out


@bp.get("/api/rounds")
@login_required
def api_rounds():
    day = request.args.get("day")
    if day is None:
        day = datetime.now(ZoneInfo(current_app.config["TIME_ZONE"])).date().isoformat()
    try:
        if len(day) != 10:
            raise ValueError
        date.fromisoformat(day)
    except ValueError:
        raise FieldError(400, "day", "Skal være en dato (ÅÅÅÅ-MM-DD).") from None
    return jsonify({"day": day, "rounds": team_rounds(get_db(), g.user["team_id"], day)})
