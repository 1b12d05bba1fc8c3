"""Setup, login and logout, and the decorators that guard citizens' data.

A fresh install has no users: the first visit to /setup creates the first
team and its administrator, so there is never a default password. The field
kit never needs a login; everything about citizens does.
"""
import functools
import re

import click
from flask import Blueprint, abort, flash, g, make_response, redirect, render_template, request, url_for
from flask.cli import with_appcontext

from . import passwords, push, rules, sessions, throttle
from .db import get_db, transaction
from .forms import LoginForm, SetupForm

bp = Blueprint("auth", __name__)


def has_users():
    return get_db().execute("SELECT EXISTS (SELECT 1 FROM users) AS any").fetchone()["any"] == 1


def session_expires_at():
    return g.get("session_expires_at")


def login_required(view):
    """Behind the login: a session, else the login page (401 under /api).

    What such a view answers may show a citizen's alias or note, so no cache
    keeps it (``no-store``: the browser's, a proxy's, the service worker's).
    And it is where a person's use keeps the session alive (sessions.touch).
    """
    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            if request.path.startswith("/api/"):
                abort(401, description="Du er ikke logget ind. Log ind igen.")
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        sessions.touch()
        response = make_response(view(**kwargs))
        response.cache_control.no_store = True
        return response
    return wrapped


def admin_required(view):
    @functools.wraps(view)
    @login_required
    def wrapped(**kwargs):
        if not g.user["is_admin"]:
            abort(403, description="Kun teamets administrator kan det.")
        return view(**kwargs)
    return wrapped


def _safe_next(target):
    return rules.local_path(target) or url_for("kit.home")


def create_team(db, team_name, name, username, password):
    """A team and its first administrator, in one transaction."""
    with transaction(db):
        team_id = db.execute("INSERT INTO teams (name) VALUES (?)", [team_name]).lastrowid
        user_id = db.execute(
            "INSERT INTO users (team_id, username, name, password_hash, is_admin) VALUES (?, ?, ?, ?, 1)",
            [team_id, username, name, passwords.hash_password(password)]).lastrowid
    return team_id, user_id


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    if has_users():
        return redirect(url_for("auth.login"))
    form = SetupForm()
    if form.validate_on_submit():
        if has_users():  # a second tab got here first
            abort(409, description="Appen er allerede sat op.")
        db = get_db()
        team_id, user_id = create_team(db, form.team_name.data.strip(), form.name.data.strip(),
                                       form.username.data.strip(), form.password.data)
        sessions.start(db, {"id": user_id, "team_id": team_id}, sessions.device_id_from(form.device_id.data))
        flash("Teamet er oprettet, og du er logget ind.")
        # The next steps, not the whole team page (workers, rules, places, phones).
        return redirect(url_for("team.start"))
    return render_template("setup.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if not has_users():
        return redirect(url_for("auth.setup"))
    form = LoginForm()
    error, status, headers = None, 200, {}
    if form.validate_on_submit():
        db = get_db()
        username = form.username.data.strip()
        attempt = throttle.Attempt(db, username, form.device_id.data)
        refused = attempt.refusal()
        if refused:
            # Before any password is checked, and the same whether or not the account exists.
            error, status = refused[0], 429
            headers = {"Retry-After": str(refused[1])} if refused[1] else {}
        else:
            row = db.execute("SELECT id, team_id, password_hash FROM users WHERE username = ? AND active = 1",
                             [username]).fetchone()
            ok, rehash = passwords.verify(row["password_hash"] if row else None, form.password.data)
            if ok:
                attempt.succeeded()
                if rehash:
                    with transaction(db):
                        db.execute("UPDATE users SET password_hash = ? WHERE id = ?",
                                   [passwords.hash_password(form.password.data), row["id"]])
                device = sessions.start(db, row, sessions.device_id_from(form.device_id.data))
                with transaction(db):
                    # A phone that changed hands pushes nothing more for the worker before.
                    push.forget_device(db, device, unless_user=row["id"])
                return redirect(_safe_next(request.args.get("next")))
            attempt.failed()
            error, status = "Forkert brugernavn eller adgangskode.", 401
    return render_template("login.html", form=form, error=error), status, headers


@bp.post("/logout")
def logout():
    if g.get("device_id"):
        # A phone logged out gets no more pushes: it may be handed to someone else.
        db = get_db()
        with transaction(db):
            push.forget_device(db, g.device_id)
    sessions.end_current()
    return redirect(url_for("auth.login"))


@click.command("create-team")
@click.argument("team_name")
@click.argument("username")
@click.option("--name", help="The administrator's name (defaults to the username).")
@click.password_option(help="The administrator's first password.")
@with_appcontext
def create_team_command(team_name, username, name, password):
    """Add another team with its administrator (the first team comes from /setup)."""
    for value, hint in ((team_name, "team_name"), (username, "username"), (name or "", "--name")):
        if rules.looks_like_cpr(value):
            raise click.BadParameter("looks like a CPR number", param_hint=hint)
    if len(password) < rules.MIN_PASSWORD:
        raise click.BadParameter(f"at least {rules.MIN_PASSWORD} characters", param_hint="password")
    username = rules.normalise_username(username)
    if not re.match(rules.USERNAME, username):
        raise click.BadParameter("letters (also æ, ø, å), digits, '.', '-' and '_' only", param_hint="username")
    db = get_db()
    if db.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
        raise click.BadParameter("already taken", param_hint="username")
    team_id, _ = create_team(db, team_name, name or username, username, password)
    click.echo(f"Created team {team_id}: {team_name}, administrator {username}.")


def init_app(app):
    throttle.init_app(app)
    sessions.init_app(app)
    app.cli.add_command(create_team_command)
    app.before_request(sessions.load)
    app.jinja_env.globals["current_user"] = lambda: g.get("user")
