"""Web Push on the server: a missed check-in reaches the worker's and the partner's phones.

A local HTTP server plays the push service: it takes the requests pywebpush
makes, and the test decrypts each body with the subscription's own private
key and auth secret (RFC 8291, aes128gcm) and checks the VAPID signature
(RFC 8292) with the server's public key from /api/push/key. Subscriptions go
through the real API with CSRF; timers through /api/timers/events;
`flask notify-overdue` is cron's command.
"""
import json
import stat
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tests.helpers import (PushKeys, assert_matches_spec, b64d, b64e, iso, notify, rows, start_timer,
                           subscribe)


def checkin(actions, client, timer_id):
    token = actions.session(client)["csrf_token"]
    ev = {"id": str(uuid.uuid4()), "timer_id": timer_id, "type": "checkin", "at": iso(datetime.now(timezone.utc))}
    assert client.post("/api/timers/events", json={"events": [ev]},
                       headers={"X-CSRFToken": token}).json["results"][0]["status"] == "stored"


@pytest.fixture
def team(logged_in):
    """Anna (admin, logged_in.client) and Bo, each on a phone of their own."""
    assert logged_in.add_worker().status_code == 302
    bo = logged_in.phone("bo", str(uuid.uuid4()))
    ids = dict(rows(logged_in, "SELECT username, id FROM users"))
    return logged_in, bo, ids


def verify_vapid(header, key_b64, audience):
    """`vapid t=<JWT>, k=<key>`: the JWT is ES256-signed by the server's key, for the push service's origin."""
    assert header.startswith("vapid ")
    parts = dict(p.strip().split("=", 1) for p in header[len("vapid "):].split(","))
    assert parts["k"] == key_b64
    head, claims, sig = parts["t"].split(".")
    point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(key_b64))
    raw = b64d(sig)
    point.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
                 f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))   # raises if forged
    assert json.loads(b64d(head))["alg"] == "ES256"
    body = json.loads(b64d(claims))
    assert body["aud"] == audience and body["exp"] > time.time() and body["sub"].startswith("mailto:")
    return body


# --- the key ---------------------------------------------------------------------------

def test_the_key_is_made_once_kept_0600_and_served_as_an_application_server_key(app, client):
    path = Path(app.instance_path) / "keys" / "vapid.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    resp = client.get("/api/push/key")
    assert_matches_spec(resp, "/api/push/key", "get")
    raw = b64d(resp.json["key"])
    assert len(raw) == 65 and raw[0] == 4          # an uncompressed P-256 point
    before = path.read_bytes()
    from pwa import create_app
    create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE": app.config["DATABASE"]})
    assert path.read_bytes() == before               # a restart keeps it: subscriptions stay valid


# --- the push ---------------------------------------------------------------------------

def test_a_due_timer_is_pushed_encrypted_and_signed_to_the_worker_and_the_partner(team, push_service, runner, client):
    actions, bo, ids = team
    anna_phone, bo_phone = PushKeys(push_service, "anna"), PushKeys(push_service, "bo")
    assert subscribe(actions, actions.client, anna_phone.subscription).status_code == 201
    assert subscribe(actions, bo, bo_phone.subscription).status_code == 201
    timer_id = start_timer(actions, actions.client, 20, partner_user_id=ids["bo"])
    start_timer(actions, actions.client, 5)                              # not due yet: not pushed

    assert "Pushed 1 alert(s): 2 sent" in notify(runner)
    [to_anna], [to_bo] = push_service.to(anna_phone.path), push_service.to(bo_phone.path)
    assert anna_phone.decrypt(to_anna) == {"type": "overdue", "title": "Tjek ind er overskredet",
                                           "timer": timer_id, "partner": False}
    assert bo_phone.decrypt(to_bo) == {"type": "overdue", "title": "Tjek ind er overskredet",
                                       "timer": timer_id, "partner": True}
    key = client.get("/api/push/key").json["key"]
    for request in (to_anna, to_bo):
        verify_vapid(request["headers"]["authorization"], key, push_service.base)
        assert int(request["headers"]["ttl"]) >= 600 and request["headers"]["urgency"] == "high"
    # Least data: no name, place or band anywhere in what goes to the push service, even encrypted.
    for text in ("Nørregade", "Anna", "high", "Bo"):
        assert text not in json.dumps(anna_phone.decrypt(to_anna)) and text.encode() not in to_anna["body"]
    # Bo's phone cannot read what was sent to Anna's.
    with pytest.raises(Exception):
        bo_phone.decrypt(to_anna)


