"""The team page: its workers, their devices and its places, run by the team's administrator.

Everything here is scoped to the administrator's own team; an id from another
team answers 404, as if it did not exist.
"""
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for

from . import alerts, passwords, push, quarantine, sessions, team_rules, throttle
from .content import content
from .auth import admin_required, login_required
from .db import get_db, transaction
from .forms import CloseAlertForm, ConfirmForm, PlaceForm, ResetPasswordForm, WorkerForm

bp = Blueprint("team", __name__, url_prefix="/team")


def _team_workers(team_id):
    return get_db().execute(
        "SELECT id, username, name, is_admin, active FROM users WHERE team_id = ? ORDER BY active DESC, name",
        [team_id]).fetchall()


def _team_places(team_id):
    return get_db().execute("SELECT id, name FROM places WHERE team_id = ? ORDER BY name", [team_id]).fetchall()


def _team_devices(team_id):
    return get_db().execute(
        "SELECT d.id, d.label, d.last_seen, u.name AS worker, d.lost_at FROM devices d "
        "LEFT JOIN users u ON u.id = d.last_user_id "
        "WHERE d.team_id = ? ORDER BY d.lost_at IS NOT NULL, d.last_seen DESC", [team_id]).fetchall()


def _render_team(status=200, **forms):
    forms.setdefault("form", WorkerForm())
    forms.setdefault("place_form", PlaceForm(prefix="pl"))
    forms.setdefault("reset_form", ResetPasswordForm(prefix="r"))
    if "rules_form" not in forms:
        forms["rules_form"] = team_rules.filled_form(g.user["team_id"])
    open_alerts = alerts.open_for_team(get_db(), g.user["team_id"], g.user["id"])
    # One close form per alert, each with its own prefix so the ids differ; a refused one keeps its errors.
    failed = forms.pop("close_form", None)
    close_forms = {a["id"]: failed if failed and failed._prefix == f"a{a['id']}-" else CloseAlertForm(prefix=f"a{a['id']}")
                   for a in open_alerts}
    return render_template("team.html", workers=_team_workers(g.user["team_id"]),
                           alerts=open_alerts, close_forms=close_forms,
                           closed_alerts=alerts.recently_closed(get_db(), g.user["team_id"], g.user["id"]),
                           locked=throttle.locked_usernames(get_db(), g.user["team_id"]),
                           team_rules=team_rules.for_page(g.user["team_id"]), rule_words=content()["team_rules"],
                           places=_team_places(g.user["team_id"]), devices=_team_devices(g.user["team_id"]),
                           quarantined=quarantine.pending(g.user["team_id"]),
                           confirm=ConfirmForm(), **forms), status


def _own_worker(worker_id):
    """A worker of the admin's own team, or 404: other teams do not exist here."""
    row = get_db().execute("SELECT id, name, username FROM users WHERE id = ? AND team_id = ?",
                           [worker_id, g.user["team_id"]]).fetchone()
    if row is None:
        abort(404, description="Ingen sådan medarbejder i dit team.")
    return row


@bp.get("")
@login_required
def index():
    return _render_team()


@bp.get("/start")
@admin_required
def start():
    """Where a new team's administrator lands after /setup: what to do next, each one tap away."""
    return render_template("team_start.html", workers=len(_team_workers(g.user["team_id"])),
                           places=len(_team_places(g.user["team_id"])))


def _own_alert(alert_id):
    """An alert of the viewer's own team, or 404 (and never a duress alert about the viewer)."""
    row = alerts.get(get_db(), g.user["team_id"], alert_id, g.user["id"])
    if row is None:
        abort(404, description="Ingen sådan alarm i dit team.")
    return row


@bp.post("/alerts/<int:alert_id>/take")
@login_required
def take_alert(alert_id):
    """"Jeg tager den": the viewer owns the alert, and the escalation to the coordinators stops."""
    alert = _own_alert(alert_id)
    db = get_db()
    with transaction(db):
        taken = alerts.take(db, alert, g.user["id"])
    if not taken:
        owner = alert["taken_by_name"] or "en anden"
        abort(409, description=f"alert: Alarmen er allerede taget af {owner} eller lukket.")
    flash(f"Du har taget alarmen om {alert['worker']}. Luk den med udfaldet, når den er afklaret.")
    return redirect(url_for("team.index") + "#alarmer")


@bp.post("/alerts/<int:alert_id>/close")
@login_required
def close_alert(alert_id):
    alert = _own_alert(alert_id)
    form = CloseAlertForm(prefix=f"a{alert_id}")
    if not form.validate_on_submit():
        return _render_team(400, close_form=form)
    db = get_db()
    with transaction(db):
        closed = alerts.close(db, alert, g.user["id"], form.outcome.data.strip())
    if not closed:
        abort(409, description="alert: Alarmen er allerede lukket.")
    flash(f"Alarmen om {alert['worker']} er lukket.")
    return redirect(url_for("team.index") + "#alarmer")


