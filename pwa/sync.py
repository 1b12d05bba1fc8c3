"""What phones upload (POST /api/sync): each citizen, encounter and round record checked, then stored once.

Uploads are idempotent by the UUID the phone gave each record: a record the
server already holds with the same content answers "duplicate" and changes
nothing; the same id with other content answers "conflict", and the phone
keeps its copy for the worker to correct or discard (issue 12, item 6). A
batch is one transaction, so a server killed mid-batch has stored none of it
and the phone's retry stores all of it, once. A record that breaks a rule
(rules.py, bvc.py), or was sealed in another team or on another phone, is
refused alone, with the field and the reason, and the phone keeps it.
"""
import hashlib
import json
from datetime import date, datetime, timezone

from . import audit, round_records, rules, sealing
from . import content as c
from .bvc import check_partner, check_upload
from .db import transaction
from .rules import Refused

CITIZEN_FIELDS = {"kind", "id", "alias", "description", "places", "created_at"}
ENCOUNTER_FIELDS = {"kind", "id", "citizen_id", "occurred_at", "place", "worker_ids", "bvc", "bvc_total",
                    "bvc_partner", "stage", "techniques", "note", "followup_step", "followup_date", "created_at", "amends"}
# How far a chain of corrections is followed to its newest version.
MAX_AMEND_CHAIN = 50
# What a record says, as stored: two uploads with the same id are the same
# record when these agree. Not the id (equal by definition) nor created_at
# (when the phone made it, not what it says).
CONTENT = {"citizen": ("alias", "description", "places"),
           "encounter": ("amends", "citizen_id", "occurred_at", "place", "worker1_id", "worker2_id", "bvc",
                         "bvc_total", "bvc_band", "bvc_partner", "stage", "techniques", "note", "followup_step",
                         "followup_date"),
           **round_records.CONTENT}
# Added to CONTENT later: left out of a fingerprint while empty, so a record
# stored before them still answers "duplicate" to its own retry.
OPTIONAL_CONTENT = {"bvc_partner"}
TABLES = {"citizen": "citizens", "encounter": "encounters", "round": "rounds", "round_tick": "round_ticks"}
CONFLICT = {
    "citizen": "en anden udgave af borgeren med samme id er allerede gemt; ret borgeren på borgersiden "
               "og kassér denne",
    "encounter": "en anden udgave af kontakten med samme id er allerede gemt; ret den, hvis din er den "
                 "rigtige, ellers kassér den",
    "round": "en anden udgave af runden med samme id er allerede gemt",
    "round_tick": "en anden udgave af afkrydsningen med samme id er allerede gemt",
}


def _text(rec, field, required=False):
    return rules.text(rec.get(field, ""), field, required=required)


def _timestamp(value, field, required=False):
    if value is None and not required:
        return None
    return rules.moment(value, field, rules.EARLIEST_RECORD).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_fields(rec, allowed):
    unknown = sorted(set(rec) - allowed)
    if unknown:
        raise Refused(unknown[0], "ukendt felt")


def validate_citizen(rec):
    _check_fields(rec, CITIZEN_FIELDS)
    return {"id": rules.uuid_field(rec.get("id"), "id"), "alias": _text(rec, "alias", required=True),
            "description": _text(rec, "description"), "places": _text(rec, "places"),
            "created_at": _timestamp(rec.get("created_at"), "created_at")}


def _bvc(rec):
    """(bvc, total, band, partner): the pair's result and, when two scored, the other score."""
    bvc, partner = rec.get("bvc"), rec.get("bvc_partner")
    if bvc is None:
        if rec.get("bvc_total") is not None:
            raise Refused("bvc_total", "kræver bvc")
        if partner is not None:
            raise Refused("bvc_partner", "kræver bvc")
        return None, None, None, None
    text, total, band = check_upload(bvc, rec.get("bvc_total"))
    return text, total, band, (None if partner is None else check_partner(partner, total))


def _list_of(rec, field, allowed, most=None):
    value = rec.get(field, [])
    # Only text and whole numbers can be in `allowed` (a set): an object
    # inside the list ("[{}]") must be refused, not hashed into a TypeError.
    if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, (str, int)) or v not in allowed
                                          for v in value):
        raise Refused(field, "indeholder en ukendt værdi")
    if len(set(value)) != len(value) or (most and not 1 <= len(value) <= most):
        raise Refused(field, f"skal have 1–{most} forskellige" if most else "må ikke gentage en værdi")
    return value


