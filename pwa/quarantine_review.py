"""The administrator's review of what a lost phone handed in: record by record, or all at once.

Whoever found the phone could have sealed invented citizens and contacts
with it, so nothing from the quarantine is stored until an administrator has
seen what each record is: its kind, its time, the citizen it names, the
length of its note (not the note: least data), and whether the phone says it
was made before or after the loss was reported. Records refused at the door
(quarantine.py) are listed with their reason, to be dismissed. Accepting
opens and checks each record again, as an upload would, so a record that no
longer fits (its citizen discarded, say) stays with the reason and blocks
nothing else. What is accepted is stored as the worker's who used the phone;
the access log names the administrator and says "afleveret fra mistet
telefon". A decision clears the sealed copy and the alias from the quarantine.
"""
import json

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from . import audit, sync
from .auth import admin_required
from .dates import local_time
from .db import get_db, transaction
from .forms import ConfirmForm
from .sessions import stamp

bp = Blueprint("quarantine_review", __name__, url_prefix="/team/quarantine")

KINDS = {"citizen": "Ny borger", "encounter": "Kontakt", "amend": "Rettelse af kontakt"}
PROVENANCE = "afleveret fra mistet telefon {}"


def _device(device_id):
    """A lost phone of the administrator's own team, or 404."""
    device = get_db().execute("SELECT id, team_id, last_user_id, lost_at FROM devices "
                              "WHERE id = ? AND team_id = ? AND lost_at IS NOT NULL",
                              [device_id, g.user["team_id"]]).fetchone()
    if device is None:
        abort(404, description="Ingen sådan mistet telefon i dit team.")
    return device


def _waiting(device_id, row_id=None):
    sql = ("SELECT q.id, q.record_id, q.status, q.kind, q.citizen_id, q.occurred_at, q.created_at, q.note_length, "
           "q.amends, q.result, q.sealed, coalesce(q.alias, c.alias, qc.alias) AS alias FROM quarantine q "
           "LEFT JOIN citizens c ON c.id = q.citizen_id AND c.team_id = q.team_id "
           "LEFT JOIN quarantine qc ON qc.device_id = q.device_id AND qc.record_id = q.citizen_id "
           "AND qc.kind = 'citizen' AND qc.decided_at IS NULL "
           "WHERE q.device_id = ? AND q.decided_at IS NULL")
    params = [device_id]
    if row_id is not None:
        sql, params = sql + " AND q.id = ?", params + [row_id]
    return get_db().execute(sql + " ORDER BY q.id", params).fetchall()


def _summary(row, lost_at):
    """What the page says about one record."""
    made = row["created_at"] or row["occurred_at"]
    result = json.loads(row["result"]) if row["result"] else None
    return {"id": row["id"], "status": row["status"], "citizen_id": row["citizen_id"], "alias": row["alias"],
            "kind": KINDS["amend" if row["amends"] else row["kind"]] if row["kind"] else "Ukendt post",
            "when": local_time(row["occurred_at"] or row["created_at"]), "note_length": row["note_length"],
            "after_loss": None if not made else made > lost_at,
            "error": result.get("error") if result and result.get("status") != "stored" else None}


@bp.get("/<device_id>")
@admin_required
def review(device_id):
    device = _device(device_id)
    rows = [_summary(r, device["lost_at"]) for r in _waiting(device["id"])]
    worker = get_db().execute("SELECT name FROM users WHERE id = ?", [device["last_user_id"]]).fetchone()
    # The page shows citizens' aliases: each one seen is logged.
    audit.record(sorted({r["citizen_id"] for r in rows if r["citizen_id"] and r["alias"]}), "review_quarantine",
                 PROVENANCE.format(device["id"][:8]))
    return render_template("quarantine.html", device=device, rows=rows, worker=worker["name"] if worker else None,
                           lost_at=local_time(device["lost_at"]), confirm=ConfirmForm())


def _accept(db, device, row):
    owner = {"id": device["last_user_id"] or g.user["id"], "team_id": device["team_id"]}
    try:
        sealed = json.loads(row["sealed"])
    except (ValueError, RecursionError):
        sealed = None   # refused by sync as "not an object", like any other bad record
    [result] = sync.store_records(db, owner, [sealed], device["id"], PROVENANCE.format(device["id"][:8]))
    return result


def _decide(db, device, rows, decision):
    """Apply one decision to each row; returns how many were stored, discarded and could not be stored."""
    counts = {"stored": 0, "discarded": 0, "failed": 0}
    for row in rows:
        if decision == "accept":
            if row["status"] != "held":
                continue   # refused at the door: nothing to accept, only to dismiss
            result = _accept(db, device, row)
            if result["status"] not in ("stored", "duplicate"):
                # Stays for the administrator, with the reason, to try again or discard.
                db.execute("UPDATE quarantine SET result = ? WHERE id = ?", [json.dumps(result), row["id"]])
                counts["failed"] += 1
                continue
            counts["stored"] += 1
        else:
            result = {"id": row["record_id"], "status": "discarded"}
            counts["discarded"] += 1
        db.execute("UPDATE quarantine SET decided_at = ?, decided_by = ?, decision = ?, result = ?, sealed = '', "
                   "alias = NULL WHERE id = ?", [stamp(), g.user["id"], decision, json.dumps(result), row["id"]])
    return counts


def _decision():
    decision = request.form.get("decision")
    if decision not in ("accept", "discard"):
        abort(400, description="decision: skal være 'accept' eller 'discard'")
    return decision


def _done(device_id, counts):
    said = []
    if counts["stored"]:
        said.append(f"{counts['stored']} {'post' if counts['stored'] == 1 else 'poster'} gemt.")
    if counts["discarded"]:
        said.append(f"{counts['discarded']} {'post' if counts['discarded'] == 1 else 'poster'} kasseret.")
    if counts["failed"]:
        said.append(f"{counts['failed']} kunne ikke gemmes – årsagen står ved posten.")
    flash(" ".join(said) or "Intet at gøre.")
    if _waiting(device_id):
        return redirect(url_for("quarantine_review.review", device_id=device_id))
    return redirect(url_for("team.index") + "#karantaene")


@bp.post("/<device_id>")
@admin_required
def decide_all(device_id):
    """Every waiting record of the phone at once; each is still stored or refused on its own."""
    decision = _decision()
    device = _device(device_id)
    db = get_db()
    # One transaction: a second administrator deciding at the same moment finds nothing left.
    with transaction(db):
        counts = _decide(db, device, _waiting(device["id"]), decision)
    return _done(device["id"], counts)


@bp.post("/<device_id>/<int:row_id>")
@admin_required
def decide_one(device_id, row_id):
    decision = _decision()
    device = _device(device_id)
    db = get_db()
    with transaction(db):
        rows = _waiting(device["id"], row_id)
        if not rows:
            abort(404, description="Posten er allerede afgjort eller findes ikke.")
        counts = _decide(db, device, rows, decision)
    return _done(device["id"], counts)
