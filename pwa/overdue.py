"""Overdue check-ins: the list on the team page, and the coordinator's e-mail.

A running timer past its due time means a worker has not checked in. The team
page shows the viewer's own team's (template global ``overdue_checkins``), and
``flask notify-overdue``, run by cron every minute, mails each one to the
team's coordinator once. Timers themselves (events, replay) are timers.py.
"""
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import click
from flask import current_app, g
from flask.cli import with_appcontext

from . import bvc, push, timers
from .db import get_db, transaction
from .health import mark_run

# A running timer overdue for longer than this is a forgotten one, not an
# emergency; past it the team page and the e-mail leave it alone.
OVERDUE_WINDOW = timedelta(hours=24)


def overdue(db, team_id, at=None):
    """Running timers of one team whose check-in is overdue, oldest first. A timer the worker
    checked in on runs on until it is ended, so it is overdue whenever its next check-in is."""
    at = at or timers.now()
    rows = db.execute(
        "SELECT t.id, u.name AS worker, t.started_at, t.due_at, t.place, t.band, t.checked_in_at FROM checkin_timers t"
        " JOIN users u ON u.id = t.user_id"
        " WHERE t.team_id = ? AND t.status = 'running' AND t.due_at < ? AND t.due_at >= ? ORDER BY t.due_at",
        [team_id, timers.stamp(at), timers.stamp(at - OVERDUE_WINDOW)])
    names = {b["id"]: b["name"] for b in bvc.bands()}
    return [dict(r, band_name=names.get(r["band"])) for r in rows]


def local_clock(iso):
    """'14.05' in the team's time zone: Danish clock format."""
    zone = ZoneInfo(current_app.config["TIME_ZONE"])
    return timers.parse(iso).astimezone(zone).strftime("%H.%M")


def minutes_overdue(iso, at=None):
    return max(0, int(((at or timers.now()) - timers.parse(iso)).total_seconds() // 60))


def overdue_checkins():
    """For templates: the viewer's own team's overdue check-ins (none when logged out)."""
    user = g.get("user")
    if not user:
        return []
    return overdue(get_db(), user["team_id"])


def coordinator_email(team_id):
    """COORDINATOR_EMAIL is one address for all teams, or a mapping of team id to address."""
    setting = current_app.config.get("COORDINATOR_EMAIL")
    if isinstance(setting, dict):
        return setting.get(str(team_id)) or setting.get(team_id)
    return setting or None


def last_checkin(timer):
    """The last sign of life the server has: a check-in, or the start."""
    if timer["checked_in_at"]:
        return f"Sidst tjekket ind kl. {local_clock(timer['checked_in_at'])}."
    return "Ikke tjekket ind siden starten."


def _message(timer, team_name, to):
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = f"Gadekontakt: {timer['worker']} har ikke tjekket ind"
    place = timer["place"] or "ikke angivet"
    msg.set_content(
        f"{timer['worker']} ({team_name}) skulle have tjekket ind senest kl. {local_clock(timer['due_at'])}"
        f" og har ikke gjort det.\n\n"
        f"Sted: {place}\n"
        f"Timeren blev startet kl. {local_clock(timer['started_at'])}.\n"
        f"{last_checkin(timer)}\n\n"
        f"Ring til {timer['worker']} eller makkeren nu. Følg teamets aftaler, hvis I ikke får kontakt.\n\n"
        f"Sendt én gang for hver overskredet tjek-ind af Gadekontakt. Se også teamsiden.\n")
    return msg


def _send(msg):
    cfg = current_app.config
    with smtplib.SMTP(cfg["SMTP_HOST"], int(cfg["SMTP_PORT"]), timeout=20) as smtp:
        if cfg.get("SMTP_STARTTLS"):
            smtp.starttls()
        if cfg.get("SMTP_USERNAME"):
            smtp.login(cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"])
        smtp.send_message(msg)


def notify_overdue(db, at=None):
    """Mail each missed check-in to its team's coordinator once; return (sent, failed).

    Once per due time: a check-in or an extension clears notified_at
    (timers._recompute), so a timer that is missed again is mailed again."""
    at = at or timers.now()
    sent = failed = 0
    teams = db.execute("SELECT DISTINCT t.team_id, m.name AS team_name FROM checkin_timers t JOIN teams m ON m.id = t.team_id"
                       " WHERE t.status = 'running' AND t.notified_at IS NULL AND t.due_at < ?", [timers.stamp(at)]).fetchall()
    for team in teams:
        to = coordinator_email(team["team_id"])
        if not to:
            continue
        for timer in overdue(db, team["team_id"], at):
            # Claim before sending, so two overlapping cron runs never mail twice;
            # a failed send gives the claim back for the next run.
            with transaction(db):
                claimed = db.execute("UPDATE checkin_timers SET notified_at = ? WHERE id = ? AND notified_at IS NULL",
                                     [timers.stamp(at), timer["id"]]).rowcount
            if not claimed:
                continue
            try:
                _send(_message(timer, team["team_name"], to))
                sent += 1
            except (OSError, smtplib.SMTPException) as e:
                current_app.logger.error("overdue mail for timer %s failed: %s", timer["id"], e)
                with transaction(db):
                    db.execute("UPDATE checkin_timers SET notified_at = NULL WHERE id = ?", [timer["id"]])
                failed += 1
    return sent, failed


def push_overdue(db, at=None):
    """Web Push each missed check-in to the worker's phones and the partner's, once per due time
    (push.py). First, and whether or not e-mail is on: it is the one that reaches the pair."""
    at = at or timers.now()
    return push.push_overdue(db, timers.stamp(at), timers.stamp(at - OVERDUE_WINDOW))


@click.command("notify-overdue")
@with_appcontext
def notify_overdue_command():
    """Push and mail overdue check-ins, each once (run from cron every minute)."""
    cfg = current_app.config
    # /healthz watches that cron keeps calling this, whether or not e-mail is on.
    mark_run(get_db(), "notify_overdue")
    pushed = push_overdue(get_db())
    if pushed["timers"]:
        click.echo("Pushed {timers} overdue check-ins: {sent} sent, {gone} gone, {failed} failed.".format(**pushed))
    if not (cfg.get("SMTP_HOST") and cfg.get("MAIL_FROM") and cfg.get("COORDINATOR_EMAIL")):
        click.echo("E-mail is off: set SMTP_HOST, MAIL_FROM and COORDINATOR_EMAIL.")
        return
    sent, failed = notify_overdue(get_db())
    click.echo(f"Sent {sent}, failed {failed}.")
    if failed:
        raise SystemExit(1)


def init_app(app):
    # E-mail is optional: without an SMTP host the command sends nothing.
    for key, value in (("SMTP_HOST", None), ("SMTP_PORT", 25), ("SMTP_STARTTLS", False), ("SMTP_USERNAME", None),
                       ("SMTP_PASSWORD", None), ("MAIL_FROM", None), ("COORDINATOR_EMAIL", None)):
        app.config.setdefault(key, value)
    app.cli.add_command(notify_overdue_command)
    app.jinja_env.globals.update(overdue_checkins=overdue_checkins, checkin_clock=local_clock,
                                 checkin_minutes_overdue=minutes_overdue)
