"""`/api/push`: the server's public key, and this phone's push subscription.

The phone asks for the key only when the worker taps "Slå varsler til" on
/settings, subscribes with it, and sends the subscription here; it is held
for the worker logged in on this phone (one per phone, replaced when the
phone subscribes again) until logout, a lost-phone report, or the push
service saying it is gone. Keys, storing and sending are push.py.
"""
from flask import Blueprint, g, jsonify, request

from . import push, sessions
from .auth import login_required
from .csrf import csrf
from .db import get_db, transaction
from .errors import FieldError
from .rules import Refused

bp = Blueprint("push_api", __name__, url_prefix="/api/push")


@bp.after_request
def _no_store(response):
    response.cache_control.no_store = True
    return response


@bp.get("/key")
def key():
    # Public on purpose: it is the public half, and a phone needs it before it can subscribe.
    return jsonify({"key": push.public_key()})


@bp.get("/subscriptions")
@login_required
def this_phone():
    """Whether the server will push to this phone, so /settings says what is true, not what the browser kept."""
    row = get_db().execute("SELECT 1 FROM push_subscriptions WHERE device_id = ? AND user_id = ?",
                           [g.device_id, g.user["id"]]).fetchone()
    return jsonify({"status": "stored" if row else "none", "device": g.device_id})


@bp.post("/subscriptions")
@csrf.exempt          # checked below, after the login check, so a lapsed session answers 401
@login_required
def subscribe():
    csrf.protect()
    if not request.is_json:
        raise FieldError(415, None, "Send JSON (Content-Type: application/json).")
    body = request.get_json(silent=True)
    if body is None:
        raise FieldError(400, "body", "Ugyldig JSON.")
    try:
        sub = push.check_subscription(body)
    except Refused as e:
        raise FieldError(400, e.field or "body", f"{e.field or 'Indholdet'}: {e.message}.") from None
    db = get_db()
    with transaction(db):
        push.save(db, g.user["id"], g.device_id, sub, sessions.stamp())
    return jsonify({"status": "stored", "device": g.device_id}), 201


@bp.delete("/subscriptions")
@csrf.exempt          # as above
@login_required
def unsubscribe():
    csrf.protect()
    db = get_db()
    with transaction(db):
        deleted = push.forget_device(db, g.device_id)
    return jsonify({"status": "deleted" if deleted else "none", "device": g.device_id})
