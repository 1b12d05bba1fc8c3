"""What the tests share besides fixtures: a worker's actions through the real
forms and API, sample records, and the OpenAPI check of an answer.

Test modules import these from here, never from one another or from
conftest.py (which pytest loads itself and only holds fixtures). Browser
tests keep theirs under tests/browser/.
"""
import base64
import json
import os
import re
import threading
import uuid
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from pwa import sealing
from pwa.api import OPENAPI
from pwa.auth import create_team
from pwa.db import connect

PASSWORD = "en lang nok adgangskode"


def csrf_from(html):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


class Actions:
    """What a worker does: set up, log in, upload. Real forms, real CSRF tokens."""

    def __init__(self, app, client):
        self.app, self.client = app, client

    def db(self):
        return connect(self.app.config["DATABASE"])

    def setup(self, team="Team Nord", name="Anna Admin", username="anna", password=PASSWORD):
        token = csrf_from(self.client.get("/setup").get_data(as_text=True))
        return self.client.post("/setup", data={"csrf_token": token, "team_name": team, "name": name,
                                                "username": username, "password": password,
                                                "password_confirm": password})

    def login(self, username="anna", password=PASSWORD, client=None):
        client = client or self.client
        token = csrf_from(client.get("/login").get_data(as_text=True))
        return client.post("/login", data={"csrf_token": token, "username": username, "password": password})

    def logout(self):
        token = csrf_from(self.client.get("/team").get_data(as_text=True))
        return self.client.post("/logout", data={"csrf_token": token})

    def phone(self, username, device):
        """A phone of its own (a new cookie jar) logged in through the real form, sending its device id."""
        client = self.app.test_client()
        token = csrf_from(client.get("/login").get_data(as_text=True))
        resp = client.post("/login", data={"csrf_token": token, "username": username, "password": PASSWORD,
                                           "device_id": device})
        assert resp.status_code == 302, resp.status_code
        return client

    def mark_lost(self, device):
        """The administrator reports a phone lost on /team."""
        token = csrf_from(self.client.get("/team").get_data(as_text=True))
        return self.client.post(f"/team/devices/{device}/lost", data={"csrf_token": token})

    def add_worker(self, name="Bo", username="bo", password=PASSWORD, admin=False):
        token = csrf_from(self.client.get("/team").get_data(as_text=True))
        data = {"csrf_token": token, "name": name, "username": username, "password": password}
        if admin:
            data["is_admin"] = "y"
        return self.client.post("/team/workers", data=data)

    def other_team(self, username="ole"):
        """A second team with its own administrator, made the way an operator would (CLI logic)."""
        db = self.db()
        try:
            with self.app.app_context():  # the write lock finds the database through the app
                return create_team(db, "Team Syd", "Ole Syd", username, PASSWORD)
        finally:
            db.conn.close()

    def session(self, client=None):
        return (client or self.client).get("/api/session").json

    def sync(self, records, client=None, token=None):
        client = client or self.client
        token = token or self.session(client)["csrf_token"]
        return client.post("/api/sync", json={"records": records}, headers={"X-CSRFToken": token})

    def count(self, table):
        db = self.db()
        try:
            return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        finally:
            db.conn.close()

    def snapshot(self):
        db = self.db()
        try:
            return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
                    for t in ("teams", "users", "citizens", "encounters", "places")}
        finally:
            db.conn.close()


