"""Teams, workers, login and the session that lasts one shift.

A fresh install has no users: the first visit to /setup creates the first
team and its administrator, so there is never a default password. Sessions
are signed cookies carrying the user's ``session_version``; bumping it
(password reset, deactivation) ends every session of that user at once.
"""
import functools

import click
from datetime import datetime, timedelta, timezone

from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from flask.cli import with_appcontext
from werkzeug.security import check_password_hash, generate_password_hash

from .db import get_db
from .forms import MIN_PASSWORD, ConfirmForm, LoginForm, PlaceForm, ResetPasswordForm, SetupForm, WorkerForm

bp = Blueprint("auth", __name__)

# Checked against when the username is unknown, so a wrong username costs the
# same time as a wrong password and the timing does not reveal accounts.
_DUMMY_HASH = generate_password_hash("not-a-real-password-just-for-timing")


def has_users():
    return get_db().execute("SELECT EXISTS (SELECT 1 FROM users)").fetchone()[0] == 1


def load_user():
    g.user = None
    uid = session.get("uid")
    if uid is None:
        return
    row = get_db().execute(
        "SELECT u.id, u.team_id, u.username, u.name, u.is_admin, u.session_version, t.name AS team_name "
        "FROM users u JOIN teams t ON t.id = u.team_id WHERE u.id = ? AND u.active = 1", [uid]).fetchone()
    if row is None or row[5] != session.get("ver"):
        session.clear()
        return
    g.user = dict(zip(("id", "team_id", "username", "name", "is_admin", "session_version", "team_name"), row))


def session_expires_at():
    if g.user is None or "login_at" not in session:
        return None
    start = datetime.fromisoformat(session["login_at"])
    return (start + current_app.permanent_session_lifetime).strftime("%Y-%m-%dT%H:%M:%SZ")


def login_required(view):
    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            if request.path.startswith("/api/"):
                abort(401, description="Du er ikke logget ind. Log ind igen.")
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(**kwargs)
    return wrapped


def admin_required(view):
    @functools.wraps(view)
    @login_required
    def wrapped(**kwargs):
        if not g.user["is_admin"]:
            abort(403, description="Kun teamets administrator kan det.")
        return view(**kwargs)
    return wrapped


def _start_session(user_id, version):
    # A fresh session at login: nothing from before survives (no fixation).
    session.clear()
    session.permanent = True
    session.update(uid=user_id, ver=version, login_at=datetime.now(timezone.utc).isoformat())


