"""The JSON API under /api, with one error shape for every failure.

Every error is ``{"error": {"status": int, "message": str, "field": str|null}}``
so the phone can show the message and point at the field. The API is
described by ``openapi.json`` beside this file; a test holds the two together.
"""
import json
from pathlib import Path

from flask import Blueprint, current_app, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, generate_csrf
from werkzeug.exceptions import HTTPException

from . import assets, audit, quarantine, records, sealing
from .auth import login_required, session_expires_at
from .csrf import csrf
from .db import get_db

bp = Blueprint("api", __name__, url_prefix="/api")
OPENAPI = json.loads((Path(__file__).parent / "openapi.json").read_text(encoding="utf-8"))


class FieldError(HTTPException):
    """A 4xx that names the field it is about."""

    def __init__(self, code, field, message):
        super().__init__(description=message)
        self.code, self.field = code, field


def list_body(key, what, limit):
    """The JSON body's list under `key`, or a 4xx error naming what is wrong."""
    if not request.is_json:
        raise FieldError(415, None, "Send JSON (Content-Type: application/json).")
    body = request.get_json(silent=True)
    if body is None:
        raise FieldError(400, "body", "Ugyldig JSON.")
    if not isinstance(body, dict) or not isinstance(body.get(key), list):
        raise FieldError(400, key, f"Skal være en liste af {what}.")
    extra = sorted(set(body) - {key})
    if extra:
        raise FieldError(400, extra[0], "Ukendt felt.")
    if len(body[key]) > limit:
        raise FieldError(413, key, f"Højst {limit} {what} pr. forespørgsel.")
    return body[key]


def error_response(status, message, field=None):
    resp = jsonify({"error": {"status": status, "message": message, "field": field}})
    resp.status_code = status
    resp.cache_control.no_store = True
    return resp


@bp.app_errorhandler(HTTPException)
def _http_error(e):
    # One handler for the whole app: JSON under /api, a readable page elsewhere.
    if request.path.startswith("/api/"):
        return error_response(e.code, e.description, getattr(e, "field", None))
    return render_template("error.html", error=e), e.code


@bp.app_errorhandler(CSRFError)
def _csrf_error(e):
    if request.path.startswith("/api/"):
        return error_response(400, "Sikkerhedstoken mangler eller er udløbet; hent et nyt fra /api/session.",
                              "csrf_token")
    e.description = "Formularen var udløbet. Gå tilbage, genindlæs siden og prøv igen."
    return render_template("error.html", error=e), 400


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
    body = {"user": None, "team": None, "csrf_token": generate_csrf(), "workers": [], "places": [],
            "session_expires_at": session_expires_at(), "seal_key": None,
            # How the phone guards citizens' data: idle lock and list lifetime, set by the operator.
            "phone_policy": {"lock_minutes": current_app.config["LOCK_MINUTES"],
                             "list_hours": current_app.config["SHIFT_HOURS"]},
            "device_lost": quarantine.device_is_lost(request.headers.get("X-Device-Id"))}
    if user:
        db = get_db()
        body["user"] = {"id": user["id"], "name": user["name"], "username": user["username"],
                        "is_admin": bool(user["is_admin"])}
        body["team"] = {"id": user["team_id"], "name": user["team_name"]}
        body["workers"] = [{"id": r[0], "name": r[1]} for r in db.execute(
            "SELECT id, name FROM users WHERE team_id = ? AND active = 1 ORDER BY name", [user["team_id"]])]
        body["places"] = [r[0] for r in db.execute(
            "SELECT name FROM places WHERE team_id = ? ORDER BY name", [user["team_id"]])]
        body["seal_key"] = sealing.public_jwk()
    return jsonify(body)


@bp.get("/citizens")
@login_required
def citizens():
    q = request.args.get("q", "")
    if len(q) > 40:
        raise FieldError(400, "q", "Søgningen må højst være 40 tegn.")
    found = records.list_citizens(get_db(), g.user["team_id"], q.strip())
    audit.record([c["id"] for c in found], "list", "api")
    return jsonify({"citizens": found})


@bp.get("/citizens/<citizen_id>")
@login_required
def citizen(citizen_id):
    db = get_db()
    found = records.get_citizen(db, g.user["team_id"], citizen_id)
    if found is None:
        raise FieldError(404, "citizen_id", "Ingen sådan borger i dit team.")
    audit.record([citizen_id], "view", "api")
    return jsonify({"citizen": found, "encounters": records.encounters_for(db, g.user["team_id"], citizen_id)})


@bp.post("/sync")
@csrf.exempt          # checked below, after the login check, so a lapsed session answers 401
@login_required
def sync():
    csrf.protect()
    results = records.store_batch(get_db(), g.user, list_body("records", "poster", records.MAX_BATCH))
    current_app.logger.info("sync by user %s: %s", g.user["id"],
                            {s: sum(r["status"] == s for r in results) for s in ("stored", "duplicate", "refused")})
    return jsonify({"results": results})
