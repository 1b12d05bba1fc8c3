"""Gadekontakt: the offline field kit for outreach drug-treatment workers.

The app factory follows Flask's tutorial: defaults from a mapping, then the
instance folder's ``config.py``, then ``GADEKONTAKT_*`` environment variables,
so secrets never live in the repository.
"""
import os
import secrets
from datetime import timedelta

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (access_log, alert_api, api, assets, auth, backup, citizens, compression, csrf, db, errors, headers, health,
               kit, logs, mapping, overdue, pair_scores, places, push, push_api, quarantine, quarantine_review,
               retention, rounds, rules, sealing, sw, team, team_rules, timers)


def _secret_key(instance_path):
    """Return a per-installation secret, created once with mode 0600.

    A fresh machine must work with `make run` and no manual step, yet a
    hard-coded key would be shared by every deployment; a random key kept in
    the instance folder gives each installation its own.
    """
    path = os.path.join(instance_path, "secret_key")
    try:
        with open(path) as f:
            return f.read().strip()
    except FileNotFoundError:
        key = secrets.token_hex(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key)
        return key


def create_app(test_config=None):
    # GADEKONTAKT_INSTANCE lets an operator (or a test) keep the database,
    # secret and config outside the source tree.
    app = Flask(__name__, instance_relative_config=True,
                instance_path=os.environ.get("GADEKONTAKT_INSTANCE") or None)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(
        SECRET_KEY=None,
        DATABASE=os.path.join(app.instance_path, "gadekontakt.sqlite"),
        # Extra input to the asset version; lets an operator force clients to
        # refetch everything, and lets tests simulate a deploy.
        ASSET_SALT="",
        # HSTS and Secure cookies only make sense behind HTTPS.
        HTTPS=False,
        # A session lasts one working shift.
        SHIFT_HOURS=12,
        # Idle minutes before the phone hides citizens' data behind the PIN.
        LOCK_MINUTES=5,
        # Times are stored in UTC and shown in the team's zone.
        TIME_ZONE="Europe/Copenhagen",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Set the cookie only when the session changes. Refreshing it on every
        # answer let a slow parallel answer (the service worker precaching the
        # kit, a status check) put back the cookie from before a flash or a
        # login. The session itself ends on the server (sessions.py).
        SESSION_REFRESH_EACH_REQUEST=False,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        # How many reverse proxies stand in front of the app (Caddy: 1). Their
        # X-Forwarded-For/-Proto/-Host are believed only from that many hops;
        # 0 trusts none, so a client reaching the app directly cannot claim
        # another address (login throttling counts per address) or HTTPS.
        TRUSTED_PROXIES=0,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("GADEKONTAKT")
    else:
        app.config.from_mapping(test_config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)
    app.permanent_session_lifetime = timedelta(hours=float(app.config["SHIFT_HOURS"]))
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies < 0:
        raise ValueError("TRUSTED_PROXIES must be 0 or more")
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    if app.config["HTTPS"]:
        # __Host- binds the cookie to this exact origin: Secure, Path=/, no Domain.
        app.config.update(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_NAME="__Host-session")

    # First the JSON request log, so its clock starts before, and its line is
    # written after, every other hook. Then the database (migrated before the
    # first request), the one error shape, CSRF on every POST, sessions, asset
    # URLs, headers, template globals, /healthz.
    for module in (logs, db, errors, csrf, auth, assets, headers, rules, team_rules, overdue, push, health):
        module.init_app(app)
    # Pages and APIs, each a blueprint named for what it serves.
    for module in (timers, alert_api, kit, sw, api, auth, citizens, team, team_rules, access_log, quarantine,
                   quarantine_review, push_api, pair_scores, places, mapping, rounds):
        app.register_blueprint(module.bp)
    # After the blueprints: compression wraps their views. Then the operator's
    # commands (sealing keys, retention, backup and restore).
    for module in (sealing, compression, retention, backup):
        module.init_app(app)
    return app
