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
import os
import sqlite3
import threading
from contextlib import contextmanager

import click
import sqlite_utils
from flask import current_app, g
from flask.cli import with_appcontext

from migrations.migrations import migrations


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


def _record_retention(app):
    # The access log's delete trigger reads its retention period from here,
    # so the database itself refuses to drop entries younger than that.
    db = connect(app.config["DATABASE"])
    try:
        with transaction(db):
            db.execute("INSERT INTO app_meta (key, value) VALUES ('access_log_retention_months', ?) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                       [str(int(app.config["ACCESS_LOG_RETENTION_MONTHS"]))])
    finally:
        db.conn.close()


def init_app(app):
    app.config.setdefault("RETENTION_MONTHS", 24)
    app.config.setdefault("ACCESS_LOG_RETENTION_MONTHS", 36)
    app.extensions["gadekontakt_db"] = threading.local()
    app.teardown_appcontext(close_db)
    app.cli.add_command(migrate_command)
    with app.app_context():  # the write lock finds the database through the app
        migrate(app.config["DATABASE"])
        _record_retention(app)
