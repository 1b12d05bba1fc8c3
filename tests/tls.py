"""Debian's Caddy in front of a LiveServer, with Caddy's own internal CA, as deploy/ runs it.

The site's directives are imported from deploy/gadekontakt.caddy, so a test
through this proxy tests the configuration we ship; only what production
gets from Let's Encrypt (the certificate) comes from Caddy's local CA here.
Caddy runs with its admin API off, writes nothing outside its folder and
never touches the system's trust store.
"""
import os
import shutil
import ssl
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.live import ROOT, free_port, stop_process

CADDY = shutil.which("caddy") or "/usr/bin/caddy"


class Caddy:
    def __init__(self, folder, upstream_port):
        self.folder = Path(folder)
        self.upstream_port = upstream_port
        self.port = free_port()
        self.proc = None

    @property
    def url(self):
        return f"https://localhost:{self.port}"

    @property
    def root_cert(self):
        return self.folder / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"

    def start(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        conf = self.folder / "Caddyfile"
        conf.write_text(
            "{\n\tadmin off\n\tlocal_certs\n\tskip_install_trust\n"
            f"\thttp_port {free_port()}\n\thttps_port {self.port}\n}}\n\n"
            f"localhost:{self.port} {{\n\timport {ROOT / 'deploy' / 'gadekontakt.caddy'}\n}}\n")
        env = dict(os.environ, HOME=str(self.folder), XDG_DATA_HOME=str(self.folder / "data"),
                   XDG_CONFIG_HOME=str(self.folder / "config"),
                   GADEKONTAKT_UPSTREAM=f"127.0.0.1:{self.upstream_port}")
        log = (self.folder / "caddy.log").open("ab")
        self.proc = subprocess.Popen([CADDY, "run", "--config", str(conf), "--adapter", "caddyfile"],
                                     env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("caddy exited: " + self.logs())
            if self.root_cert.exists() and self._proxied():
                return self
            time.sleep(0.1)
        self.stop()  # the caller never gets this object to stop it
        raise RuntimeError("caddy did not serve TLS in 30 s: " + self.logs())

    def _proxied(self):
        """Ready means a request goes through TLS and reaches the app (a loaded
        machine may still be booting gunicorn's second worker)."""
        ctx = ssl.create_default_context(cafile=str(self.root_cert))
        try:
            with urllib.request.urlopen(self.url + "/api/version", timeout=5, context=ctx) as r:
                return r.status == 200
        except (OSError, ssl.SSLError):
            return False

    def logs(self):
        """The tail of Caddy's log, for a failing test's message."""
        return (self.folder / "caddy.log").read_text(errors="replace")[-3000:]

    def stop(self):
        stop_process(self.proc)
        self.proc = None