def validate_encounter(rec, team_workers, citizen_exists, encounter_exists):
    _check_fields(rec, ENCOUNTER_FIELDS)
    out = {"id": rules.uuid_field(rec.get("id"), "id")}
    amends = rec.get("amends")
    if amends is not None:
        amends = rules.uuid_field(amends, "amends")
        if amends == out["id"]:
            raise Refused("amends", "en kontakt kan ikke rette sig selv")
        if not encounter_exists(amends):
            # The same answer for another team's contact: ids do not leak.
            raise Refused("amends", "ukendt kontakt i dit team")
    out["amends"] = amends
    citizen_id = rec.get("citizen_id")
    if citizen_id is not None:
        citizen_id = rules.uuid_field(citizen_id, "citizen_id")
        if not citizen_exists(citizen_id):
            raise Refused("citizen_id", "ukendt borger i dit team")
    out["citizen_id"] = citizen_id
    out["occurred_at"] = _timestamp(rec.get("occurred_at"), "occurred_at", required=True)
    out["place"] = _text(rec, "place")
    workers = _list_of(rec, "worker_ids", team_workers, most=2)
    out["worker1_id"], out["worker2_id"] = workers[0], (workers[1] if len(workers) > 1 else None)
    out["bvc"], out["bvc_total"], out["bvc_band"], out["bvc_partner"] = _bvc(rec)
    stage = rec.get("stage")
    if stage is not None and (not isinstance(stage, str) or c.stage(stage) is None):
        raise Refused("stage", "ukendt stadie")
    out["stage"] = stage
    out["techniques"] = json.dumps(_list_of(rec, "techniques", {t["id"] for t in c.techniques()}))
    out["note"] = _text(rec, "note")
    out["followup_step"] = _text(rec, "followup_step")
    fdate = rec.get("followup_date")
    if fdate is not None:
        try:
            if not (isinstance(fdate, str) and len(fdate) == 10):
                raise ValueError
            date.fromisoformat(fdate)
        except ValueError:
            raise Refused("followup_date", "skal være en dato (ÅÅÅÅ-MM-DD)") from None
    out["followup_date"] = fdate
    out["created_at"] = _timestamp(rec.get("created_at"), "created_at")
    return out


def _now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def digest(kind, row):
    """A fingerprint of what a record says (CONTENT), from a checked record or a stored row."""
    content = {k: row[k] for k in CONTENT[kind] if k not in OPTIONAL_CONTENT or row[k] is not None}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class Context:
    """Where records are checked: the team and phone they must come from, and what the team holds."""

    def __init__(self, db, team_id, device_id, citizen_exists=None, encounter_exists=None):
        self.team_id, self.device_id = team_id, device_id
        self.workers = {r["id"] for r in db.execute("SELECT id FROM users WHERE team_id = ?", [team_id])}
        self.citizen_exists = citizen_exists or (lambda cid: db.execute(
            "SELECT 1 FROM citizens WHERE id = ? AND team_id = ?", [cid, team_id]).fetchone())
        self.encounter_exists = encounter_exists or (lambda eid: db.execute(
            "SELECT 1 FROM encounters WHERE id = ? AND team_id = ?", [eid, team_id]).fetchone())
        self._db, self._places = db, None

    @property
    def places(self):
        """The team's place ids and names, read once per batch, when a round needs them."""
        if self._places is None:
            self._places = {r["id"]: r["name"] for r in self._db.execute(
                "SELECT id, name FROM places WHERE team_id = ?", [self.team_id])}
        return self._places

    def round_stops(self, round_id):
        row = self._db.execute("SELECT stops FROM rounds WHERE id = ? AND team_id = ?",
                               [round_id, self.team_id]).fetchone()
        return json.loads(row["stops"]) if row else None


def open_record(rec, ctx):
    """The record itself: opened if sealed (in ctx's team, on ctx's phone), or as sent."""
    if not isinstance(rec, dict):
        raise Refused(None, "en post skal være et objekt")
    if rec.get("kind") == "sealed":
        try:
            return sealing.open_record(rec, team=ctx.team_id, device=ctx.device_id)
        except sealing.Unsealable as e:
            raise Refused(e.field, e.message) from None
    return rec