def backdated_log_rows(conn, rows):
    """Insert access-log rows dated in the past; return their ids.

    The database refuses that (migration 0012: a row is stamped when it is
    written), so this does what only a shell on the server could: lifts the
    guard, inserts, and puts the very same trigger back, in one transaction.
    `conn` is a sqlite3 connection; each row is a dict of columns, `at` included.
    """
    guard = "access_log_stamped_now"
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", [guard]).fetchone()[0]
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(f"DROP TRIGGER {guard}")
        ids = [conn.execute(f"INSERT INTO access_log ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                            list(row.values())).lastrowid for row in rows]
        conn.execute(sql)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return ids


def seal_as_phone(session, record):
    """Seal a record as the phone logged in with this /api/session answer does (seal.js): to the
    server's key, bound to the session's team and the phone's device id."""
    return sealing.seal(record, session["seal_key"], team=session["team"]["id"], device=session["device"]["id"])


def new_citizen(**overrides):
    rec = {"kind": "citizen", "id": str(uuid.uuid4()), "alias": "Kasper K.", "description": "Rød jakke, hund",
           "places": "Banegårdsparken"}
    rec.update(overrides)
    return rec


def new_encounter(worker_ids, citizen_id=None, **overrides):
    rec = {"kind": "encounter", "id": str(uuid.uuid4()), "citizen_id": citizen_id,
           "occurred_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
           "place": "Banegårdsparken", "worker_ids": worker_ids,
           "bvc": {"forvirring": 1, "irritabilitet": 1, "stoejende_adfaerd": 0, "fysiske_trusler": 0,
                   "verbale_trusler": 0, "angreb_paa_ting": 0},
           "stage": "contemplation", "techniques": ["aabne_spoergsmaal", "spejling"],
           "note": "Kort snak om at komme til lægen.", "followup_step": "Følge til lægen",
           "followup_date": "2026-12-01"}
    rec.update(overrides)
    return rec


# --- answers held to openapi.json -------------------------------------------

REGISTRY = Registry().with_resource("urn:openapi", Resource.from_contents(OPENAPI, default_specification=DRAFT202012))


def schema_for(path, method, status):
    # Point into the document itself, so the schema's own $refs resolve.
    escaped = path.replace("~", "~0").replace("/", "~1")
    return {"$ref": f"urn:openapi#/paths/{escaped}/{method}/responses/{status}/content/application~1json/schema"}


def assert_matches_spec(resp, path, method="get"):
    assert str(resp.status_code) in OPENAPI["paths"][path][method]["responses"], resp.status_code
    schema = schema_for(path, method, resp.status_code)
    Draft202012Validator(schema, registry=REGISTRY).validate(resp.json)


# --- the CPR rule: one list of cases for the server and the phone ------------------
# Every way a person might type a CPR number (issue 12, item 10), and ordinary
# text that must pass. tests/test_rules.py holds rules.py to them, and
# tests/browser/test_rules_js.py holds static/js/rules.js to the same list.

LOOKS_LIKE_CPR = [
    "0101901234", "010190-1234", "010190 1234",                   # refused before issue 12 too
    "01.01.90-1234", "01/01/90-1234", "01-01-90-1234", "01 01 90 1234", "01.01.1990-1234",
    "010190\u20131234",          # en dash
    "010190 \u2014 1234",        # em dash between spaces
    "010190\u22121234",          # minus sign
    "010190\u20111234",          # non-breaking hyphen
    "010190\u00a01234",          # no-break space
    "010190\u202f1234",          # narrow no-break space
    "010190\u200b1234",          # zero-width space
    "0101\u200b90-1234",         # zero-width space inside the date
    "010190\u00ad-1234",         # soft hyphen
    "010190  1234",              # double space
    "010190\t1234",
    "\uff10\uff11\uff10\uff11\uff19\uff10-\uff11\uff12\uff13\uff14",  # full-width digits
    "Født 01.01.90-1234, bor på gaden",
    "cpr:010190-1234.", "01-01-901234",
    "Mødt 12.05.24 1030",        # a date and four digits look like one; write "kl. 10.30"
]

NOT_CPR = [
    "", "Kasper K.", "Født i firserne", "kl. 12.44", "Mødt kl. 12.44 ved Banegården",
    "12.05.2024 kl. 10.30", "2024-05-12T10:30", "2024-05-12 1030", "01.01.90", "010190",
    "tlf. 12 34 56 78", "+45 12 34 56 78", "+45 12345678", "+45 1234 5678", "12345678",
    "Nørregade 12, 2. th., 2100 København Ø", "1.000.000 kr.", "3 øl og 2 smøger",
    "12345-6789", "123-456-7890", "1234-567890",
]


# --- Web Push -------------------------------------------------------------------------------

def b64e(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64d(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PushService:
    """What FCM or Mozilla's autopush would be: records each POST, answers `status[path]` (default 201)."""

    def __init__(self):
        self.requests, self.status = [], {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}    # HTTP names are case-blind
                outer.requests.append({"path": self.path, "headers": headers, "body": body})
                self.send_response(outer.status.get(self.path, 201))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def to(self, path):
        return [r for r in self.requests if r["path"] == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class PushKeys:
    """A browser's side of a subscription: its key pair and auth secret, as pushManager.subscribe makes them."""

    def __init__(self, service, name):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.path = f"/push/{name}"
        point = self.key.public_key().public_bytes(serialization.Encoding.X962,
                                                   serialization.PublicFormat.UncompressedPoint)
        self.subscription = {"endpoint": service.base + self.path, "expirationTime": None,
                             "keys": {"p256dh": b64e(point), "auth": b64e(self.auth)}}

    def decrypt(self, request):
        assert request["headers"]["content-encoding"] == "aes128gcm"
        return json.loads(http_ece.decrypt(request["body"], private_key=self.key, auth_secret=self.auth,
                                           version="aes128gcm"))

# --- timers, pushes and alerts through the real API (tests/test_push.py, test_alerts.py, test_alert_push.py)

def iso(moment):
    """A moment as the phone writes it: UTC, milliseconds, Z."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def start_timer(actions, client, minutes_ago, minutes=15, **extra):
    """A timer started `minutes_ago` for `minutes`: overdue when minutes_ago > minutes."""
    timer_id = str(uuid.uuid4())
    at = datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)
    ev = dict({"id": str(uuid.uuid4()), "timer_id": timer_id, "type": "start", "at": iso(at), "minutes": minutes,
               "place": "Opgang, Nørregade 12", "band": "high"}, **extra)
    token = actions.session(client)["csrf_token"]
    resp = client.post("/api/timers/events", json={"events": [ev]}, headers={"X-CSRFToken": token})
    assert resp.json["results"][0]["status"] == "stored", resp.json
    return timer_id


def subscribe(actions, client, body):
    """A phone's push subscription sent as push-setup.js does, held to the OpenAPI spec."""
    token = actions.session(client)["csrf_token"]
    resp = client.post("/api/push/subscriptions", json=body, headers={"X-CSRFToken": token})
    assert_matches_spec(resp, "/api/push/subscriptions", "post")
    return resp


def rows(actions, sql, args=()):
    """Rows of a query on the test database, as tuples."""
    db = actions.db()
    try:
        return [tuple(r) for r in db.execute(sql, args).fetchall()]
    finally:
        db.conn.close()


def notify(runner):
    """cron's minute: `flask notify-overdue`, which must succeed."""
    result = runner.invoke(args=["notify-overdue"])
    assert result.exit_code == 0, result.output
    return result.output


def post_alerts(actions, items, client=None):
    """Help and duress alerts sent as timer-sync.js does, held to the OpenAPI spec."""
    client = client or actions.client
    token = actions.session(client)["csrf_token"]
    resp = client.post("/api/alerts", json={"alerts": items}, headers={"X-CSRFToken": token})
    assert_matches_spec(resp, "/api/alerts", "post")
    return resp


def phone_alert(kind="help", **extra):
    """A help or duress alert as the phone queues it: raised a minute ago, at the timer's place."""
    now = datetime.now(timezone.utc)
    return dict({"id": str(uuid.uuid4()), "kind": kind, "at": iso(now - timedelta(minutes=1)),
                 "place": "Banegårdsparken", "place_at": iso(now - timedelta(minutes=30))}, **extra)
