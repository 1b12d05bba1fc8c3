"""Losing the machine: Litestream's replica brings back every record acknowledged before the replication interval.

Two phones upload steadily; the server and Litestream are killed with SIGKILL
(the machine is gone) and the database file with its WAL deleted. Restored
with `litestream restore` from the file replica, configured by the same
deploy/litestream.yml production uses, every record whose upload was
acknowledged more than the replication interval before the kill is there
exactly once, and the phones' next uploads of what they still hold are
answered "duplicate", not stored twice.
"""
import http.cookiejar
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from tests.live import ROOT, LiveServer

LITESTREAM = Path(sys.executable).parent / "litestream"
CONFIG = ROOT / "deploy" / "litestream.yml"


def _seconds(key):
    value, unit = re.search(rf"^\s*{key}: (\d+)(ms|s)$", CONFIG.read_text(), re.M).groups()
    return int(value) / (1000 if unit == "ms" else 1)


# The replication interval, from deploy/litestream.yml: Litestream notices a
# commit in the WAL within monitor-interval and ships it within
# sync-interval. Their sum is the recovery point docs/operations.md states.
INTERVAL = _seconds("monitor-interval") + _seconds("sync-interval")
PASSWORD = "en lang nok adgangskode"


class Phone:
    """A logged-in phone speaking the sync API over HTTP, with its own cookies."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.acked = {}      # record id -> monotonic time its "stored" answer arrived
        self.unacked = []    # records sent without an answer (the kill came first)

    def form(self, path, **fields):
        page = self.opener.open(self.base + path, timeout=10).read().decode()
        fields["csrf_token"] = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        return self.opener.open(self.base + path, urllib.parse.urlencode(fields).encode(), timeout=10)

    def token(self):
        with self.opener.open(self.base + "/api/session", timeout=10) as r:
            self.csrf = json.load(r)["csrf_token"]

    def sync(self, records):
        req = urllib.request.Request(self.base + "/api/sync", json.dumps({"records": records}).encode(),
                                     {"Content-Type": "application/json", "X-CSRFToken": self.csrf})
        with self.opener.open(req, timeout=10) as r:
            return json.load(r)["results"]


def citizen():
    return {"kind": "citizen", "id": str(uuid.uuid4()), "alias": "K", "description": "", "places": ""}


def steady_load(phones, stop):
    """Each phone uploads a batch of 5 in turn, as fast as answers come, until stopped or refused."""
    n = 0
    while not stop.is_set():
        phone = phones[n % len(phones)]
        n += 1
        batch = [citizen() for _ in range(5)]
        try:
            results = phone.sync(batch)
        except (OSError, urllib.error.URLError):
            phone.unacked += batch  # killed mid-request: the phone keeps them in its outbox
            return
        now = time.monotonic()
        assert [r["status"] for r in results] == ["stored"] * 5
        phone.acked.update((r["id"], now) for r in results)
        time.sleep(0.02)


def litestream(command, *args, env, log):
    # Go's flag parsing: options before the database path.
    return subprocess.Popen([str(LITESTREAM), command, "-config", str(CONFIG), *args], env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


def test_kill_and_restore_keeps_every_record_acknowledged_before_the_interval(tmp_path):
    instance = tmp_path / "instance"
    db_path = instance / "gadekontakt.sqlite"
    env = dict(os.environ, GADEKONTAKT_DATABASE=str(db_path),
               LITESTREAM_REPLICA_URL=(tmp_path / "replica").as_uri())
    server = LiveServer(instance)
    replicate = None
    try:
        server.start()
        replicate = litestream("replicate", env=env, log=tmp_path / "replicate.log")
        phones = [Phone(server.url), Phone(server.url)]
        phones[0].form("/setup", team_name="T", name="Anna", username="anna", password=PASSWORD,
                       password_confirm=PASSWORD)
        phones[1].form("/login", username="anna", password=PASSWORD)
        for p in phones:
            p.token()
        time.sleep(2 * INTERVAL)  # the sessions themselves are on the replica before the load starts

        stop = threading.Event()
        loader = threading.Thread(target=steady_load, args=(phones, stop))
        loader.start()
        time.sleep(4)
        # The machine is gone: server and replication die at once, mid-load.
        server.kill()
        replicate.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        stop.set()
        loader.join(timeout=20)
        replicate.wait(timeout=10)
        for suffix in ("", "-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)

        started = time.monotonic()
        restore = litestream("restore", str(db_path), env=env, log=tmp_path / "restore.log")
        assert restore.wait(timeout=120) == 0, (tmp_path / "restore.log").read_text()
        restore_seconds = time.monotonic() - started

        acked = {rid: at for p in phones for rid, at in p.acked.items()}
        assert len(acked) > 50, "the load ran"
        must_have = {rid for rid, at in acked.items() if at < killed_at - INTERVAL}
        assert len(must_have) > 25
        conn = sqlite3.connect(db_path)
        try:
            present = [r[0] for r in conn.execute("SELECT id FROM citizens")]
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        finally:
            conn.close()
        assert len(present) == len(set(present))
        missing = must_have - set(present)
        assert not missing, f"{len(missing)} of {len(must_have)} records acknowledged > {INTERVAL} s before the kill are gone"
        # For docs/operations.md (pytest -s): what the recovery point and time looked like.
        print(f"\nrestore {restore_seconds:.2f} s; {len(acked)} acknowledged, {len(must_have)} of them > {INTERVAL} s "
              f"before the kill, all there; {len(set(acked) - set(present))} of the last {INTERVAL} s lost; "
              f"oldest lost acknowledged {max([killed_at - acked[r] for r in set(acked) - set(present)] or [0]):.2f} s before")

        # The server comes back on the restored file; each phone sends again
        # what it still holds, and, as if every acknowledgement had been lost,
        # what it was told was stored.
        server.start()
        for p in phones:
            p.token()
            resend = [citizen() | {"id": rid} for rid in p.acked] + p.unacked
            answers = {r["id"]: r["status"] for i in range(0, len(resend), 100)
                       for r in p.sync(resend[i:i + 100])}
            assert all(answers[rid] == "duplicate" for rid in p.acked if rid in must_have)
            assert all(answers[rid] == ("duplicate" if rid in present else "stored") for rid in answers)
        conn = sqlite3.connect(db_path)
        try:
            ids = [r[0] for r in conn.execute("SELECT id FROM citizens")]
        finally:
            conn.close()
        sent = {rid for p in phones for rid in list(p.acked) + [r["id"] for r in p.unacked]}
        assert sorted(ids) == sorted(sent), "every record once, none twice"
    finally:
        server.stop()
        if replicate and replicate.poll() is None:
            replicate.kill()
            replicate.wait()
