"""Web Push: the server's VAPID key, the phones' subscriptions, and sending.

A missed check-in must reach a phone whose browser is in a pocket or closed
(issue 16). The browser's push service (Google's FCM for Chrome, Mozilla's,
Apple's) holds a connection to the phone; we POST to the subscription's
endpoint, and the service worker shows the notification. Two standards make
that safe, both done by pywebpush: RFC 8291 encrypts the payload to the
browser's key (the push service cannot read it), and RFC 8292 (VAPID) signs
each request with our key, so only we can push to a subscription made with
our public key.

The VAPID private key is made once and kept in the instance folder beside the
sealing keys (keys/vapid.pem, mode 0600): a new key would orphan every
subscription, so it is never rotated silently.

Least data: the payload says only that a check-in is overdue, the timer's id
and whether it is the partner's; no name, place or citizen (it is shown on a
lock screen, and the push service is a third party). Send errors never stop
the caller: the phone's own alarm and the e-mail do not depend on push.
"""
import base64
import binascii
import json
import os
import tempfile
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from . import rules
from .db import transaction
from .rules import Refused

# How long a push service keeps an undelivered push (a phone without signal):
# an overdue check-in is still worth ringing for an hour later.
TTL_SECONDS = 3600
SEND_TIMEOUT = 10
TITLE = "Tjek ind er overskredet"


def _b64e(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64d(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- the VAPID key -----------------------------------------------------------------

def key_path():
    return os.path.join(current_app.instance_path, "keys", "vapid.pem")


def ensure_key():
    """Make the key if there is none. Written to a temporary file and linked into
    place, so two server processes starting together never read half a key."""
    path = key_path()
    if os.path.exists(path):
        return
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path))   # mode 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        os.link(tmp, path)
    except FileExistsError:
        pass                    # another process was first; its key stands
    finally:
        os.unlink(tmp)


def _vapid():
    with open(key_path(), "rb") as f:
        return Vapid.from_pem(f.read())


def public_key():
    """The application server key for pushManager.subscribe: the raw P-256 point, base64url."""
    point = _vapid().public_key.public_bytes(serialization.Encoding.X962,
                                             serialization.PublicFormat.UncompressedPoint)
    return _b64e(point)


def _contact():
    # VAPID's "sub": whom a push service can write to about our requests; Apple refuses a request without one.
    cfg = current_app.config
    return cfg.get("PUSH_CONTACT") or (f"mailto:{cfg['MAIL_FROM']}" if cfg.get("MAIL_FROM") else
                                       "mailto:drift@gadekontakt.invalid")


# --- subscriptions ---------------------------------------------------------------------

def _endpoint(value):
    # Not rules.text: a URL is no free text (no CPR check; a random token could trip it).
    limit = rules.LIMITS["push_endpoint"]
    if not isinstance(value, str) or not value:
        raise Refused("endpoint", "skal udfyldes med push-tjenestens adresse")
    if len(value) > limit:
        raise Refused("endpoint", f"må højst være {limit} tegn")
    if not value.isascii() or any(ch.isspace() or not ch.isprintable() for ch in value):
        raise Refused("endpoint", "skal være en adresse uden mellemrum og særlige tegn")
    try:
        parts = urlsplit(value)
        parts.port
    except ValueError:
        raise Refused("endpoint", "er ikke en gyldig adresse") from None
    loopback = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")
    allow_http = current_app.testing or current_app.config.get("PUSH_ALLOW_HTTP_LOOPBACK")
    if loopback and allow_http:
        return value
    if not (parts.scheme == "https" and parts.hostname):
        raise Refused("endpoint", "skal være en https-adresse fra browserens push-tjeneste")
    # The server will POST to this URL: only to the browsers' push services, never to a host
    # a phone names (an internal server, say).
    host = parts.hostname.lower().rstrip(".")
    if not any(host == known or host.endswith("." + known) for known in current_app.config["PUSH_SERVICE_HOSTS"]):
        raise Refused("endpoint", "er ikke en kendt push-tjeneste (se PUSH_SERVICE_HOSTS)")
    return value


def _key(value, field, rule, size):
    if not isinstance(value, str) or not value or len(value) > rules.LIMITS[rule]:
        raise Refused(field, f"skal være base64url, højst {rules.LIMITS[rule]} tegn")
    try:
        raw = _b64d(value)
    except (binascii.Error, ValueError):
        raise Refused(field, "skal være base64url") from None
    if len(raw) != size:
        raise Refused(field, f"skal være {size} byte")
    return raw


