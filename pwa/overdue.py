"""Overdue check-ins and the escalation of every alert.

A running timer past its due time means a worker has not checked in. The team
page shows the viewer's own team's (template global ``overdue_checkins``).
``flask notify-overdue``, run by cron every minute, opens one alert per missed
check-in (alerts.py) and takes each open alert through its steps, each once:
the pair at once by Web Push (push.py), then the
coordinators by e-mail and SMS (sms.py): at once for the help button and the
duress code, for a missed check-in after the team's ``escalate_after``
minutes. Someone taking the alert on /team stops the steps; a check-in closes
it. Timers themselves (events, replay) are timers.py.
"""
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import click
from flask import current_app, g
from flask.cli import with_appcontext

from . import alerts, bvc, push, sms, team_rules, timers
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


def _mail(subject, body, to):
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    return msg


def _words(alert, team_name):
    """(subject, e-mail body, SMS text) for one alert, in Danish."""
    who, place = alert["worker"], alert["place"] or "ikke angivet"
    if alert["kind"] == "overdue":
        subject = f"Gadekontakt: {who} har ikke tjekket ind"
        body = (f"{who} ({team_name}) skulle have tjekket ind senest kl. {local_clock(alert['due_at'])}"
                f" og har ikke gjort det.\n\n"
                f"Sted: {place}\n"
                f"Timeren blev startet kl. {local_clock(alert['started_at'])}.\n"
                f"{last_checkin(alert)}\n\n"
                f"Ring til {who} eller makkeren nu. Følg teamets aftaler, hvis I ikke får kontakt.\n")
        text = (f"Gadekontakt: {who} har ikke tjekket ind (senest kl. {local_clock(alert['due_at'])}). "
                f"Sted: {place}. Ring nu. Tag alarmen på teamsiden.")
    elif alert["kind"] == "help":
        subject = f"Gadekontakt: {who} har trykket på hjælp-knappen"
        body = (f"{who} ({team_name}) trykkede på hjælp-knappen kl. {local_clock(alert['raised_at'])}.\n\n"
                f"Sted: {place}\n\nRing til {who} eller makkeren nu. Følg teamets aftaler.\n")
        text = f"Gadekontakt: {who} beder om hjælp (kl. {local_clock(alert['raised_at'])}). Sted: {place}. Ring nu."
    else:
        # The worker typed the duress code: whoever stands beside them must not find out.
        subject = f"Gadekontakt: STILLE ALARM fra {who}"
        body = (f"{who} ({team_name}) tastede sin tvangskode kl. {local_clock(alert['raised_at'])}: "
                f"{who} er måske ikke fri til at tale.\n\n"
                f"Sted: {place}\n\n"
                f"Telefonen viser et helt almindeligt »Jeg er OK«. Ring ikke, som om du ved det. "
                f"Følg teamets aftaler; ved akut fare ring 112.\n")
        text = (f"Gadekontakt: STILLE ALARM fra {who} kl. {local_clock(alert['raised_at'])}. Sted: {place}. "
                f"Afslør det ikke. Følg teamets aftaler; ved akut fare 112.")
    body += "\nSendt én gang pr. alarm af Gadekontakt. Den, der tager alarmen på teamsiden, stopper flere beskeder.\n"
    return subject, body, text