def test_once_per_due_time_and_again_after_a_checkin_is_missed_again(team, push_service, runner, app):
    actions, bo, ids = team
    phone = PushKeys(push_service, "anna")
    subscribe(actions, actions.client, phone.subscription)
    timer_id = start_timer(actions, actions.client, 20)
    notify(runner)
    notify(runner)
    assert len(push_service.to(phone.path)) == 1
    checkin(actions, actions.client, timer_id)         # a new due time, 15 minutes from now
    notify(runner)
    assert len(push_service.to(phone.path)) == 1
    db = actions.db()
    with db.conn:   # the check-in is missed too: move the clock by moving the due time back
        db.execute("UPDATE checkin_timers SET due_at = ? WHERE id = ?",
                   [iso(datetime.now(timezone.utc) - timedelta(minutes=1)), timer_id])
    db.conn.close()
    notify(runner)
    assert len(push_service.to(phone.path)) == 2
    # Each missed due time is its own alert, pushed once.
    assert rows(actions, "SELECT count(*) FROM alerts WHERE timer_id = ? AND pushed_at IS NOT NULL",
                [timer_id]) == [(2,)]


def test_a_subscription_the_push_service_says_is_gone_is_deleted(team, push_service, runner):
    actions, bo, ids = team
    gone, alive = PushKeys(push_service, "old"), PushKeys(push_service, "bo")
    subscribe(actions, actions.client, gone.subscription)
    subscribe(actions, bo, alive.subscription)
    push_service.status[gone.path] = 410
    start_timer(actions, actions.client, 20, partner_user_id=ids["bo"])
    assert "1 sent, 1 gone, 0 failed" in notify(runner)
    assert rows(actions, "SELECT user_id FROM push_subscriptions") == [(ids["bo"],)]


def test_an_unreachable_push_service_is_tried_again_next_minute(team, push_service, runner):
    actions, _, _ = team
    phone = PushKeys(push_service, "anna")
    subscribe(actions, actions.client, phone.subscription)
    push_service.status[phone.path] = 503
    start_timer(actions, actions.client, 20)
    assert "0 sent, 0 gone, 1 failed" in notify(runner)
    push_service.status[phone.path] = 201
    assert "1 sent" in notify(runner)
    assert len(push_service.to(phone.path)) == 2
    assert rows(actions, "SELECT count(*) FROM push_subscriptions") == [(1,)]   # a failure is not "gone"


def test_another_team_is_never_pushed_and_never_named_as_partner(team, push_service, runner, app):
    actions, bo, ids = team
    actions.other_team("ole")
    ole = actions.phone("ole", str(uuid.uuid4()))
    ole_phone = PushKeys(push_service, "ole")
    subscribe(actions, ole, ole_phone.subscription)
    ole_id = rows(actions, "SELECT id FROM users WHERE username = 'ole'")[0][0]
    start_timer(actions, actions.client, 20, partner_user_id=ole_id)     # Anna names Ole: dropped
    assert rows(actions, "SELECT partner_user_id FROM checkin_events WHERE type = 'start'") == [(None,)]
    db = actions.db()
    with db.conn:   # even if a partner from another team were in the row, the push stays in the team
        db.execute("UPDATE checkin_events SET partner_user_id = ?", [ole_id])
    db.conn.close()
    notify(runner)
    assert push_service.to(ole_phone.path) == []


def test_logout_a_lost_phone_and_another_worker_on_the_phone_end_its_pushes(team, push_service, runner):
    actions, bo, ids = team
    subscribe(actions, bo, PushKeys(push_service, "bo").subscription)
    bo_device = rows(actions, "SELECT device_id FROM push_subscriptions")[0][0]
    token = actions.session(bo)["csrf_token"]
    assert bo.post("/logout", data={"csrf_token": token}).status_code == 302
    assert rows(actions, "SELECT * FROM push_subscriptions") == []

    bo = actions.phone("bo", bo_device)
    subscribe(actions, bo, PushKeys(push_service, "bo2").subscription)
    assert actions.mark_lost(rows(actions, "SELECT device_id FROM push_subscriptions")[0][0]).status_code == 302
    assert rows(actions, "SELECT * FROM push_subscriptions") == []

    device = str(uuid.uuid4())
    bo = actions.phone("bo", device)
    subscribe(actions, bo, PushKeys(push_service, "bo3").subscription)
    actions.phone("anna", device)          # Anna logs in on Bo's phone: his subscription goes
    assert rows(actions, "SELECT * FROM push_subscriptions") == []


def test_a_phone_subscribing_again_replaces_its_subscription_and_delete_removes_it(team, push_service):
    actions, _, _ = team
    first, second = PushKeys(push_service, "a"), PushKeys(push_service, "b")
    subscribe(actions, actions.client, first.subscription)
    subscribe(actions, actions.client, second.subscription)
    assert rows(actions, "SELECT endpoint FROM push_subscriptions") == [(second.subscription["endpoint"],)]
    token = actions.session()["csrf_token"]
    resp = actions.client.delete("/api/push/subscriptions", headers={"X-CSRFToken": token})
    assert_matches_spec(resp, "/api/push/subscriptions", "delete")
    assert resp.json["status"] == "deleted" and rows(actions, "SELECT * FROM push_subscriptions") == []


# --- bad input -----------------------------------------------------------------------------

def good(service=None):
    return PushKeys(service or type("Service", (), {"base": "https://fcm.googleapis.com/fcm/send"})(), "x").subscription


