"""A real Gadekontakt server in a child process, on a free loopback port.

Tests talk to it over HTTP as a phone would, and can stop, kill and restart
it on the same port (same origin, so the browser keeps its service worker).
"""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, instance_dir, port=None, **config):
        self.instance_dir = Path(instance_dir)
        self.port = port or free_port()
        self.config = config
        self.proc = None
        self.log = self.instance_dir / "server.log"

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, **config):
        self.config.update(config)
        env = dict(os.environ, GADEKONTAKT_INSTANCE=str(self.instance_dir), FLASK_DEBUG="0")
        env.update({f"GADEKONTAKT_{k}": str(v) for k, v in self.config.items()})
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "pwa", "run", "--host", "127.0.0.1",
             "--port", str(self.port), "--no-reload", "--without-threads" if config.get("single") else "--with-threads"],
            cwd=ROOT, env=env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/api/version", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not start in 20 s")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=10)
        self.proc = None

    def kill(self):
        self.stop(signal.SIGKILL)
