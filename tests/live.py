"""A real Gadekontakt server in a child process, on a free loopback port.

Tests talk to it over HTTP as a phone would, and can stop, kill and restart
it on the same port (same origin, so the browser keeps its service worker).
The benchmarks (bench/) use it too: as a context manager in a throw-away
instance folder, optionally served by gunicorn as in production, with the
access log telling which requests reached the server.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Every instance folder a LiveServer served from in this process, so a test
# at the end of the run can read what all of them logged (test_server_logs.py).
STARTED = []


def wait_until(page, expression, arg=None, timeout=20.0):
    """Poll a JS expression (or a function of `arg`) in a Playwright page until
    it is truthy. Playwright's wait_for_function evaluates strings inside the
    page, which the app's CSP (script-src 'self') rightly forbids."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(expression, arg):
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {expression}")


def set_up_team(http, base, team="Team Nord", name="Anna Admin", username="anna",
                password="en lang nok adgangskode"):
    """The first team and its administrator through /setup, over HTTP with a
    Playwright request context (a browser context's `.request` shares its
    cookies, so the browser is logged in too). Returns /api/session."""
    page = http.get(base + "/setup").text()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    resp = http.post(base + "/setup", form={"csrf_token": token, "team_name": team, "name": name,
                                            "username": username, "password": password,
                                            "password_confirm": password})
    session = http.get(base + "/api/session").json()
    if not resp.ok or not session.get("user"):
        raise RuntimeError(f"team setup failed ({resp.status})")
    return session


def stop_process(proc, sig=signal.SIGTERM):
    """Signal a child and wait for it; SIGKILL if it has not gone in 10 s."""
    if proc and proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`flask --app pwa run` (Werkzeug) or gunicorn with gunicorn.conf.py.

    instance_dir: the instance folder (database, secret, server.log); a
    temporary one, removed on exit, when None. root: the folder holding the
    pwa package (to serve a patched copy). config: GADEKONTAKT_* settings.
    """

    def __init__(self, instance_dir=None, port=None, root=ROOT, kind="flask", migrate=False, access_log=True,
                 factory="pwa:create_app()", **config):
        self.temporary = instance_dir is None
        self.instance_dir = Path(instance_dir or tempfile.mkdtemp(prefix="gadekontakt-live-"))
        self.auto_port = port is None
        self.port = port or free_port()
        self.root = Path(root)
        self.kind = kind
        self.migrate = migrate
        # gunicorn only: off for load tests, where logging every request is work production need not do.
        self.access_log = access_log
        self.config = config
        # What to serve: the app, or a bench's wrapper of it (bench/floor.py).
        self.factory = factory
        self.proc = None
        self.log = self.instance_dir / "server.log"

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def _env(self):
        env = dict(os.environ, GADEKONTAKT_INSTANCE=str(self.instance_dir), FLASK_DEBUG="0")
        env.update({f"GADEKONTAKT_{k}": str(v) for k, v in self.config.items()})
        return env

    def _command(self, single):
        if self.kind == "gunicorn":
            # Keeps connections alive, unlike Werkzeug's development server
            # (which sends "Connection: close" on every response).
            conf = self.root / "gunicorn.conf.py"
            return [sys.executable, "-m", "gunicorn",
                    *(["-c", str(conf)] if conf.exists() else ["--worker-class", "gthread", "--threads", "4"]),
                    "--bind", f"127.0.0.1:{self.port}",
                    *(["--access-logfile", "-", "--access-logformat", '%(h)s - - %(t)s "%(r)s" %(s)s %(b)s']
                      if self.access_log else []),
                    self.factory]
        return [sys.executable, "-m", "flask", "--app", self.factory, "run", "--host", "127.0.0.1",
                "--port", str(self.port), "--no-reload", "--without-threads" if single else "--with-threads"]

    def start(self, **config):
        self.config.update(config)
        env = self._env()
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        self.log.touch()
        if self.instance_dir not in STARTED:
            STARTED.append(self.instance_dir)
        if self.migrate:
            # As `make run` does: bring the instance's database up to date first.
            done = subprocess.run([sys.executable, "-m", "flask", "--app", "pwa", "migrate"], cwd=self.root,
                                  env=env, capture_output=True, text=True, timeout=120)
            if done.returncode != 0 and "No such command" not in done.stderr:
                raise RuntimeError("flask migrate failed:\n" + done.stderr[-2000:])
        for attempt in range(3):
            if self._launch(config.get("single")):
                return self
            # Another process (a parallel test run) took the free port first.
            self.stop(signal.SIGKILL)
            if not self.auto_port or attempt == 2:
                break
            self.port = free_port()
        raise RuntimeError(f"server could not listen on port {self.port}: {self.log.read_text()[-2000:]}")

    def _launch(self, single):
        """Start the server; False if its port was taken. Ready means our own
        process says it listens (not just anything answering on the port)."""
        offset = self.log.stat().st_size if self.log.exists() else 0
        self.proc = subprocess.Popen(
            self._command(single), cwd=self.root, env=self._env(),
            stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        listening = (f"Running on http://127.0.0.1:{self.port}", f"Listening at: http://127.0.0.1:{self.port}")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with self.log.open("rb") as f:
                f.seek(offset)
                text = f.read().decode(errors="replace")
            if "Address already in use" in text or "Connection in use" in text:
                return False
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {text[-2000:]}")
            if any(line in text for line in listening):
                try:
                    with urllib.request.urlopen(self.url + "/api/version", timeout=1) as r:
                        if r.status == 200:
                            return True
                except OSError:
                    pass
            time.sleep(0.05)
        raise RuntimeError("server did not start in 30 s")

    def stop(self, sig=signal.SIGTERM):
        stop_process(self.proc, sig)
        self.proc = None

    def kill(self):
        self.stop(signal.SIGKILL)

    def requests(self):
        """Every request line the server logged so far: [(method, path), ...]."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return re.findall(r'"([A-Z]+) (\S+) HTTP/[\d.]+"', text)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.__exit__()
            raise

    def __exit__(self, *exc):
        self.stop()
        if self.temporary:
            shutil.rmtree(self.instance_dir, ignore_errors=True)
