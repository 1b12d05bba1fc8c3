"""`GET /healthz` for the operator's monitoring: 200 when the instance can do its job, else 503.

It answers without a login and shows no data: only which check failed. The
checks are the ones whose failure a worker would not notice at once: the
database refuses writes (full disk, wrong owner after a restore), the code
expects a migration the database lacks (an upgrade half done), the sealing
keys are gone (phones' uploads could not be opened), the Web Push key is
gone (no phone could be pushed to; push.py), or cron stopped running
`notify-overdue` (a missed check-in would reach nobody).
"""
from datetime import datetime, timedelta, timezone

from flask import Blueprint, current_app, jsonify

from migrations.migrations import migrations

from . import push, sealing
from .db import get_db

bp = Blueprint("health", __name__)

FMT = "%Y-%m-%dT%H:%M:%SZ"


def mark_run(db, job):
    """Record that a cron job ran (app_meta '<job>_ran_at'), for the health check."""
    with db.conn:
        db.execute("INSERT INTO app_meta (key, value) VALUES (?, ?) "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   [f"{job}_ran_at", datetime.now(timezone.utc).strftime(FMT)])


def _database(db):
    # A real write, so a read-only file or a full disk shows here; busy_timeout bounds the wait.
    mark_run(db, "healthz")


def _migrations(db):
    pending = [m.name for m in migrations.pending(db)]
    if pending:
        raise RuntimeError("pending: " + ", ".join(pending))


def _sealing_keys(db):
    sealing.public_jwk()


def _push_key(db):
    push.public_key()


def _notify_overdue(db):
    minutes = int(current_app.config["HEALTH_NOTIFY_OVERDUE_MINUTES"])
    if minutes <= 0:
        return "not checked"
    row = db.execute("SELECT value FROM app_meta WHERE key = 'notify_overdue_ran_at'").fetchone()
    if row is None:
        raise RuntimeError("has never run")
    age = datetime.now(timezone.utc) - datetime.strptime(row[0], FMT).replace(tzinfo=timezone.utc)
    if age > timedelta(minutes=minutes):
        raise RuntimeError(f"last ran {int(age.total_seconds() // 60)} minutes ago")
    return None


CHECKS = {"database": _database, "migrations": _migrations, "sealing_keys": _sealing_keys,
          "push_key": _push_key, "notify_overdue": _notify_overdue}


@bp.get("/healthz")
def healthz():
    db = get_db()
    checks, ok = {}, True
    for name, check in CHECKS.items():
        try:
            checks[name] = check(db) or "ok"
        except Exception as e:  # noqa: BLE001 -- any failure is the answer, not a 500
            ok = False
            # Our own messages in full; others by type only (a path or SQL is not for the public).
            checks[name] = "failed: " + (str(e) if isinstance(e, RuntimeError) else type(e).__name__)
            if db.conn.in_transaction:
                db.conn.rollback()
    resp = jsonify({"status": "ok" if ok else "failed", "checks": checks})
    resp.status_code = 200 if ok else 503
    resp.cache_control.no_store = True
    return resp


def init_app(app):
    # cron runs notify-overdue every minute; a few missed runs mean cron or the job is broken.
    # 0 turns the check off (an instance that sends no e-mail and runs no cron).
    app.config.setdefault("HEALTH_NOTIFY_OVERDUE_MINUTES", 5)
    app.register_blueprint(bp)
