"""`flask backup` and `flask restore` on real SQLite files, with the app writing meanwhile.

The writer uploads batches through the real POST /api/sync, each batch a
citizen with one encounter, numbered in order; a consistent snapshot holds
batches 0..k-1 complete and nothing else.
"""
import os
import re
import sqlite3
import threading

import pytest
import sqlite_utils

from migrations.migrations import migrations
from pwa import create_app
from tests.helpers import new_citizen, new_encounter


def rows(path, sql):
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def pad(actions, n=5000):
    """Some megabytes of encounters, so the backup takes long enough to overlap writes."""
    db = actions.db()
    team_id, uid = db.execute("SELECT team_id, id FROM users").fetchone()
    with db.conn:
        db.conn.executemany(
            "INSERT INTO encounters (id, team_id, occurred_at, worker1_id, note, created_by, created_at) "
            "VALUES (?, ?, '2026-01-01T10:00:00Z', ?, ?, ?, '2026-01-01T10:00:00Z')",
            [(f"pad-{i}", team_id, uid, "x" * 900, uid) for i in range(n)])
    db.conn.close()


class Writer(threading.Thread):
    """Uploads citizen n with its encounter, n = 0, 1, 2, ... until stopped."""

    def __init__(self, actions):
        super().__init__(daemon=True)
        self.actions, self.client = actions, actions.app.test_client()
        assert actions.login(client=self.client).status_code == 302
        self.uid = actions.session(self.client)["user"]["id"]
        self.acked, self.errors, self.stop = 0, [], threading.Event()

    def run(self):
        token = self.actions.session(self.client)["csrf_token"]
        while not self.stop.is_set():
            citizen = new_citizen(alias=f"n{self.acked}")
            resp = self.actions.sync([citizen, new_encounter([self.uid], citizen["id"])],
                                     client=self.client, token=token)
            if resp.status_code != 200 or {r["status"] for r in resp.json["results"]} != {"stored"}:
                self.errors.append((resp.status_code, resp.get_data(as_text=True)))
                return
            self.acked += 1

    def until(self, count):
        while self.acked < count and not self.errors and self.is_alive():
            self.stop.wait(0.005)


