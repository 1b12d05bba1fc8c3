"""Retention: `flask retention`, run daily from cron, deletes what may no longer be kept.

GDPR art. 5(1)(e) allows keeping data about a citizen only as long as the
work needs it. Encounters older than RETENTION_MONTHS go, so do citizens
nobody has met for that long, and the access log after its own, longer
period (ACCESS_LOG_RETENTION_MONTHS) so a data protection officer can still
answer "who looked" about anything that was held. That period is never
shorter than twelve months (db.ACCESS_LOG_MIN_MONTHS, checked at start-up and
here; migration 0012's trigger holds the same floor in the database).

Cut-offs are computed by SQLite itself with the same '-N months' arithmetic
the access log's delete trigger uses, so the command and the trigger never
disagree about which rows are old enough. Everything happens in one
transaction: a failure removes nothing.
"""
import sqlite3
from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import with_appcontext

from .db import connect, retention_months, transaction

# What goes, in order: encounters first, so a citizen whose last encounter
# just went counts as "without contact". Each entry: table, the config key of
# its period, and the WHERE clause choosing rows older than the cut-off (:cut).
RULES = [
    ("encounters", "RETENTION_MONTHS", "occurred_at < :cut"),
    # Created before the cut-off too, so a citizen registered yesterday who
    # has not been met yet stays.
    ("citizens", "RETENTION_MONTHS",
     "created_at < :cut AND NOT EXISTS (SELECT 1 FROM encounters e WHERE e.citizen_id = citizens.id"
     " AND e.occurred_at >= :cut)"),
    ("access_log", "ACCESS_LOG_RETENTION_MONTHS", "at < :cut"),
    # Rounds (issue 18) are visits like encounters and go with them: the
    # ticks first, then a round with none left that was made before the cut.
    ("round_ticks", "RETENTION_MONTHS", "done_at < :cut"),
    ("rounds", "RETENTION_MONTHS",
     "created_at < :cut AND NOT EXISTS (SELECT 1 FROM round_ticks t WHERE t.round_id = rounds.id)"),
]
LABELS = {"encounters": "occurred before", "citizens": "no contact since", "access_log": "logged before",
          "round_ticks": "ticked before", "rounds": "made before"}
# A deletion is a change of a citizen's data, so it goes in the access log
# like any other (no user: the rule did it), in the same transaction. The
# log's own expiry is not logged row by row: that is what its period means.
LOG_DELETIONS = {
    "encounters": "SELECT team_id, citizen_id, 'retention', count(*) || ' kontakt(er) fra før ' || :cut"
                  " FROM encounters WHERE {clause} AND citizen_id IS NOT NULL GROUP BY team_id, citizen_id",
    "citizens": "SELECT team_id, id, 'retention', 'borgeren, ingen kontakt siden ' || :cut"
                " FROM citizens WHERE {clause}",
}


def months_setting(key):
    try:
        return retention_months(current_app.config, key)
    except ValueError as e:
        raise click.UsageError(str(e)) from None


def cutoff(db, months):
    """The UTC moment `months` before now, as stored ('YYYY-MM-DDTHH:MM:SSZ')."""
    return db.execute("SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?) AS cut",
                      [f"-{months} months"]).fetchone()["cut"]


def _exists(db, table):
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone()


@contextmanager
def _snapshot(db):
    """Read from one snapshot and change nothing: what a dry run needs."""
    db.execute("BEGIN")
    try:
        yield db
    finally:
        db.execute("ROLLBACK")


def _one_rule(db, table, key, clause, dry_run):
    months = months_setting(key)
    cut = cutoff(db, months)
    if not _exists(db, table):
        return table, months, cut, None
    count = db.execute(f"SELECT count(*) AS n FROM {table} WHERE {clause}", {"cut": cut}).fetchone()["n"]
    if not dry_run:
        if table in LOG_DELETIONS and _exists(db, "access_log"):
            db.execute("INSERT INTO access_log (team_id, citizen_id, action, detail) "
                       + LOG_DELETIONS[table].format(clause=clause), {"cut": cut})
        db.execute(f"DELETE FROM {table} WHERE {clause}", {"cut": cut})
    return table, months, cut, count


def run(db, dry_run=False):
    """Delete (or only count) old rows; return [(table, months, cut-off, count)], None for a missing table."""
    # Freed pages are zeroed, so deleted notes do not linger in the file.
    db.execute("PRAGMA secure_delete = ON")
    # A real run is one write like the app's (db.transaction): it queues with
    # them on the write lock instead of making them time out.
    with _snapshot(db) if dry_run else transaction(db):
        return [_one_rule(db, table, key, clause, dry_run) for table, key, clause in RULES]


@click.command("retention")
@click.option("--dry-run", is_flag=True, help="Only show what would be removed.")
@with_appcontext
def retention_command(dry_run):
    """Delete encounters, citizens, access-log rows and rounds older than their retention period."""
    db = connect(current_app.config["DATABASE"])
    try:
        report = run(db, dry_run)
        if not dry_run:
            # Move the zeroed pages from the WAL into the database file now.
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.DatabaseError as e:
        hint = ""
        if "access_log" in str(e):
            # The log's own trigger refuses a period shorter than the one recorded in app_meta.
            hint = " ACCESS_LOG_RETENTION_MONTHS is shorter than app_meta.access_log_retention_months allows."
        raise click.ClickException(f"Nothing removed: {e}.{hint}") from e
    finally:
        db.conn.close()
    verb = "would remove" if dry_run else "removed"
    for table, months, cut, count in report:
        if count is None:
            click.echo(f"{table}: no such table, skipped")
        else:
            click.echo(f"{table}: {verb} {count} ({LABELS[table]} {cut}, {months} months)")
    if dry_run:
        click.echo("Dry run: nothing was removed.")


def init_app(app):
    app.config.setdefault("RETENTION_MONTHS", 24)
    app.config.setdefault("ACCESS_LOG_RETENTION_MONTHS", 36)
    app.cli.add_command(retention_command)
