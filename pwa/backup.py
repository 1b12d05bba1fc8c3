"""`flask backup PATH` and `flask restore PATH`: consistent copies while the app serves.

Copying the file with cp while a sync writes can tear it (and misses the WAL);
SQLite's online backup API copies a single snapshot instead, and writers go on
meanwhile because the database runs in WAL mode. A copy is only trusted once
`PRAGMA integrity_check` says 'ok'. The copy holds citizens' data, so it is
created with mode 0600 and only renamed into place once checked: a failed run
never replaces a good older backup.

Restore copies back with the same API, so connections the app holds open see
either the old or the restored database, never a mix; then pending migrations
run, so a backup from an older version fits the code. A file is restored only
if its schema is exactly what its own migrations make: one whose access-log
triggers were dropped would otherwise be served without them.
"""
import os
import sqlite3
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from migrations.migrations import migrations

from .db import connect, migrate, schema_problems, write_lock


def _read_only(path):
    # A URI, so opening never creates a file and odd characters in the path stay literal.
    return sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)


def integrity(path):
    """'ok', or what SQLite found wrong with the file at `path`."""
    try:
        conn = _read_only(path)
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        return str(e)
    return "; ".join(r[0] for r in rows)


def backup(src, dest):
    """Copy the database at `src` to `dest` (mode 0600), checked; raise ClickException if it fails."""
    directory = os.path.dirname(os.path.abspath(dest))
    fd, tmp = tempfile.mkstemp(prefix=".backup-", suffix=".sqlite", dir=directory)  # mode 0600
    os.close(fd)
    try:
        source = connect(src).conn
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)  # all pages in one step: one snapshot
            # A backup is one file: no -wal beside it to lose on the way.
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
            source.close()
        result = integrity(tmp)
        if result != "ok":
            raise click.ClickException(f"The copy failed its integrity check and was deleted: {result}")
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def check_restorable(path):
    """Refuse a file that is damaged, not ours, or from a newer version of the app."""
    if not os.path.isfile(path):
        raise click.ClickException(f"No such file: {path}")
    result = integrity(path)
    if result != "ok":
        raise click.ClickException(f"Not restored: the file failed its integrity check: {result}")
    conn = _read_only(path)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
                            ).fetchone():
            raise click.ClickException("Not restored: the file has no _sqlite_migrations table; "
                                       "it is not a Gadekontakt database.")
        names = {r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = ?",
                                            [migrations.name])}
        unknown = names - {m.name for m in migrations._migrations}
        if not names or unknown:
            raise click.ClickException("Not restored: the file's schema does not belong to this version of "
                                       f"Gadekontakt (unknown migrations: {', '.join(sorted(unknown)) or 'none applied'}).")
        # A file whose triggers were dropped (or tables changed by hand) would be
        # served without the access log's guards: it must be exactly what its
        # migrations make.
        problems = schema_problems(conn)
    finally:
        conn.close()
    if problems:
        raise click.ClickException("Not restored: the file's schema is not what its migrations make: "
                                   + "; ".join(problems) + ".")


def restore(src, live):
    """Replace the live database's content with the file at `src`; return the migrations applied."""
    check_restorable(src)
    source = _read_only(src)
    target = connect(live).conn
    try:
        with write_lock():  # the app's writers queue behind the copy instead of timing out
            source.backup(target)
            if target.execute("SELECT 1 FROM sqlite_master WHERE name = 'sessions'").fetchone():
                # The backup predates any logout, password reset or lost phone since:
                # its sessions must not come back to life, so everyone logs in again.
                with target:
                    target.execute("UPDATE sessions SET revoked_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') "
                                   "WHERE revoked_at IS NULL")
    finally:
        source.close()
        target.close()
    return migrate(live)


def _same_file(a, b):
    return os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path):
    """Write a consistent, checked copy of the database to PATH (mode 0600)."""
    live = current_app.config["DATABASE"]
    if _same_file(path, live):
        raise click.ClickException("PATH is the live database itself.")
    try:
        backup(live, path)
    except (OSError, sqlite3.DatabaseError) as e:
        raise click.ClickException(f"No backup written: {e}") from e
    click.echo(f"Backup written to {path}: integrity ok.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the live data.")
@with_appcontext
def restore_command(path, yes):
    """Replace the live database with the backup at PATH, then apply pending migrations."""
    live = current_app.config["DATABASE"]
    if _same_file(path, live):
        raise click.ClickException("PATH is the live database itself.")
    check_restorable(path)
    if not yes:
        click.confirm(f"Replace everything in {live} with {path}?", abort=True)
    try:
        applied = restore(path, live)
    except sqlite3.DatabaseError as e:
        raise click.ClickException(f"Not restored: {e}") from e
    click.echo(f"Restored {path} into {live}; every session has ended."
               + (f" Applied: {', '.join(applied)}." if applied else ""))


def init_app(app):
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