def check_record(rec, ctx):
    """Open and check one record: (kind, row ready to store), or raise Refused."""
    rec = open_record(rec, ctx)
    kind = rec.get("kind")
    if not isinstance(kind, str) or kind not in TABLES:   # a list or object is no kind (and unhashable)
        raise Refused("kind", "skal være 'citizen', 'encounter', 'round' eller 'round_tick'")
    if kind == "citizen":
        return kind, validate_citizen(rec)
    if kind == "round":
        return kind, round_records.validate_round(rec, ctx.places)
    if kind == "round_tick":
        return kind, round_records.validate_tick(rec, ctx.round_stops, ctx.places)
    return kind, validate_encounter(rec, ctx.workers, ctx.citizen_exists, ctx.encounter_exists)


def store_batch(db, user, records, device_id):
    """Store a batch in one transaction; return a result per record, in order."""
    with transaction(db):
        return store_records(db, user, records, device_id)


def store_records(db, user, records, device_id, provenance=""):
    """Store records, sealed on `device_id`, inside the caller's transaction; a result per record, in order.

    `provenance` is added to the access log's detail of what is stored (a
    lost phone's hand-in, accepted by an administrator).
    """
    ctx = Context(db, user["team_id"], device_id)
    return [_store_one(db, user, rec, ctx, provenance) for rec in records]


def _newest_version(db, eid):
    """Follow corrections from one encounter to the version now in force.

    A link to a version that is gone (erased with another citizen) ends the
    chain there, so the new correction takes its place.
    """
    def version(eid):
        return db.execute("SELECT superseded_by, citizen_id FROM encounters WHERE id = ?", [eid]).fetchone()

    row = version(eid)
    for _ in range(MAX_AMEND_CHAIN):
        nxt = row["superseded_by"] and version(row["superseded_by"])
        if not nxt:
            break
        eid, row = row["superseded_by"], nxt
    return eid, row["citizen_id"]


def _supersede(db, row, provenance=""):
    """Hide the version a correction replaces and log it for both citizens it touches.

    Two corrections of the same contact (two taps on "Ret" of the same entry)
    chain rather than fork: the later one replaces whichever version is in
    force, so exactly one version is ever shown.
    """
    old_id, old_citizen = _newest_version(db, row["amends"])
    db.execute("UPDATE encounters SET superseded_by = ? WHERE id = ?", [row["id"], old_id])
    touched = [c for c in dict.fromkeys([old_citizen, row["citizen_id"]]) if c]
    if touched:
        _log(db, touched, "amend_encounter", row["id"], provenance)


def _log(db, citizen_ids, action, detail, provenance):
    audit.record(citizen_ids, action, "; ".join(d for d in (detail, provenance) if d), db=db)


def _store_one(db, user, rec, ctx, provenance):
    rid = rules.claimed_id(rec)
    try:
        kind, row = check_record(rec, ctx)
        rid = row["id"]
        table = TABLES[kind]
        existing = db.execute(f"SELECT * FROM {table} WHERE id = ?", [rid]).fetchone()
        fingerprint = digest(kind, row)
        if existing:
            if existing["team_id"] != user["team_id"]:
                raise Refused("id", "id er allerede brugt")
            if (existing["content_digest"] or digest(kind, existing)) != fingerprint:
                return {"id": rid, "status": "conflict", "error": {"field": "id", "message": CONFLICT[kind]}}
            return {"id": rid, "status": "duplicate"}
        row.update(team_id=user["team_id"], created_by=user["id"], created_at=row["created_at"] or _now(),
                   content_digest=fingerprint)
        cols = ", ".join(row)
        db.execute(f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(row))})", list(row.values()))
        if kind == "citizen":
            _log(db, [rid], "create", "", provenance)
        elif kind != "encounter":
            pass                    # a round names places, never a citizen: nothing for the access log
        elif row["amends"]:
            _supersede(db, row, provenance)
        elif row["citizen_id"]:
            _log(db, [row["citizen_id"]], "create_encounter", rid, provenance)
        return {"id": rid, "status": "stored"}
    except Refused as e:
        return rules.refusal(rid, e.field, e.message)
