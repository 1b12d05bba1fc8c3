"""Migrations apply at start-up and from the CLI; connections have the pragmas we rely on."""
from pwa import db
from migrations.migrations import migrations


def test_migrations_applied_at_startup(app):
    with app.app_context():
        conn = db.get_db()
        applied = [m.name for m in migrations.applied(conn)]
        assert applied == [m.name for m in migrations._migrations]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_migrate_command_is_idempotent(runner):
    result = runner.invoke(args=["migrate"])
    assert result.exit_code == 0
    assert "Nothing to apply." in result.output


def test_migrate_command_applies_to_a_fresh_file(app, runner, tmp_path):
    app.config["DATABASE"] = str(tmp_path / "fresh.sqlite")
    result = runner.invoke(args=["migrate"])
    assert result.exit_code == 0
    assert "0001_app_meta" in result.output


def test_database_files_are_private(app):
    import os
    import stat
    with app.app_context():
        db.get_db().execute("SELECT 1")
    for suffix in ("", "-wal", "-shm"):
        path = app.config["DATABASE"] + suffix
        if os.path.exists(path):
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
