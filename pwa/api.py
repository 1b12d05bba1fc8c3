"""The JSON API under /api: the session, the team's citizens and the upload.

Errors take the one shape in errors.py. The API is described by
``openapi.json`` beside this file; a test holds the two together.
"""
import json
from pathlib import Path

from flask import Blueprint, current_app, g, jsonify, request
from flask_wtf.csrf import generate_csrf

from . import assets, audit, citizen_queries, place_queries, quarantine, rules, sealing
from .auth import login_required, session_expires_at
from .csrf import csrf
from .db import get_db
from .errors import FieldError, list_body
from .sync import store_batch

bp = Blueprint("api", __name__, url_prefix="/api")
PLACE_KEYS = ("id", "name", "area", "kind", "kind_name", "by_appointment", "times", "times_text", "safety_notes",
              "access_notes", "partners", "visit_days")
OPENAPI = json.loads((Path(__file__).parent / "openapi.json").read_text(encoding="utf-8"))


@bp.after_request
def _no_store(response):
    # API answers may carry citizens' data; no cache may keep them.
    response.cache_control.no_store = True
    return response


@bp.get("/version")
def version():
    return jsonify({"version": assets.version()})


@bp.get("/openapi.json")
def openapi():
    return jsonify(OPENAPI)


@bp.get("/session")
def session_info():
    user = g.user
    body = {"user": None, "team": None, "csrf_token": generate_csrf(), "workers": [], "places": [], "place_details": [],
            "session_expires_at": session_expires_at(), "seal_key": None, "device": None,
            # How the phone guards citizens' data: idle lock and list lifetime, set by the operator.
            "phone_policy": {"lock_minutes": current_app.config["LOCK_MINUTES"],
                             "list_hours": current_app.config["SHIFT_HOURS"]},
            "device_lost": quarantine.device_is_lost(request.headers.get("X-Device-Id"))}
    if user:
        db = get_db()
        body["user"] = {"id": user["id"], "name": user["name"], "username": user["username"],
                        "is_admin": bool(user["is_admin"])}
        body["team"] = {"id": user["team_id"], "name": user["team_name"]}
        # The phone seals each record to this team and this device id (sealing.py), offline too.
        body["device"] = {"id": g.device_id}
        body["workers"] = [dict(r) for r in db.execute(
            "SELECT id, name FROM users WHERE team_id = ? AND active = 1 ORDER BY name", [user["team_id"]])]
        body["places"] = [r["name"] for r in db.execute(
            "SELECT name FROM places WHERE team_id = ? ORDER BY name", [user["team_id"]])]
        # Shown at the door on /bvc and /timer, offline: cached with the session,
        # not in the PIN vault (docs/security.md says why).
        body["place_details"] = [{k: p[k] for k in PLACE_KEYS}
                                 for p in place_queries.team_places(db, user["team_id"])]
        body["seal_key"] = sealing.public_jwk()
    return jsonify(body)


@bp.get("/citizens")
@login_required
def citizens():
    q = request.args.get("q", "")
    if len(q) > rules.LIMITS["q"]:
        raise FieldError(400, "q", f"Søgningen må højst være {rules.LIMITS['q']} tegn.")
    found = citizen_queries.list_citizens(get_db(), g.user["team_id"], q.strip())
    audit.record([c["id"] for c in found], "list", "api")
    return jsonify({"citizens": found})


@bp.get("/citizens/<citizen_id>")
@login_required
def citizen(citizen_id):
    db = get_db()
    found = citizen_queries.get_citizen(db, g.user["team_id"], citizen_id)
    if found is None:
        raise FieldError(404, "citizen_id", "Ingen sådan borger i dit team.")
    audit.record([citizen_id], "view", "api")
    return jsonify({"citizen": found, "encounters": citizen_queries.encounters_for(db, g.user["team_id"], citizen_id)})


@bp.post("/sync")
@csrf.exempt          # checked below, after the login check, so a lapsed session answers 401
@login_required
def sync():
    csrf.protect()
    # Sealed records must have been sealed in this team, on this phone (sealing.py).
    results = store_batch(get_db(), g.user, list_body("records", "poster", rules.MAX_BATCH), g.device_id)
    current_app.logger.info("sync by user %s: %s", g.user["id"], {s: sum(r["status"] == s for r in results)
                                                                  for s in ("stored", "duplicate", "conflict",
                                                                            "refused")})
    return jsonify({"results": results})
