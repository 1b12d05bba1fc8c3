"""Records from a phone reported lost: held apart until an administrator decides.

A lost phone has no session, but its outbox may still hold a worker's
unsent records. When it next reaches the server it may hand them in here,
sealed (only the server can open them), and then wipes itself. Nothing is
stored as data until an administrator accepts it; discarding is explicit,
so nothing is silently lost.

No CSRF token is possible without a session; the endpoint instead requires
the custom X-Device-Id header (which a cross-site form cannot send and we
allow no CORS), accepts only sealed records, and only for a device that an
administrator has marked lost.
"""
import json

from flask import Blueprint, abort, flash, g, jsonify, redirect, request, url_for

from . import rules, sync
from .auth import admin_required
from .csrf import csrf
from .db import get_db, transaction
from .errors import FieldError
from .sessions import stamp

bp = Blueprint("quarantine", __name__)


def _lost_device(device_id):
    device_id = rules.parse_uuid(device_id)
    if not device_id:
        return None
    return get_db().execute("SELECT id, team_id, last_user_id FROM devices WHERE id = ? AND lost_at IS NOT NULL",
                            [device_id]).fetchone()


def device_is_lost(device_id):
    return _lost_device(device_id) is not None


@bp.post("/api/quarantine")
@csrf.exempt  # see the module docstring: custom header, sealed records, lost devices only
def hand_in():
    device = _lost_device(request.headers.get("X-Device-Id"))
    if device is None:
        raise FieldError(403, "X-Device-Id", "Kun en telefon, der er meldt mistet, kan aflevere her.")
    body = request.get_json(silent=True) if request.is_json else None
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise FieldError(400, "records", "Skal være en liste af krypterede poster.")
    db = get_db()
    results = []
    with transaction(db):  # counted and added at once: two hand-ins cannot both slip under the cap
        held = db.execute("SELECT count(*) AS n FROM quarantine WHERE device_id = ?", [device["id"]]).fetchone()["n"]
        if held + len(body["records"]) > rules.MAX_QUARANTINED:
            raise FieldError(413, "records", "For mange poster fra denne telefon.")
        for rec in body["records"]:
            if not (isinstance(rec, dict) and rec.get("kind") == "sealed" and isinstance(rec.get("id"), str)):
                rid = rec.get("id") if isinstance(rec, dict) else None
                results.append({"id": rid if isinstance(rid, str) else None, "status": "refused",
                                "error": {"field": "kind", "message": "kun krypterede poster"}})
                continue
            db.execute("INSERT OR IGNORE INTO quarantine (device_id, team_id, record_id, sealed, received_at) "
                       "VALUES (?, ?, ?, ?, ?)", [device["id"], device["team_id"], rec["id"], json.dumps(rec), stamp()])
            results.append({"id": rec["id"], "status": "quarantined"})
    return jsonify({"results": results, "wipe": True})


def pending(team_id):
    return get_db().execute(
        "SELECT q.device_id, u.name AS worker, count(*) AS records, min(q.received_at) AS received_at FROM quarantine q "
        "JOIN devices d ON d.id = q.device_id LEFT JOIN users u ON u.id = d.last_user_id "
        "WHERE q.team_id = ? AND q.decided_at IS NULL GROUP BY q.device_id", [team_id]).fetchall()


@bp.post("/team/quarantine/<device_id>")
@admin_required
def decide(device_id):
    decision = request.form.get("decision")
    if decision not in ("accept", "discard"):
        abort(400, description="decision: skal være 'accept' eller 'discard'")
    db = get_db()
    device = db.execute("SELECT id, last_user_id FROM devices WHERE id = ? AND team_id = ?",
                        [device_id, g.user["team_id"]]).fetchone()
    if device is None:
        abort(404, description="Ingen sådan telefon i dit team.")
    # One transaction: the records and the decision are stored together, and a
    # second administrator deciding at the same moment finds nothing left.
    with transaction(db):
        rows = db.execute("SELECT id, sealed FROM quarantine WHERE device_id = ? AND decided_at IS NULL ORDER BY id",
                          [device_id]).fetchall()
        results = []
        if decision == "accept" and rows:
            # Stored as the worker who used the phone; the access log names the admin who accepted.
            owner = {"id": device["last_user_id"], "team_id": g.user["team_id"]}
            results = sync.store_records(db, owner, [json.loads(r["sealed"]) for r in rows])
        for row, result in zip(rows, results or [{"status": "discarded"}] * len(rows)):
            db.execute("UPDATE quarantine SET decided_at = ?, decided_by = ?, decision = ?, result = ? WHERE id = ?",
                       [stamp(), g.user["id"], decision, json.dumps(result), row["id"]])
    stored = sum(r["status"] == "stored" for r in results)
    flash(f"{stored} poster gemt." if decision == "accept" else f"{len(rows)} poster kasseret.")
    return redirect(url_for("team.index") + "#karantaene")
