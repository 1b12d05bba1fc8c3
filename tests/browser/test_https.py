"""Production's shape end to end: Chromium → Caddy (TLS, deploy/gadekontakt.caddy) → gunicorn.

Caddy uses its internal CA here where production has Let's Encrypt. Chromium
trusts that CA through an NSS database in the test's own HOME, so nothing
else trusts it, and Chromium sees a valid certificate: it would refuse to
register the service worker on a certificate error, and the offline path is
what this test is about.
"""
import http.cookiejar
import re
import sqlite3
import ssl
import subprocess
import urllib.parse
import urllib.request

import pytest

from tests.browser.helpers import (ARGS, CHROMIUM, open_log, save_contact, set_up_team_by_form,
                                   wait_for_offline_ready, wait_outbox_len)
from tests.live import LiveServer, wait_until
from tests.tls import Caddy

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture
def stack(tmp_path):
    server = LiveServer(tmp_path / "server", kind="gunicorn", HTTPS="true", TRUSTED_PROXIES=1)
    caddy = None
    try:
        server.start()
        caddy = Caddy(tmp_path / "caddy", server.port).start()
        yield server, caddy
    finally:
        if caddy:
            caddy.stop()
        server.stop()


@pytest.fixture
def trusting_browser(pw, stack, tmp_path):
    """Chromium whose HOME holds an NSS database trusting the test's CA, and nothing else does."""
    _, caddy = stack
    home = tmp_path / "home"
    nss = home / ".pki" / "nssdb"
    nss.mkdir(parents=True)
    subprocess.run(["certutil", "-d", f"sql:{nss}", "-N", "--empty-password"], check=True)
    subprocess.run(["certutil", "-d", f"sql:{nss}", "-A", "-t", "C,,", "-n", "gadekontakt-test-ca",
                    "-i", str(caddy.root_cert)], check=True)
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, env={"HOME": str(home), "PATH": "/usr/bin:/bin"})
    yield browser
    browser.close()


def rows(server, sql):
    conn = sqlite3.connect(server.instance_dir / "gadekontakt.sqlite")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_over_https_through_caddy_a_contact_saved_offline_arrives_once(stack, trusting_browser):
    server, caddy = stack
    base = caddy.url
    ctx = trusting_browser.new_context(viewport={"width": 360, "height": 740}, locale="da-DK")
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    try:
        first = page.goto(base + "/")
    except Exception as e:
        raise AssertionError(f"{e}\ncaddy: {caddy.logs()}\nserver: {server.log.read_text()[-3000:]}") from e
    assert first.status == 200, f"{first.status}\ncaddy: {caddy.logs()}\nserver: {server.log.read_text()[-3000:]}"
    assert first.headers["strict-transport-security"].startswith("max-age=31536000")
    assert UUID.match(first.headers["x-request-id"]), "Caddy's request id reaches the app and comes back"

    set_up_team_by_form(page, base)
    cookies = {c["name"]: c for c in ctx.cookies()}
    assert list(cookies) == ["__Host-session"]
    session = cookies["__Host-session"]
    assert session["secure"] and session["httpOnly"] and session["path"] == "/"

    # The service worker registers over HTTPS and takes control of the page.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    open_log(page, base)
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        open_log(page, base)
    wait_for_offline_ready(page)

    ctx.set_offline(True)
    open_log(page, base)
    save_contact(page, "Havnens Hans", new=True, items=["forvirring"], stage="action", note="Talte om boligen")
    wait_outbox_len(page, 2)
    entries = page.evaluate("self.gk.outbox.list()")
    ids = {e["kind"]: e["id"] for e in entries}
    assert rows(server, "SELECT count(*) FROM encounters") == [(0,)]

    ctx.set_offline(False)
    wait_outbox_len(page, 0)
    wait_until(page, "self.gk.outbox.list().then(l => l.length === 0)")
    assert rows(server, "SELECT id, alias FROM citizens") == [(ids["citizen"], "Havnens Hans")]
    assert rows(server, "SELECT id, citizen_id, note, stage FROM encounters") == [
        (ids["encounter"], ids["citizen"], "Talte om boligen", "action")]
    assert errors == []
    ctx.close()

    log = server.log.read_text()
    assert first.headers["x-request-id"] in log
    assert "Havnens Hans" not in log and "Talte om boligen" not in log


def test_behind_caddy_the_app_sees_the_clients_address_and_https_not_what_a_client_claims(stack):
    server, caddy = stack
    tls = ssl.create_default_context(cafile=str(caddy.root_cert))  # the test CA, for this client only
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=tls),
                                         urllib.request.HTTPCookieProcessor(jar))
    setup = opener.open(caddy.url + "/setup").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', setup).group(1)
    form = {"csrf_token": token, "team_name": "T", "name": "N", "username": "anna",
            "password": "en lang nok adgangskode", "password_confirm": "en lang nok adgangskode"}

    def post(path, data, **headers):
        req = urllib.request.Request(caddy.url + path, urllib.parse.urlencode(data).encode(), headers=headers)
        try:
            return opener.open(req).status
        except urllib.error.HTTPError as e:
            return e.code

    # HTTPS is detected from Caddy's X-Forwarded-Proto: Flask-WTF's referrer
    # check, which runs on HTTPS only, refuses a form without a Referer.
    assert post("/setup", form) == 400
    assert post("/setup", form, Referer=caddy.url + "/setup") == 200  # redirected to /team and followed
    # A client's own X-Forwarded-For is replaced by Caddy; the app counts the address Caddy saw.
    login = opener.open(caddy.url + "/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    assert post("/login", {"csrf_token": token, "username": "anna", "password": "forkert forkert"},
                Referer=caddy.url + "/login", **{"X-Forwarded-For": "203.0.113.66"}) == 401
    assert rows(server, "SELECT key FROM login_failures WHERE key LIKE 'addr:%'") == [("addr:127.0.0.1",)]
