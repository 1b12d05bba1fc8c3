"""What phones upload (POST /api/sync): each citizen and encounter checked, then stored once.

Uploads are idempotent by the UUID the phone gave each record: a record the
server already holds answers "duplicate" and changes nothing. A batch is one
transaction, so a server killed mid-batch has stored none of it and the
phone's retry stores all of it, once. A record that breaks a rule (rules.py,
bvc.py) is refused alone, with the field and the reason, and the phone keeps
it.
"""
import json
from datetime import date, datetime, timezone

from . import audit, rules, sealing
from . import content as c
from .bvc import check_upload
from .db import transaction
from .rules import Refused

CITIZEN_FIELDS = {"kind", "id", "alias", "description", "places", "created_at"}
ENCOUNTER_FIELDS = {"kind", "id", "citizen_id", "occurred_at", "place", "worker_ids", "bvc", "bvc_total",
                    "stage", "techniques", "note", "followup_step", "followup_date", "created_at", "amends"}
# How far a chain of corrections is followed to its newest version.
MAX_AMEND_CHAIN = 50


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
    bvc = rec.get("bvc")
    if bvc is None:
        if rec.get("bvc_total") is not None:
            raise Refused("bvc_total", "kræver bvc")
        return None, None, None
    return check_upload(bvc, rec.get("bvc_total"))


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
    out["bvc"], out["bvc_total"], out["bvc_band"] = _bvc(rec)
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


def store_batch(db, user, records):
    """Store a batch in one transaction; return a result per record, in order."""
    with transaction(db):
        return store_records(db, user, records)


def store_records(db, user, records):
    """Store records inside the caller's transaction; return a result per record, in order."""
    team_id = user["team_id"]
    workers = {r["id"] for r in db.execute("SELECT id FROM users WHERE team_id = ?", [team_id])}

    def citizen_exists(cid):
        return db.execute("SELECT 1 FROM citizens WHERE id = ? AND team_id = ?", [cid, team_id]).fetchone()

    def encounter_exists(eid):
        return db.execute("SELECT 1 FROM encounters WHERE id = ? AND team_id = ?", [eid, team_id]).fetchone()

    return [_store_one(db, user, rec, workers, citizen_exists, encounter_exists) for rec in records]


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


def _supersede(db, row):
    """Hide the version a correction replaces and log it for both citizens it touches.

    Two corrections of the same contact (two taps on "Ret" of the same entry)
    chain rather than fork: the later one replaces whichever version is in
    force, so exactly one version is ever shown.
    """
    old_id, old_citizen = _newest_version(db, row["amends"])
    db.execute("UPDATE encounters SET superseded_by = ? WHERE id = ?", [row["id"], old_id])
    touched = [c for c in dict.fromkeys([old_citizen, row["citizen_id"]]) if c]
    if touched:
        audit.record(touched, "amend_encounter", row["id"], db=db)


def _store_one(db, user, rec, workers, citizen_exists, encounter_exists):
    rid = rec.get("id") if isinstance(rec, dict) and isinstance(rec.get("id"), str) else None
    try:
        if not isinstance(rec, dict):
            raise Refused(None, "en post skal være et objekt")
        if rec.get("kind") == "sealed":
            try:
                rec = sealing.open_record(rec)
            except sealing.Unsealable as e:
                raise Refused(e.field, e.message) from None
        kind = rec.get("kind")
        if kind not in ("citizen", "encounter"):
            raise Refused("kind", "skal være 'citizen' eller 'encounter'")
        table = "citizens" if kind == "citizen" else "encounters"
        rid = rules.uuid_field(rec.get("id"), "id")
        existing = db.execute(f"SELECT team_id FROM {table} WHERE id = ?", [rid]).fetchone()
        if existing:
            if existing["team_id"] != user["team_id"]:
                raise Refused("id", "id er allerede brugt")
            return {"id": rid, "status": "duplicate"}
        if kind == "citizen":
            row = validate_citizen(rec)
        else:
            row = validate_encounter(rec, workers, citizen_exists, encounter_exists)
        row.update(team_id=user["team_id"], created_by=user["id"], created_at=row["created_at"] or _now())
        cols = ", ".join(row)
        db.execute(f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(row))})", list(row.values()))
        if kind == "citizen":
            audit.record([rid], "create", db=db)
        elif row["amends"]:
            _supersede(db, row)
        elif row["citizen_id"]:
            audit.record([row["citizen_id"]], "create_encounter", rid, db=db)
        return {"id": rid, "status": "stored"}
    except Refused as e:
        return {"id": rid, "status": "refused", "error": {"field": e.field, "message": e.message}}