def changed(path, value):
    body = good()
    where = body
    for key in path[:-1]:
        where = where[key]
    if value is KeyError:
        del where[path[-1]]
    else:
        where[path[-1]] = value
    return body


@pytest.mark.parametrize("body, field", [
    (changed(["endpoint"], "http://fcm.googleapis.com/x"), "endpoint"),
    (changed(["endpoint"], "ftp://fcm.googleapis.com/x"), "endpoint"),
    (changed(["endpoint"], "https://"), "endpoint"),
    (changed(["endpoint"], "https://fcm.googleapis.com/" + "x" * 1000), "endpoint"),
    (changed(["endpoint"], "https://fcm.googleapis.com/a b"), "endpoint"),
    (changed(["endpoint"], "https://intranet.kommune.dk/admin"), "endpoint"),     # the server would POST there
    (changed(["endpoint"], "https://fcm.googleapis.com.evil.example/x"), "endpoint"),
    (changed(["endpoint"], "https://evilfcm.googleapis.com.example/x"), "endpoint"),
    (changed(["endpoint"], 7), "endpoint"),
    (changed(["endpoint"], KeyError), "endpoint"),
    (changed(["keys"], KeyError), "keys"),
    (changed(["keys"], "abc"), "keys"),
    (changed(["keys", "p256dh"], b64e(b"\x04" + b"\x01" * 64)), "keys.p256dh"),   # not on the curve
    (changed(["keys", "p256dh"], "x" * 88), "keys.p256dh"),
    (changed(["keys", "p256dh"], "!!!"), "keys.p256dh"),
    (changed(["keys", "auth"], b64e(b"short")), "keys.auth"),
    (changed(["keys", "auth"], None), "keys.auth"),
    (dict(good(), extra=1), "extra"),
    ([], "body"),
])
def test_a_bad_subscription_is_a_400_naming_the_field_and_stores_nothing(logged_in, body, field):
    resp = subscribe(logged_in, logged_in.client, body)
    assert resp.status_code == 400 and resp.json["error"]["field"] == field, resp.json
    assert rows(logged_in, "SELECT * FROM push_subscriptions") == []


@pytest.mark.parametrize("endpoint", ["https://fcm.googleapis.com/fcm/send/abc:APA91b",
                                      "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
                                      "https://web.push.apple.com/QGuQyavXu", "https://wns2-db5p.notify.windows.com/w/?token=B"])
def test_the_browsers_push_services_are_taken(logged_in, endpoint):
    body = good()
    body["endpoint"] = endpoint
    assert subscribe(logged_in, logged_in.client, body).status_code == 201


def test_http_to_loopback_is_only_for_tests(logged_in, push_service):
    logged_in.app.testing = False
    try:
        resp = subscribe(logged_in, logged_in.client, PushKeys(push_service, "x").subscription)
        assert resp.status_code == 400 and resp.json["error"]["field"] == "endpoint"
        logged_in.app.config["PUSH_ALLOW_HTTP_LOOPBACK"] = True
        assert subscribe(logged_in, logged_in.client, PushKeys(push_service, "x").subscription).status_code == 201
    finally:
        logged_in.app.testing = True


def test_subscribing_needs_a_login_then_csrf(logged_in, app):
    anonymous = app.test_client()
    assert anonymous.post("/api/push/subscriptions", json=good()).status_code == 401
    resp = logged_in.client.post("/api/push/subscriptions", json=good())
    assert resp.status_code == 400 and resp.json["error"]["field"] == "csrf_token"
    assert rows(logged_in, "SELECT * FROM push_subscriptions") == []


@pytest.mark.parametrize("value", ["2", 0, -1, 1.5, True, 2 ** 63])
def test_a_partner_that_is_no_worker_id_is_refused_by_field(logged_in, value):
    timer_id = str(uuid.uuid4())
    ev = {"id": str(uuid.uuid4()), "timer_id": timer_id, "type": "start", "at": iso(datetime.now(timezone.utc)),
          "minutes": 15, "partner_user_id": value}
    token = logged_in.session()["csrf_token"]
    [result] = logged_in.client.post("/api/timers/events", json={"events": [ev]},
                                     headers={"X-CSRFToken": token}).json["results"]
    assert result["status"] == "refused" and result["error"]["field"] == "partner_user_id"


def test_a_partner_on_another_event_than_the_start_is_refused(logged_in):
    timer_id = start_timer(logged_in, logged_in.client, 0)
    ev = {"id": str(uuid.uuid4()), "timer_id": timer_id, "type": "checkin", "at": iso(datetime.now(timezone.utc)),
          "partner_user_id": 1}
    token = logged_in.session()["csrf_token"]
    [result] = logged_in.client.post("/api/timers/events", json={"events": [ev]},
                                     headers={"X-CSRFToken": token}).json["results"]
    assert result["status"] == "refused" and result["error"]["field"] == "partner_user_id"