@bp.post("/workers")
@admin_required
def add_worker():
    form = WorkerForm()
    if form.validate_on_submit():
        db = get_db()
        if db.execute("SELECT 1 FROM users WHERE username = ?", [form.username.data.strip()]).fetchone():
            form.username.errors.append("Brugernavnet er optaget.")
        else:
            with transaction(db):
                db.execute("INSERT INTO users (team_id, username, name, password_hash, is_admin) VALUES (?, ?, ?, ?, ?)",
                           [g.user["team_id"], form.username.data.strip(), form.name.data.strip(),
                            passwords.hash_password(form.password.data), int(form.is_admin.data)])
            # Said beside the form, where the next worker is added.
            flash(f"{form.name.data.strip()} er tilføjet.", "worker")
            return redirect(url_for("team.index") + "#tilfoej")
    return _render_team(400, form=form)


@bp.post("/workers/<int:worker_id>/password")
@admin_required
def reset_password(worker_id):
    worker = _own_worker(worker_id)
    form = ResetPasswordForm(prefix="r")
    if not form.validate_on_submit():
        return _render_team(400, reset_form=form)
    db = get_db()
    with transaction(db):
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?",
                   [passwords.hash_password(form.password.data), worker_id])
        sessions.revoke(db, user_id=worker_id)
    flash(f"Ny adgangskode sat for {worker['name']}. Alle hans/hendes sessioner er afsluttet.")
    return redirect(url_for("team.index"))


@bp.post("/workers/<int:worker_id>/active")
@admin_required
def set_active(worker_id):
    worker = _own_worker(worker_id)
    active = request.form.get("active") == "1"
    if worker_id == g.user["id"] and not active:
        abort(400, description="active: Du kan ikke deaktivere dig selv.")
    db = get_db()
    with transaction(db):
        db.execute("UPDATE users SET active = ? WHERE id = ?", [int(active), worker_id])
        sessions.revoke(db, user_id=worker_id)
    flash(f"{worker['name']} er {'aktiveret' if active else 'deaktiveret'}.")
    return redirect(url_for("team.index"))


@bp.post("/workers/<int:worker_id>/unlock")
@admin_required
def unlock_login(worker_id):
    """End the hard lock after many failed logins (throttle.py): the administrator knows it was not a guesser."""
    worker = _own_worker(worker_id)
    db = get_db()
    with transaction(db):
        unlocked = throttle.unlock(db, worker["username"], g.user["id"])
    if unlocked:
        current_app.logger.warning("login lock of user %s lifted by administrator %s", worker_id, g.user["id"])
    flash(f"{worker['name']} kan logge ind igen." if unlocked else f"{worker['name']} var ikke låst.")
    return redirect(url_for("team.index"))


@bp.post("/rules")
@admin_required
def save_rules():
    """The team's own safety rules; every phone picks them up at its next sign of the server."""
    form = team_rules.form_class()(prefix="tr")
    if not form.validate_on_submit():
        return _render_team(400, rules_form=form)
    db = get_db()
    with transaction(db):
        team_rules.save(db, g.user["team_id"], g.user["id"], form, sessions.stamp())
    flash("Teamets aftaler er gemt. Telefonerne henter dem, næste gang de er på nettet.")
    return redirect(url_for("team.index") + "#aftaler")


@bp.post("/places")
@admin_required
def add_place():
    form = PlaceForm(prefix="pl")
    if not form.validate_on_submit():
        return _render_team(400, place_form=form)
    db = get_db()
    with transaction(db):
        db.execute("INSERT OR IGNORE INTO places (team_id, name) VALUES (?, ?)",
                   [g.user["team_id"], form.place.data.strip()])
    return redirect(url_for("team.index") + "#steder")


@bp.post("/places/<int:place_id>/delete")
@admin_required
def delete_place(place_id):
    db = get_db()
    with transaction(db):
        db.execute("DELETE FROM places WHERE id = ? AND team_id = ?", [place_id, g.user["team_id"]])
    return redirect(url_for("team.index") + "#steder")


@bp.post("/devices/<device_id>/lost")
@admin_required
def mark_lost(device_id):
    """A lost or stolen phone: end every session on it at once."""
    db = get_db()
    with transaction(db):
        changed = db.execute("UPDATE devices SET lost_at = ?, lost_by = ? WHERE id = ? AND team_id = ? AND lost_at IS NULL",
                             [sessions.stamp(), g.user["id"], device_id, g.user["team_id"]]).rowcount
        if not changed and not db.execute("SELECT 1 FROM devices WHERE id = ? AND team_id = ?",
                                          [device_id, g.user["team_id"]]).fetchone():
            abort(404, description="Ingen sådan telefon i dit team.")
        sessions.revoke(db, device_id=device_id)
        # Whoever holds it must not see the team's overdue check-ins on its lock screen.
        push.forget_device(db, device_id)
    flash("Telefonen er meldt mistet. Alle dens sessioner er afsluttet.")
    return redirect(url_for("team.index") + "#telefoner")