def test_backup_under_write_load_is_consistent_and_restores(logged_in, runner, tmp_path):
    pad(logged_in)
    # Another server process holding the database open, as under several workers: recent
    # commits then live in the WAL file, where a plain file copy would miss them.
    other_process = logged_in.db()
    other_process.execute("SELECT count(*) FROM citizens").fetchone()
    writer = Writer(logged_in)
    writer.start()
    try:
        writer.until(5)
        acked_before = writer.acked
        path = tmp_path / "backup.sqlite"
        result = runner.invoke(args=["backup", str(path)])
        acked_after = writer.acked
        writer.until(acked_after + 5)  # the app goes on writing after the backup
    finally:
        writer.stop.set()
        writer.join()
        other_process.conn.close()
    assert writer.errors == []
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert rows(path, "PRAGMA integrity_check") == [("ok",)]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".backup-")] == []
    # Prefix-consistent: batches 0..k-1, each with its encounter, and nothing acknowledged before is missing.
    numbers = sorted(int(a[1:]) for (a,) in rows(path, "SELECT alias FROM citizens"))
    k = len(numbers)
    assert numbers == list(range(k))
    assert acked_before <= k <= acked_after + 1
    assert rows(path, "SELECT count(*) FROM citizens c JOIN encounters e ON e.citizen_id = c.id") == [(k,)]
    assert rows(path, "SELECT count(*) FROM encounters WHERE id LIKE 'pad-%'") == [(5000,)]
    assert logged_in.count("citizens") > k  # the live database went on

    result = runner.invoke(args=["restore", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    assert logged_in.count("citizens") == k
    # The backup's sessions do not come back: log in again, and the app serves the restored data.
    assert logged_in.client.get("/api/citizens").status_code == 401
    assert logged_in.login().status_code == 302
    served = logged_in.client.get("/api/citizens").json["citizens"]
    assert sorted(int(c["alias"][1:]) for c in served) == list(range(k))


def test_restore_asks_first(logged_in, runner, tmp_path):
    path = tmp_path / "b.sqlite"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    logged_in.sync([new_citizen()])
    result = runner.invoke(args=["restore", str(path)], input="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output
    assert logged_in.count("citizens") == 1


def test_restore_applies_pending_migrations(app, runner, tmp_path):
    names = [m.name for m in migrations._migrations]
    old = tmp_path / "old.sqlite"
    migrations.apply(sqlite_utils.Database(old), stop_before=names[-1])
    result = runner.invoke(args=["restore", str(old), "--yes"])
    assert result.exit_code == 0, result.output
    assert f"Applied: {names[-1]}." in result.output
    assert [n for (n,) in rows(app.config["DATABASE"], "SELECT name FROM _sqlite_migrations")] == names
    assert app.test_client().get("/setup").status_code == 200  # an empty install again, served


def corrupt(path):
    """Overwrite the citizens table's page with junk, as a failing disk might."""
    page_size, root = rows(path, "PRAGMA page_size")[0][0], rows(
        path, "SELECT rootpage FROM sqlite_master WHERE name = 'citizens'")[0][0]
    with open(path, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xa5" * page_size)


def test_restore_refuses_a_damaged_or_foreign_file(logged_in, runner, tmp_path):
    logged_in.sync([new_citizen()])
    good = tmp_path / "good.sqlite"
    assert runner.invoke(args=["backup", str(good)]).exit_code == 0
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(good.read_bytes())
    corrupt(damaged)
    foreign = tmp_path / "foreign.sqlite"
    sqlite_utils.Database(foreign)["notes"].insert({"text": "not ours"})
    before = logged_in.snapshot()
    for path, message in ((damaged, "failed its integrity check"), (foreign, "no _sqlite_migrations table"),
                          (tmp_path / "empty.sqlite", "no _sqlite_migrations table")):
        path.touch()
        result = runner.invoke(args=["restore", str(path), "--yes"])
        assert result.exit_code == 1, result.output
        assert "Not restored" in result.output and message in result.output
    assert logged_in.snapshot() == before


def test_backup_of_a_damaged_database_keeps_the_last_good_copy(logged_in, runner, tmp_path):
    logged_in.sync([new_citizen()])
    path = tmp_path / "nightly.sqlite"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    good = path.read_bytes()
    db = logged_in.db()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    corrupt(logged_in.app.config["DATABASE"])
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 1
    assert "failed its integrity check and was deleted" in result.output
    assert path.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir() if "nightly" in p.name or p.name.startswith(".backup-")) == \
        ["nightly.sqlite"]


@pytest.mark.parametrize("args", [["backup"], ["restore", "--yes"]])
def test_the_live_database_is_not_its_own_backup(app, runner, args):
    result = runner.invoke(args=args + [app.config["DATABASE"]])
    assert result.exit_code == 1 and "PATH is the live database itself." in result.output


# Issue 12, item 9: a file whose guards were removed is not restored, and not served.
# What `litestream replicate` adds to a live database (docs/operations.md), so its backups carry it too.
LITESTREAM = ("CREATE TABLE _litestream_seq (id INTEGER PRIMARY KEY, seq INTEGER); "
              "CREATE TABLE _litestream_lock (id INTEGER)")
TAMPERING = [
    ("DROP TRIGGER access_log_no_update", "trigger access_log_no_update is missing"),
    ("DROP TRIGGER access_log_no_delete", "trigger access_log_no_delete is missing"),
    ("DROP TRIGGER access_log_stamped_now", "trigger access_log_stamped_now is missing"),
    ("DROP TRIGGER access_log_no_delete; CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log "
     "WHEN 0 BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END",
     "trigger access_log_no_delete differs from its migration"),
    ("CREATE TRIGGER copy_notes AFTER INSERT ON encounters BEGIN SELECT 1; END", "trigger copy_notes is not from"),
    ("ALTER TABLE citizens ADD COLUMN cpr TEXT", "table citizens differs from its migration"),
    ("DELETE FROM _sqlite_migrations WHERE name LIKE '0003%'", "not this version's, in order"),
    # Litestream's own tables are allowed (test below), not anything hung on them.
    (LITESTREAM + "; CREATE TRIGGER leak AFTER INSERT ON _litestream_seq BEGIN SELECT 1; END",
     "trigger leak is not from a migration"),
]


@pytest.mark.parametrize("sql, message", TAMPERING)
def test_restore_refuses_a_file_whose_schema_is_not_its_migrations(logged_in, runner, tmp_path, sql, message):
    logged_in.sync([new_citizen()])
    path = tmp_path / "tampered.sqlite"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    conn = sqlite3.connect(path)
    conn.executescript(sql)
    conn.close()
    before = logged_in.snapshot()
    result = runner.invoke(args=["restore", str(path), "--yes"])
    assert result.exit_code == 1, result.output
    assert "Not restored" in result.output and message in result.output
    assert logged_in.snapshot() == before
    assert rows(logged_in.app.config["DATABASE"], "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                                                   "AND name LIKE 'access_log_%'") == [(4,)]


# (Without 0003's record, start-up fails sooner: the migration runs again into its existing tables.)
@pytest.mark.parametrize("sql, message", [t for t in TAMPERING if "_sqlite_migrations" not in t[0]])
def test_the_app_does_not_start_on_a_database_whose_schema_is_not_its_migrations(app, tmp_path, monkeypatch, sql,
                                                                                   message):
    conn = sqlite3.connect(app.config["DATABASE"])
    conn.executescript(sql)
    conn.close()
    with pytest.raises(RuntimeError, match="not serving it: .*" + re.escape(message)):
        create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE": app.config["DATABASE"]})


def test_a_backup_with_litestreams_tables_restores(logged_in, runner, tmp_path):
    logged_in.sync([new_citizen()])
    path = tmp_path / "replicated.sqlite"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    conn = sqlite3.connect(path)
    conn.executescript(LITESTREAM)
    conn.close()
    result = runner.invoke(args=["restore", str(path), "--yes"])
    assert result.exit_code == 0, result.output
