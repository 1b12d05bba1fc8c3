"""Records from a phone reported lost: checked at the door, held until an administrator decides.

A lost phone has no session, but its outbox may still hold a worker's
unsent records. When it next reaches the server it hands them in here,
sealed, and then wipes itself. Whoever holds the phone has its device id and
the public key, so anything could arrive: each record is opened and checked
here as an upload would be (sealed in this phone's team, on this phone, every
field by rules.py), what fails is refused with its reason kept, and what
passes is held, still sealed, beside a summary the administrator reads
before deciding record by record (quarantine_review.py). The caps in rules.py
bound what one phone can send in all.

No CSRF token is possible without a session; the endpoint instead requires
the custom X-Device-Id header (which a cross-site form cannot send and we
allow no CORS), accepts only sealed records, and only for a device that an
administrator has marked lost.
"""
import json

from flask import Blueprint, current_app, jsonify, request

from . import rules, sync
from .csrf import csrf
from .db import get_db, transaction
from .errors import FieldError, list_body
from .rules import Refused
from .sessions import stamp

bp = Blueprint("quarantine", __name__)


def _lost_device(device_id):
    device_id = rules.parse_uuid(device_id)
    if not device_id:
        return None
    return get_db().execute("SELECT id, team_id, last_user_id, lost_at FROM devices "
                            "WHERE id = ? AND lost_at IS NOT NULL", [device_id]).fetchone()


def device_is_lost(device_id):
    return _lost_device(device_id) is not None


@bp.post("/api/quarantine")
@csrf.exempt  # see the module docstring: custom header, sealed records, lost devices only
def hand_in():
    device = _lost_device(request.headers.get("X-Device-Id"))
    if device is None:
        raise FieldError(403, "X-Device-Id", "Kun en telefon, der er meldt mistet, kan aflevere her.")
    records = list_body("records", "poster", rules.MAX_BATCH)
    db = get_db()
    with transaction(db):  # counted and added at once: two hand-ins cannot both slip under the caps
        results = _Door(db, device).hand_in(records)
    refused = sum(r["status"] == "refused" for r in results)
    if refused:
        current_app.logger.warning("quarantine: lost device %s handed in %d records, %d refused",
                                   device["id"], len(results), refused)
    return jsonify({"results": results, "wipe": True})


class _Door:
    """One hand-in from one lost phone, inside the caller's transaction."""

    def __init__(self, db, device):
        self.db, self.device = db, device
        held = db.execute("SELECT count(*) AS n, coalesce(sum(length(sealed)), 0) AS size FROM quarantine "
                          "WHERE device_id = ?", [device["id"]]).fetchone()
        self.count, self.size = held["n"], held["size"]
        # An encounter may name a citizen (or correct a contact) this phone
        # handed in a moment earlier and no one has accepted yet.
        self.held = {r["record_id"]: r["kind"] for r in db.execute(
            "SELECT record_id, kind FROM quarantine WHERE device_id = ? AND status = 'held' "
            "AND decided_at IS NULL", [device["id"]])}
        self.ctx = sync.Context(db, device["team_id"], device["id"],
                                citizen_exists=lambda cid: self._known("citizen", cid),
                                encounter_exists=lambda eid: self._known("encounter", eid))

    def _known(self, kind, rid):
        if self.held.get(rid) == kind:
            return True
        return self.db.execute(f"SELECT 1 FROM {sync.TABLES[kind]} WHERE id = ? AND team_id = ?",
                               [rid, self.device["team_id"]]).fetchone()

    def hand_in(self, records):
        return [self._one(rec) for rec in records]

    def _one(self, rec):
        rid = rules.claimed_id(rec)
        if self.count >= rules.MAX_QUARANTINED:
            return rules.refusal(rid, "records",
                                 f"telefonen har afleveret det højeste antal poster ({rules.MAX_QUARANTINED})")
        if rules.parse_uuid(rid) is None:
            # Nothing to keep a reason under, and nothing worth opening.
            return rules.refusal(rid, "id", "skal være et UUID")
        rid = rules.parse_uuid(rid)
        sealed = json.dumps(rec)
        try:
            if rec.get("kind") != "sealed":
                raise Refused("kind", "kun krypterede poster")
            if len(sealed) > rules.MAX_SEALED_BYTES:
                raise Refused("ct", f"posten er større end {rules.MAX_SEALED_BYTES} byte")
            if self.size + len(sealed) > rules.MAX_QUARANTINED_BYTES:
                raise Refused("records", "telefonen har afleveret den største mængde data, der tages imod")
            kind, row = sync.check_record(rec, self.ctx)
            if kind not in ("citizen", "encounter"):
                # A round (places and times, no citizen) is not worth an administrator's review.
                raise Refused("kind", "runder fra en mistet telefon tages ikke imod")
        except Refused as e:
            result = rules.refusal(rid, e.field, e.message)
            self._keep(rid, "refused", "", {"result": json.dumps(result)})
            return result
        return self._hold(rid, kind, row, sealed)

    def _hold(self, rid, kind, row, sealed):
        fingerprint = sync.digest(kind, row)
        earlier = self.db.execute("SELECT digest FROM quarantine WHERE device_id = ? AND record_id = ?",
                                  [self.device["id"], rid]).fetchone()
        if earlier:
            if earlier["digest"] == fingerprint:
                return {"id": rid, "status": "quarantined"}   # handed in before: once is enough
            return rules.refusal(rid, "id", "en anden udgave af posten er allerede afleveret")
        stored = self.db.execute(f"SELECT team_id, content_digest FROM {sync.TABLES[kind]} WHERE id = ?",
                                 [rid]).fetchone()
        if stored and stored["team_id"] == self.device["team_id"] and stored["content_digest"] == fingerprint:
            return {"id": rid, "status": "duplicate"}        # the upload got through before the phone was lost
        self._keep(rid, "held", sealed, {
            "kind": kind, "citizen_id": rid if kind == "citizen" else row["citizen_id"],
            "alias": row.get("alias"), "occurred_at": row.get("occurred_at"), "created_at": row["created_at"],
            "note_length": len(row["note"]) if kind == "encounter" else None, "digest": fingerprint,
            "amends": row.get("amends")})
        self.size += len(sealed)
        self.held[rid] = kind
        return {"id": rid, "status": "quarantined"}

    def _keep(self, rid, status, sealed, columns):
        columns = dict(columns, device_id=self.device["id"], team_id=self.device["team_id"], record_id=rid,
                       sealed=sealed, received_at=stamp(), status=status)
        names = ", ".join(columns)
        added = self.db.execute(f"INSERT OR IGNORE INTO quarantine ({names}) VALUES "
                                f"({', '.join('?' * len(columns))})", list(columns.values())).rowcount
        self.count += added


def pending(team_id):
    """Per lost phone of the team: what it handed in that waits for a decision."""
    return get_db().execute(
        "SELECT q.device_id, u.name AS worker, count(*) AS records, sum(q.status = 'refused') AS refused, "
        "sum(q.status = 'held' AND coalesce(q.created_at, q.occurred_at) > d.lost_at) AS after_loss, "
        "min(q.received_at) AS received_at FROM quarantine q "
        "JOIN devices d ON d.id = q.device_id LEFT JOIN users u ON u.id = d.last_user_id "
        "WHERE q.team_id = ? AND q.decided_at IS NULL GROUP BY q.device_id", [team_id]).fetchall()
