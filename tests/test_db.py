"""Migrations apply at start-up and from the CLI; connections have the pragmas we rely on;
every write is one transaction behind the write lock."""
import threading
import uuid
from datetime import datetime, timezone

import pytest

from migrations.migrations import migrations
from pwa import db
from tests.helpers import PASSWORD, csrf_from, new_citizen


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


def meta_keys(db):
    return [r["key"] for r in db.execute("SELECT key FROM app_meta WHERE key LIKE 'test_%' ORDER BY key")]


def test_a_transaction_stores_everything_or_nothing(app):
    with app.app_context():
        conn = db.get_db()
        with db.transaction(conn):
            conn.execute("INSERT INTO app_meta (key, value) VALUES ('test_a', '1')")
            conn.execute("INSERT INTO app_meta (key, value) VALUES ('test_b', '1')")
        with pytest.raises(ZeroDivisionError):
            with db.transaction(conn):
                conn.execute("INSERT INTO app_meta (key, value) VALUES ('test_c', '1')")
                1 / 0
        assert meta_keys(conn) == ["test_a", "test_b"]
        assert not conn.conn.in_transaction


def test_a_transaction_inside_another_is_refused_instead_of_waiting_for_itself(app):
    with app.app_context():
        conn = db.get_db()
        with db.transaction(conn):
            with pytest.raises(RuntimeError, match="already open"):
                with db.transaction(conn):
                    pass


def _place(actions):
    token = csrf_from(actions.client.get("/team").get_data(as_text=True))
    return lambda: actions.client.post("/team/places", data={"csrf_token": token, "pl-place": "Varmestuen"})


def _timer(actions):
    token = actions.session()["csrf_token"]
    now = datetime.now(timezone.utc).isoformat()
    ev = {"id": str(uuid.uuid4()), "timer_id": str(uuid.uuid4()), "type": "start", "at": now, "minutes": 15,
          "place": "", "band": None}
    return lambda: actions.client.post("/api/timers/events", json={"events": [ev]}, headers={"X-CSRFToken": token})


def _sync(actions):
    token = actions.session()["csrf_token"]
    return lambda: actions.client.post("/api/sync", json={"records": [new_citizen()]}, headers={"X-CSRFToken": token})


def _citizen_list(actions):
    actions.sync([new_citizen()])
    return lambda: actions.client.get("/citizens")  # a read that writes the access log


def _login(actions):
    client = actions.app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return lambda: client.post("/login", data={"csrf_token": token, "username": "anna", "password": PASSWORD})


@pytest.mark.parametrize("prepare", [_place, _timer, _sync, _citizen_list, _login])
def test_every_write_queues_on_the_write_lock(app, logged_in, prepare):
    request = prepare(logged_in)
    answers = []
    worker = threading.Thread(target=lambda: answers.append(request()))
    with app.app_context(), db.write_lock():
        worker.start()
        worker.join(0.5)
        # Still waiting: the write asked for the lock this test holds.
        assert worker.is_alive() and answers == []
    worker.join(30)
    assert answers and answers[0].status_code in (200, 302), answers
def test_server_processes_starting_together_on_a_fresh_file_all_migrate(tmp_path):
    # gunicorn's workers each create the app and migrate: on a fresh file one
    # of two failed to boot ("database is locked", seen behind Caddy), and
    # gunicorn then stopped altogether. Processes, as gunicorn's workers are.
    import subprocess
    import sys
    path = tmp_path / "fresh.sqlite"
    code = "import sys; from pwa.db import migrate; migrate(sys.argv[1])"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path)], stderr=subprocess.PIPE, text=True)
             for _ in range(6)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, "\n".join(errors)
    conn = db.connect(str(path))
    assert [m.name for m in migrations.applied(conn)] == [m.name for m in migrations._migrations]
