"""Server-side sessions bound to a device (login throttling is throttle.py).

The cookie carries a random token; the database keeps only its SHA-256, so a
stolen database does not yield live sessions. Every request checks the row,
so logout, deactivation, a password reset or a device marked lost end a
session at once, on every server process.
"""
import hashlib
import secrets
import uuid
from datetime import datetime, timedelta, timezone

from flask import current_app, g, request, session
from flask_wtf.csrf import generate_csrf

from . import rules
from .db import get_db, transaction

FMT = "%Y-%m-%dT%H:%M:%SZ"
# Namespace of the per-team ids of a phone shared between teams (start()).
PHONE_IN_TEAM = uuid.UUID("5f0c3a52-7e0b-4c8e-9d4b-2a6f1c9e8b71")


def now():
    return datetime.now(timezone.utc)


def stamp(moment=None):
    return (moment or now()).strftime(FMT)


def _csrf_field():
    """Where Flask-WTF keeps the CSRF secret, in the session and (its token) on g."""
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def device_id_from(value):
    """The phone's own device id if it is a UUID, else a new one."""
    return rules.parse_uuid(value) or str(uuid.uuid4())


def start(db, user, device_id):
    """Open a session for `user` on `device_id`; returns nothing, sets the cookie."""
    token = secrets.token_urlsafe(32)
    t = now()
    label = request.user_agent.string[:120]
    with transaction(db):
        row = db.execute("SELECT team_id, lost_at FROM devices WHERE id = ?", [device_id]).fetchone()
        if row and row["team_id"] != user["team_id"]:
            # A phone shared with another team gets one id per team, the same
            # at every login: what it seals is bound to its id (sealing.py),
            # so an id new at each login would orphan the waiting records.
            device_id = str(uuid.uuid5(PHONE_IN_TEAM, f"{device_id}/{user['team_id']}"))
            row = db.execute("SELECT team_id, lost_at FROM devices WHERE id = ?", [device_id]).fetchone()
        if row and (row["team_id"] != user["team_id"] or row["lost_at"]):
            device_id = str(uuid.uuid4())  # never reuse a lost phone or another team's id
            row = None
        if row is None:
            db.execute("INSERT INTO devices (id, team_id, label, first_seen, last_seen, last_user_id) "
                       "VALUES (?, ?, ?, ?, ?, ?)", [device_id, user["team_id"], label, stamp(t), stamp(t), user["id"]])
        else:
            db.execute("UPDATE devices SET last_seen = ?, last_user_id = ?, label = ? WHERE id = ?",
                       [stamp(t), user["id"], label, device_id])
        db.execute("INSERT INTO sessions (token_hash, user_id, device_id, created_at, expires_at, last_seen) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   [_hash(token), user["id"], device_id, stamp(t),
                    stamp(t + current_app.permanent_session_lifetime), stamp(t)])
    # A fresh cookie at login: nothing from before survives (no fixation).
    session.clear()
    session.permanent = True
    session["sid"] = token
    # Mint the CSRF secret now, in the login response: otherwise the first
    # page and its concurrent /api/session call could each mint one, and the
    # cookie that lands last would invalidate the other's form. Flask-WTF
    # caches the token of the old session on g, so drop that first.
    g.pop(_csrf_field(), None)
    generate_csrf()
    return device_id


def load():
    """Set g.user and g.device_id from the session cookie, or None.

    A session ends at the end of the shift (expires_at), and after
    SESSION_IDLE_MINUTES without a person's request (last_seen, see touch).
    """
    g.user, g.device_id, g.session_expires_at = None, None, None
    # Static files never depend on who asks; skipping them spares the
    # database a query for every asset the service worker precaches.
    if request.endpoint == "static":
        return
    token = session.get("sid")
    if not token:
        return
    db = get_db()
    row = db.execute(
        "SELECT u.id, u.team_id, u.username, u.name, u.is_admin, t.name AS team_name, s.device_id, s.expires_at, "
        "s.last_seen "
        "FROM sessions s JOIN users u ON u.id = s.user_id JOIN teams t ON t.id = u.team_id "
        "JOIN devices d ON d.id = s.device_id "
        "WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND s.last_seen > ? AND u.active = 1 "
        "AND d.lost_at IS NULL",
        [_hash(token), stamp(), stamp(now() - timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"]))]
    ).fetchone()
    if row is None:
        session.pop("sid", None)
        return
    g.user = {k: row[k] for k in ("id", "team_id", "username", "name", "is_admin", "team_name")}
    g.device_id, g.session_expires_at = row["device_id"], row["expires_at"]
    g.session_seen = (_hash(token), row["last_seen"])


def touch():
    """Note that a person used the session, at most one write a minute.

    Called for what only a person does: a page behind the login, a form, an
    upload of records or timer events they saved (auth.login_required). Not
    for the GETs under /api a phone makes by itself (the session check, the
    citizen list refresh, the team's rules) nor the service worker's update
    checks: an open tab on a phone left behind would keep the session alive
    all shift, and the idle timeout would mean nothing.
    """
    token_hash, last_seen = g.get("session_seen") or (None, None)
    if token_hash is None or (request.method in ("GET", "HEAD") and request.path.startswith("/api/")):
        return
    if last_seen < stamp(now() - timedelta(minutes=1)):
        db = get_db()
        with transaction(db):
            db.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", [stamp(), token_hash])


def end_current():
    token = session.pop("sid", None)
    if token:
        db = get_db()
        with transaction(db):
            db.execute("UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
                       [stamp(), _hash(token)])
    # Everything goes but the CSRF secret. The page before may still have its
    # session check in flight; answered after the login page, its cookie (the
    # old secret, no sid) would void the login form's token, and the worker
    # would meet "Formularen var udløbet" at the next login. The secret is not
    # a credential: the next login replaces it anyway (start()).
    field = _csrf_field()
    kept = session.get(field)
    session.clear()
    if kept:
        session[field] = kept


def revoke(db, *, user_id=None, device_id=None):
    """End every live session of a user or of a device. Call inside a transaction."""
    column, value = ("user_id", user_id) if user_id is not None else ("device_id", device_id)
    db.execute(f"UPDATE sessions SET revoked_at = ? WHERE {column} = ? AND revoked_at IS NULL", [stamp(), value])


def init_app(app):
    # The phone's own idle lock (LOCK_MINUTES) covers the short pauses; this
    # ends a session nobody has used for two hours, on the server.
    app.config.setdefault("SESSION_IDLE_MINUTES", 120)
