"""The SQLite connection (one per server thread, kept across requests), writes, and migrations.

SQLite is opened through sqlite-utils so migrations use its built-in
``Migrations``; WAL lets readers go on while a sync writes, the busy timeout
makes concurrent writers wait instead of failing, and foreign keys are off
by default in SQLite so we switch them on for every connection. Rows are
``sqlite3.Row``: code and templates read a column by its name.

Every write goes through ``transaction``: the OS write lock, then
``BEGIN IMMEDIATE``, then commit, or rollback on any error.
"""
import fcntl
import functools
import os
import sqlite3
import threading
from contextlib import contextmanager

import click
import sqlite_utils
from flask import current_app, g
from flask.cli import with_appcontext

from migrations.migrations import migrations

# The access log's shortest retention; migration 0012's delete trigger holds the same floor.
ACCESS_LOG_MIN_MONTHS = 12


def connect(path):
    # Citizens' data: readable by the app's user only. SQLite gives the -wal
    # and -shm files the database file's permissions.
    if not os.path.exists(path):
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    conn = sqlite3.connect(path, timeout=5, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA busy_timeout=5000")
    conn.execute("PRAGMA foreign_keys=ON")
    # An acknowledged record must survive a power cut.
    conn.execute("PRAGMA synchronous=FULL")
    return sqlite_utils.Database(conn)


@contextmanager
def write_lock(database=None):
    """Queue writers on an OS file lock before SQLite's own lock.

    SQLite makes a waiting writer poll with growing sleeps (up to 100 ms),
    which under many phones syncing at once shows up as long tail latency.
    A blocking flock wakes the next writer the moment the lock is free, across
    threads and server processes alike (each call opens its own descriptor).
    """
    path = (database or current_app.config["DATABASE"]) + ".writelock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


@contextmanager
def transaction(db):
    """One write: the app's write lock, BEGIN IMMEDIATE, then COMMIT or ROLLBACK.

    IMMEDIATE takes SQLite's write lock at the start, so a transaction that
    first reads and then writes can never fail half-way with "database is
    locked"; the OS lock in front of it queues writers without SQLite's
    polling. Everything inside is stored together or not at all. Never
    nested: a second flock from the same thread would wait for itself.
    """
    if db.conn.in_transaction:
        raise RuntimeError("a write transaction is already open on this connection")
    with write_lock():
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def get_db():
    """This thread's connection, kept across requests.

    Opening and closing per request costs more than the request: closing the
    last connection to a WAL database checkpoints it. Each server thread keeps
    one connection per app instead; teardown only makes sure no transaction
    is left open.
    """
    if "db" not in g:
        local = current_app.extensions["gadekontakt_db"]
        if getattr(local, "db", None) is None:
            local.db = connect(current_app.config["DATABASE"])
        g.db = local.db
    return g.db


def close_db(exc=None):
    db = g.pop("db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.rollback()


def migrate(path):
    """Apply pending migrations; return the names applied.

    Under the write lock: server processes start together (gunicorn without
    preload), so one migrates and the others find nothing left to do.
    """
    db = connect(path)
    try:
        with write_lock(path):
            pending = [m.name for m in migrations.pending(db)]
            migrations.apply(db)
        return pending
    finally:
        db.conn.close()


@click.command("migrate")
@with_appcontext
def migrate_command():
    """Apply pending database migrations."""
    applied = migrate(current_app.config["DATABASE"])
    click.echo("Applied: " + ", ".join(applied) if applied else "Nothing to apply.")


def retention_months(config, key):
    """A retention period from config: a whole number of months, the access log's at least
    ACCESS_LOG_MIN_MONTHS (0 once deleted the whole log). ValueError otherwise."""
    value, least = config[key], ACCESS_LOG_MIN_MONTHS if key == "ACCESS_LOG_RETENTION_MONTHS" else 1
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"{key} must be a whole number of months, at least {least} (is {value!r}).")
    return value


def _record_retention(app):
    # The access log's delete trigger reads its retention period from here,
    # so the database itself refuses to drop entries younger than that.
    months = retention_months(app.config, "ACCESS_LOG_RETENTION_MONTHS")
    db = connect(app.config["DATABASE"])
    try:
        with transaction(db):
            db.execute("INSERT INTO app_meta (key, value) VALUES ('access_log_retention_months', ?) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value", [str(months)])
    finally:
        db.conn.close()


# --- the schema the migrations make, and the one a file has

def _schema(conn):
    """{(type, name): SQL} of every table, index, trigger and view, SQLite's and sqlite-utils' own left
    out, and Litestream's (its replication bookkeeping, docs/operations.md)."""
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                        "AND name NOT LIKE 'sqlite~_%' ESCAPE '~' AND tbl_name != '_sqlite_migrations' "
                        "AND NOT (type = 'table' AND name IN ('_litestream_seq', '_litestream_lock'))")
    return {(r[0], r[1]): " ".join(r[2].split()) for r in rows}


@functools.lru_cache(maxsize=None)
def expected_schema(applied):
    """The schema the named migrations make when applied in order to an empty database, or None if
    `applied` (a tuple of names) is not the first steps of ours in order."""
    names = [m.name for m in migrations._migrations]
    if list(applied) != names[:len(applied)]:
        return None
    fresh = sqlite_utils.Database(memory=True)
    try:
        migrations.apply(fresh, stop_before=names[len(applied)] if len(applied) < len(names) else None)
        return _schema(fresh.conn)
    finally:
        fresh.conn.close()


def schema_problems(conn):
    """What differs between the database on `conn` and the schema its applied migrations make; [] if nothing.

    A trigger dropped (the access log's guards), a table or index changed or
    added by hand: each is named. Used at start-up and by `flask restore`.
    """
    applied = tuple(r[0] for r in conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY applied_at, rowid", [migrations.name]))
    expected = expected_schema(applied)
    if expected is None:
        return [f"its migrations ({', '.join(applied) or 'none'}) are not this version's, in order"]
    found = _schema(conn)
    problems = [f"{kind} {name} is missing" for kind, name in sorted(expected.keys() - found.keys())]
    problems += [f"{kind} {name} is not from a migration" for kind, name in sorted(found.keys() - expected.keys())]
    problems += [f"{kind} {name} differs from its migration" for kind, name in sorted(expected.keys() & found.keys())
                 if expected[(kind, name)] != found[(kind, name)]]
    return problems


def _check_schema(app):
    db = connect(app.config["DATABASE"])
    try:
        problems = schema_problems(db.conn)
    finally:
        db.conn.close()
    if problems:
        raise RuntimeError("The database does not have the schema its migrations make, so its guards (such as "
                           "the access log's triggers) cannot be trusted; not serving it: " + "; ".join(problems))


def init_app(app):
    app.config.setdefault("RETENTION_MONTHS", 24)
    app.config.setdefault("ACCESS_LOG_RETENTION_MONTHS", 36)
    app.extensions["gadekontakt_db"] = threading.local()
    app.teardown_appcontext(close_db)
    app.cli.add_command(migrate_command)
    with app.app_context():  # the write lock finds the database through the app
        migrate(app.config["DATABASE"])
        _check_schema(app)
        _record_retention(app)