def check_subscription(body):
    """PushSubscription.toJSON() as the phone sends it, cleaned, or Refused naming the field."""
    if not isinstance(body, dict):
        raise Refused(None, "skal være et objekt")
    unknown = sorted(set(body) - {"endpoint", "keys", "expirationTime"})
    if unknown:
        raise Refused(unknown[0], "ukendt felt")
    endpoint = _endpoint(body.get("endpoint"))
    keys = body.get("keys")
    if not isinstance(keys, dict):
        raise Refused("keys", "skal være et objekt med p256dh og auth")
    p256dh = _key(keys.get("p256dh"), "keys.p256dh", "push_p256dh", 65)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p256dh)
    except ValueError:
        raise Refused("keys.p256dh", "er ikke en P-256-nøgle") from None
    auth = _key(keys.get("auth"), "keys.auth", "push_auth", 16)
    return {"endpoint": endpoint, "p256dh": _b64e(p256dh), "auth": _b64e(auth)}


def save(db, user_id, device_id, sub, created_at):
    """One subscription per phone: a new one replaces the phone's old one. Call inside a transaction."""
    db.execute("DELETE FROM push_subscriptions WHERE device_id = ? OR endpoint = ?", [device_id, sub["endpoint"]])
    db.execute("INSERT INTO push_subscriptions (device_id, user_id, endpoint, p256dh, auth, created_at)"
               " VALUES (?, ?, ?, ?, ?, ?)",
               [device_id, user_id, sub["endpoint"], sub["p256dh"], sub["auth"], created_at])


def forget_device(db, device_id, unless_user=None):
    """The phone logged out or was reported lost (or another worker logged in on it: `unless_user`):
    nothing more is pushed to it for whoever subscribed. Call inside a transaction."""
    return db.execute("DELETE FROM push_subscriptions WHERE device_id = ? AND user_id IS NOT ?",
                      [device_id, unless_user]).rowcount


# --- sending ---------------------------------------------------------------------------

def subscriptions_of(db, team_id, user_ids):
    """The live subscriptions of these workers: active, in this team, on a phone not reported lost."""
    ids = [int(u) for u in user_ids if u is not None]
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    return db.execute(
        "SELECT s.device_id, s.user_id, s.endpoint, s.p256dh, s.auth FROM push_subscriptions s"
        " JOIN users u ON u.id = s.user_id JOIN devices d ON d.id = s.device_id"
        f" WHERE s.user_id IN ({marks}) AND u.team_id = ? AND u.active = 1 AND d.lost_at IS NULL"
        " ORDER BY s.device_id", [*ids, team_id]).fetchall()


def send_one(sub, payload):
    """Push `payload` (a dict, sent as JSON) to one subscription: 'sent', 'gone' or 'failed'."""
    try:
        webpush({"endpoint": sub["endpoint"], "keys": {"p256dh": sub["p256dh"], "auth": sub["auth"]}},
                data=json.dumps(payload, separators=(",", ":")), vapid_private_key=_vapid(),
                vapid_claims={"sub": _contact()}, ttl=TTL_SECONDS, timeout=SEND_TIMEOUT,
                headers={"Urgency": "high"})
        return "sent"
    except WebPushException as e:
        status = e.response.status_code if e.response is not None else None
        # 404 and 410: the browser unsubscribed or the subscription expired; it never comes back.
        if status in (404, 410):
            return "gone"
        current_app.logger.warning("push to device %s failed: %s", sub["device_id"], status or e)
    except (requests.RequestException, OSError, ValueError) as e:
        current_app.logger.warning("push to device %s failed: %s", sub["device_id"], type(e).__name__)
    return "failed"


def push_to_users(db, team_id, user_ids, payload):
    """Push to every live subscription of these workers of one team; returns {'sent', 'gone', 'failed'}
    counts. A subscription the push service says is gone is deleted. Never raises for a send error."""
    counts = {"sent": 0, "gone": 0, "failed": 0}
    for sub in subscriptions_of(db, team_id, user_ids):
        result = send_one(sub, payload)
        counts[result] += 1
        if result == "gone":
            with transaction(db):
                db.execute("DELETE FROM push_subscriptions WHERE device_id = ? AND endpoint = ?",
                           [sub["device_id"], sub["endpoint"]])
    return counts


def overdue_payload(timer_id, partner=False):
    return {"type": "overdue", "title": TITLE, "timer": timer_id, "partner": bool(partner)}


def init_app(app):
    # PUSH_CONTACT: "mailto:…" or "https://…", VAPID's contact for the push services (defaults to MAIL_FROM).
    # PUSH_ALLOW_HTTP_LOOPBACK: tests only, lets a subscription point at a push service on 127.0.0.1.
    app.config.setdefault("PUSH_CONTACT", None)
    # The push services of the browsers workers use (and their subdomains): Chrome, Edge and Samsung
    # on Android (FCM), Firefox, Safari and home-screen apps on iOS, Edge on Windows.
    app.config.setdefault("PUSH_SERVICE_HOSTS", ("fcm.googleapis.com", "push.services.mozilla.com",
                                                 "push.apple.com", "notify.windows.com"))
    app.config.setdefault("PUSH_ALLOW_HTTP_LOOPBACK", False)
    with app.app_context():
        ensure_key()