def _send(msg):
    cfg = current_app.config
    with smtplib.SMTP(cfg["SMTP_HOST"], int(cfg["SMTP_PORT"]), timeout=20) as smtp:
        if cfg.get("SMTP_STARTTLS"):
            smtp.starttls()
        if cfg.get("SMTP_USERNAME"):
            smtp.login(cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"])
        smtp.send_message(msg)


def coordinator_phones(team_id):
    """COORDINATOR_PHONE is one number (or a list) for all teams, or a mapping of team id to them."""
    setting = current_app.config.get("COORDINATOR_PHONE")
    if isinstance(setting, dict):
        setting = setting.get(str(team_id)) or setting.get(team_id)
    if not setting:
        return []
    # From the environment, eight digits arrive as a number (Flask reads GADEKONTAKT_* values as JSON).
    return [str(setting)] if isinstance(setting, (str, int)) else [str(n) for n in setting]


def _partner(db, alert):
    """Today's partner as named at the start of the alert's timer (or, for a help or duress alert
    sent without one, of the worker's running timer), if the server knows one."""
    row = db.execute(
        "SELECT e.partner_user_id FROM checkin_events e JOIN checkin_timers t ON t.id = e.timer_id"
        " WHERE e.type = 'start' AND e.partner_user_id IS NOT NULL AND e.partner_user_id != t.user_id"
        " AND t.team_id = ? AND t.user_id = ? AND (t.id = ? OR (? IS NULL AND t.status = 'running'))"
        " ORDER BY t.started_at DESC LIMIT 1",
        [alert["team_id"], alert["user_id"], alert["timer_id"], alert["timer_id"]]).fetchone()
    return row["partner_user_id"] if row else None


def push_to_pair(db, alert, tally=None):
    """Web Push for an alert; what went out, or None when nothing reached a phone (the claim on
    pushed_at is then given back and the next run tries again).

    A missed check-in goes to the worker's phones and the partner's. Help and
    duress go to the partner only, never to the worker's own phone (a duress
    alert must not show on it). The payload holds no name or place (push.py).
    E-mail and SMS to the coordinators go on regardless, and the phone's own
    alarm and sms: link never depend on this. `tally`, if given, adds up the
    alerts pushed and each push's outcome, for cron's summary line."""
    partner = _partner(db, alert)
    if alert["kind"] == "overdue":
        counts = push.push_to_users(db, alert["team_id"], [alert["user_id"]], push.overdue_payload(alert["timer_id"]))
        if partner:
            more = push.push_to_users(db, alert["team_id"], [partner],
                                      push.overdue_payload(alert["timer_id"], partner=True))
            counts = {k: counts[k] + more[k] for k in counts}
    elif partner:
        counts = push.push_to_users(db, alert["team_id"], [partner], {"type": alert["kind"], "alert": alert["id"]})
    else:
        return None
    if tally is not None and any(counts.values()):
        tally["alerts"] += 1
        for k in counts:
            tally[k] += counts[k]
    return f"sendt til {counts['sent']} telefon(er)" if counts["sent"] else None


def open_overdue_alerts(db, at):
    """One alert per missed check-in, in every team; return how many are new."""
    rows = db.execute(
        "SELECT id, team_id, user_id, due_at, place, started_at, checked_in_at FROM checkin_timers"
        " WHERE status = 'running' AND due_at < ? AND due_at >= ?",
        [timers.stamp(at), timers.stamp(at - OVERDUE_WINDOW)]).fetchall()
    opened = 0
    with transaction(db):
        for t in rows:
            _, created = alerts.open_alert(
                db, team_id=t["team_id"], user_id=t["user_id"], kind="overdue", raised_at=timers.stamp(at),
                place=t["place"], place_at=t["checked_in_at"] or t["started_at"], timer_id=t["id"], due_at=t["due_at"])
            opened += created
    return opened


def _step(db, alert, column, action, send, at):
    """Run one escalation step once: claim it, send, and give the claim back if sending failed,
    so two overlapping cron runs never send twice and a failure is tried again next minute."""
    with transaction(db):
        claimed = db.execute(f"UPDATE alerts SET {column} = ? WHERE id = ? AND {column} IS NULL AND state = 'open'",
                             [timers.stamp(at), alert["id"]]).rowcount
    if not claimed:
        return None
    try:
        detail = send()
    except (OSError, smtplib.SMTPException, sms.SmsError) as e:
        current_app.logger.error("alert %s: %s failed: %s", alert["id"], action, e)
        detail = None
    with transaction(db):
        if detail is None:
            db.execute(f"UPDATE alerts SET {column} = NULL WHERE id = ?", [alert["id"]])
        else:
            alerts.log(db, alert["id"], action, detail=detail)
    return detail is not None


def escalate(db, at=None, pushed=None):
    """Every open alert's next steps: the pair at once (push_to_pair), then the coordinators by
    e-mail and SMS: at once for help and duress, for a missed check-in once the team's
    `escalate_after` minutes have passed with no check-in and nobody taking it. Returns (sent, failed)
    for e-mail and SMS; a push that reaches no phone is tried again next minute and fails nothing.
    `pushed` (a dict of counts) is filled as push_to_pair's tally."""
    at = at or timers.now()
    cfg = current_app.config
    sent = failed = 0
    waits = {}      # each team's escalate_after, read once per run
    rows = db.execute(
        "SELECT a.*, u.name AS worker, m.name AS team_name, t.started_at, t.checked_in_at FROM alerts a"
        " JOIN users u ON u.id = a.user_id JOIN teams m ON m.id = a.team_id"
        " LEFT JOIN checkin_timers t ON t.id = a.timer_id"
        " WHERE a.state = 'open' AND (a.pushed_at IS NULL OR a.mailed_at IS NULL OR a.texted_at IS NULL)"
        " AND (a.due_at IS NULL OR a.due_at >= ?) ORDER BY a.id", [timers.stamp(at - OVERDUE_WINDOW)]).fetchall()
    for alert in rows:
        if alert["pushed_at"] is None:
            _step(db, alert, "pushed_at", "pushed", lambda: push_to_pair(db, alert, pushed), at)
        if alert["kind"] == "overdue":
            if alert["team_id"] not in waits:
                waits[alert["team_id"]] = team_rules.values(alert["team_id"])[0]["escalate_after"]["value"]
            if at < timers.parse(alert["due_at"]) + timedelta(minutes=waits[alert["team_id"]]):
                continue
        subject, body, text = _words(alert, alert["team_name"])
        to = coordinator_email(alert["team_id"])
        if alert["mailed_at"] is None and to and cfg.get("SMTP_HOST") and cfg.get("MAIL_FROM"):
            done = _step(db, alert, "mailed_at", "mailed", lambda: _send(_mail(subject, body, to)) or to, at)
            sent, failed = sent + (done is True), failed + (done is False)
        phones = coordinator_phones(alert["team_id"])
        if alert["texted_at"] is None and phones and sms.enabled():
            done = _step(db, alert, "texted_at", "texted", lambda: "sms-id " + ", ".join(map(str, sms.send(phones, text))), at)
            sent, failed = sent + (done is True), failed + (done is False)
    return sent, failed


@click.command("notify-overdue")
@with_appcontext
def notify_overdue_command():
    """Open an alert for each missed check-in, then take open alerts through their steps (push the pair,
    then the coordinators), each step once (cron, every minute)."""
    cfg = current_app.config
    db = get_db()
    # /healthz watches that cron keeps calling this, whether or not e-mail is on.
    mark_run(db, "notify_overdue")
    at = timers.now()
    click.echo(f"Opened {open_overdue_alerts(db, at)} alert(s).")
    if not (cfg.get("SMTP_HOST") and cfg.get("MAIL_FROM") and cfg.get("COORDINATOR_EMAIL")):
        click.echo("E-mail is off: set SMTP_HOST, MAIL_FROM and COORDINATOR_EMAIL.")
    if not (sms.enabled() and cfg.get("COORDINATOR_PHONE")):
        click.echo("SMS is off: set SMS_GATEWAY_URL, SMS_GATEWAY_KEY and COORDINATOR_PHONE.")
    pushed = {"alerts": 0, "sent": 0, "gone": 0, "failed": 0}
    sent, failed = escalate(db, at, pushed)
    if pushed["alerts"]:
        click.echo("Pushed {alerts} alert(s): {sent} sent, {gone} gone, {failed} failed.".format(**pushed))
    click.echo(f"Sent {sent}, failed {failed}.")
    if failed:
        raise SystemExit(1)


def init_app(app):
    # E-mail is optional: without an SMTP host the command sends nothing.
    # SMS likewise: without a gateway URL and key (sms.py) no SMS is sent.
    for key, value in (("SMTP_HOST", None), ("SMTP_PORT", 25), ("SMTP_STARTTLS", False), ("SMTP_USERNAME", None),
                       ("SMTP_PASSWORD", None), ("MAIL_FROM", None), ("COORDINATOR_EMAIL", None),
                       ("SMS_GATEWAY_URL", None), ("SMS_GATEWAY_KEY", None), ("SMS_SENDER", "Gadekontakt"),
                       ("COORDINATOR_PHONE", None)):
        app.config.setdefault(key, value)
    app.cli.add_command(notify_overdue_command)
    app.jinja_env.globals.update(overdue_checkins=overdue_checkins, checkin_clock=local_clock,
                                 checkin_minutes_overdue=minutes_overdue)