def _safe_next(target):
    return target if target and target.startswith("/") and not target.startswith("//") else url_for("kit.home")


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    if has_users():
        return redirect(url_for("auth.login"))
    form = SetupForm()
    if form.validate_on_submit():
        if has_users():  # a second tab got here first
            abort(409, description="Appen er allerede sat op.")
        _, user_id = create_team(get_db(), form.team_name.data.strip(), form.name.data.strip(),
                                 form.username.data.strip(), form.password.data)
        _start_session(user_id, 1)
        flash("Teamet er oprettet, og du er logget ind.")
        return redirect(url_for("auth.team"))
    return render_template("setup.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if not has_users():
        return redirect(url_for("auth.setup"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        row = get_db().execute(
            "SELECT id, password_hash, session_version FROM users WHERE username = ? AND active = 1",
            [form.username.data.strip()]).fetchone()
        ok = check_password_hash(row[1] if row else _DUMMY_HASH, form.password.data)
        if row and ok:
            _start_session(row[0], row[2])
            return redirect(_safe_next(request.args.get("next")))
        error = "Forkert brugernavn eller adgangskode."
    return render_template("login.html", form=form, error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        session.clear()
    return redirect(url_for("auth.login"))


def _team_workers(team_id):
    return get_db().execute(
        "SELECT id, username, name, is_admin, active FROM users WHERE team_id = ? ORDER BY active DESC, name",
        [team_id]).fetchall()


def _team_places(team_id):
    return get_db().execute("SELECT id, name FROM places WHERE team_id = ? ORDER BY name", [team_id]).fetchall()


def _render_team(status=200, **forms):
    forms.setdefault("form", WorkerForm())
    forms.setdefault("place_form", PlaceForm(prefix="pl"))
    return render_template("team.html", workers=_team_workers(g.user["team_id"]),
                           places=_team_places(g.user["team_id"]), confirm=ConfirmForm(),
                           reset_form=ResetPasswordForm(prefix="r"), **forms), status


def _own_worker(worker_id):
    """A worker of the admin's own team, or 404: other teams do not exist here."""
    row = get_db().execute("SELECT id, name FROM users WHERE id = ? AND team_id = ?",
                           [worker_id, g.user["team_id"]]).fetchone()
    if row is None:
        abort(404, description="Ingen sådan medarbejder i dit team.")
    return row


@bp.get("/team")
@login_required
def team():
    return _render_team()


@bp.post("/team/workers")
@admin_required
def add_worker():
    form = WorkerForm()
    if form.validate_on_submit():
        db = get_db()
        if db.execute("SELECT 1 FROM users WHERE username = ?", [form.username.data.strip()]).fetchone():
            form.username.errors.append("Brugernavnet er optaget.")
        else:
            with db.conn:
                db.execute("INSERT INTO users (team_id, username, name, password_hash, is_admin) VALUES (?, ?, ?, ?, ?)",
                           [g.user["team_id"], form.username.data.strip(), form.name.data.strip(),
                            generate_password_hash(form.password.data), int(form.is_admin.data)])
            flash(f"{form.name.data.strip()} er tilføjet.")
            return redirect(url_for("auth.team"))
    return _render_team(400, form=form)


@bp.post("/team/workers/<int:worker_id>/password")
@admin_required
def reset_password(worker_id):
    worker = _own_worker(worker_id)
    form = ResetPasswordForm(prefix="r")
    if not form.validate_on_submit():
        return _render_team(400, reset_form=form)
    db = get_db()
    with db.conn:
        db.execute("UPDATE users SET password_hash = ?, session_version = session_version + 1 WHERE id = ?",
                   [generate_password_hash(form.password.data), worker_id])
    flash(f"Ny adgangskode sat for {worker[1]}. Alle hans/hendes sessioner er afsluttet.")
    return redirect(url_for("auth.team"))


@bp.post("/team/workers/<int:worker_id>/active")
@admin_required
def set_active(worker_id):
    worker = _own_worker(worker_id)
    if not ConfirmForm().validate_on_submit():
        abort(400, description="Formularen var udløbet. Prøv igen.")
    active = request.form.get("active") == "1"
    if worker_id == g.user["id"] and not active:
        abort(400, description="active: Du kan ikke deaktivere dig selv.")
    db = get_db()
    with db.conn:
        db.execute("UPDATE users SET active = ?, session_version = session_version + 1 WHERE id = ?",
                   [int(active), worker_id])
    flash(f"{worker[1]} er {'aktiveret' if active else 'deaktiveret'}.")
    return redirect(url_for("auth.team"))


@bp.post("/team/places")
@admin_required
def add_place():
    form = PlaceForm(prefix="pl")
    if not form.validate_on_submit():
        return _render_team(400, place_form=form)
    db = get_db()
    with db.conn:
        db.execute("INSERT OR IGNORE INTO places (team_id, name) VALUES (?, ?)",
                   [g.user["team_id"], form.place.data.strip()])
    return redirect(url_for("auth.team") + "#steder")


@bp.post("/team/places/<int:place_id>/delete")
@admin_required
def delete_place(place_id):
    if not ConfirmForm().validate_on_submit():
        abort(400, description="Formularen var udløbet. Prøv igen.")
    db = get_db()
    with db.conn:
        db.execute("DELETE FROM places WHERE id = ? AND team_id = ?", [place_id, g.user["team_id"]])
    return redirect(url_for("auth.team") + "#steder")


def create_team(db, team_name, name, username, password):
    """A team and its first administrator, in one transaction."""
    with db.conn:
        team_id = db.execute("INSERT INTO teams (name) VALUES (?)", [team_name]).lastrowid
        user_id = db.execute(
            "INSERT INTO users (team_id, username, name, password_hash, is_admin) VALUES (?, ?, ?, ?, 1)",
            [team_id, username, name, generate_password_hash(password)]).lastrowid
    return team_id, user_id


@click.command("create-team")
@click.argument("team_name")
@click.argument("username")
@click.option("--name", help="The administrator's name (defaults to the username).")
@click.password_option(help="The administrator's first password.")
@with_appcontext
def create_team_command(team_name, username, name, password):
    """Add another team with its administrator (the first team comes from /setup)."""
    if len(password) < MIN_PASSWORD:
        raise click.BadParameter(f"at least {MIN_PASSWORD} characters", param_hint="password")
    db = get_db()
    if db.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
        raise click.BadParameter("already taken", param_hint="username")
    team_id, _ = create_team(db, team_name, name or username, username, password)
    click.echo(f"Created team {team_id}: {team_name}, administrator {username}.")


def init_app(app):
    app.cli.add_command(create_team_command)
    app.before_request(load_user)
    app.jinja_env.globals["current_user"] = lambda: g.get("user")
