"""Alerts with an owner: a missed check-in, the help button, the duress code.

An alert is about one worker of one team. It is open until someone in the
team takes it ("Jeg tager den"), and closed with a one-line outcome; a
check-in closes a missed check-in's alert by itself. Everything that happens
to an alert is written to alert_history in the same transaction, and that
table is append-only (migration 0018's triggers), like the access log.

This module holds the rows and their states and no views: the team page's
forms and the phone's API are alert_views.py, the escalation overdue.py.
Callers open the transaction; every function here writes inside one.
"""
from datetime import datetime, timezone

KINDS = ("overdue", "help", "duress")
# Duress first: it is the one a worker could not say out loud.
PRIORITY = {"duress": 0, "help": 1, "overdue": 2}
NAMES = {"overdue": "Overskredet tjek-ind", "help": "Hjælp-knappen", "duress": "Stille alarm (tvangskode)"}
_FMT = "%Y-%m-%dT%H:%M:%S.{ms:03d}Z"


def stamp(moment=None):
    """The one time format of timers and alerts (text columns that sort as times)."""
    moment = (moment or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return moment.strftime(_FMT).format(ms=moment.microsecond // 1000)


def log(db, alert_id, action, user_id=None, detail="", at=None):
    db.execute("INSERT INTO alert_history (alert_id, at, user_id, action, detail) VALUES (?, ?, ?, ?, ?)",
               [alert_id, at or stamp(), user_id, action, detail])


def open_alert(db, *, team_id, user_id, kind, raised_at, place="", place_at=None, timer_id=None, due_at=None,
               client_id=None, by=None):
    """Open an alert once: the same missed check-in, or the same id from a phone, gives the first one back.

    Returns (alert_id, created). `by` is who raised it (the worker, for help
    and duress); an overdue alert is raised by nobody, the clock."""
    if kind not in KINDS:
        raise ValueError(kind)
    same = ("SELECT id FROM alerts WHERE client_id = ?", [client_id]) if client_id else \
        ("SELECT id FROM alerts WHERE kind = 'overdue' AND timer_id = ? AND due_at = ?", [timer_id, due_at])
    found = db.execute(*same).fetchone()
    if found:
        return found["id"], False
    alert_id = db.execute(
        "INSERT INTO alerts (team_id, user_id, kind, timer_id, due_at, client_id, raised_at, place, place_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [team_id, user_id, kind, timer_id, due_at, client_id, raised_at, place or "", place_at]).lastrowid
    log(db, alert_id, "raised", by)
    return alert_id, True


# A duress alert is never shown to the worker it is about: whoever holds that
# worker's phone (or stands beside it) must not learn that it went off.
_NOT_OWN_DURESS = " AND NOT (a.kind = 'duress' AND a.user_id = ?)"


def get(db, team_id, alert_id, viewer_id):
    """One alert of this team as `viewer_id` may see it, or None: another team's alert does not exist here."""
    return db.execute(_SELECT + " WHERE a.team_id = ? AND a.id = ?" + _NOT_OWN_DURESS,
                      [team_id, alert_id, viewer_id]).fetchone()


def take(db, alert, user_id, at=None):
    """The viewer owns it from now: the escalation stops. Only an open alert can be taken.
    Returns False when someone else was first (the row changed under us)."""
    at = at or stamp()
    done = db.execute("UPDATE alerts SET state = 'taken', taken_by = ?, taken_at = ? WHERE id = ? AND state = 'open'",
                      [user_id, at, alert["id"]]).rowcount
    if done:
        log(db, alert["id"], "taken", user_id, at=at)
    return bool(done)


def close(db, alert, user_id, outcome, at=None):
    """Closed with how it ended. Returns False when it was closed already."""
    at = at or stamp()
    done = db.execute("UPDATE alerts SET state = 'closed', closed_by = ?, closed_at = ?, outcome = ?"
                      " WHERE id = ? AND state != 'closed'", [user_id, at, outcome, alert["id"]]).rowcount
    if done:
        log(db, alert["id"], "closed", user_id, outcome, at=at)
    return bool(done)


def settle_timer(db, timer_id, timer):
    """A check-in, an extension or an end reached the server: the missed check-in
    it answers is over, so its alert closes by itself (closed_by is nobody).
    `timer` is the timer's row as timers.replay left it."""
    if timer is None:
        return
    still_due = timer["due_at"] if timer["status"] == "running" else None
    if timer["status"] != "running":
        outcome = "Timeren er afsluttet på telefonen."
    elif timer["checked_in_at"] and timer["checked_in_at"] == timer["updated_at"]:
        outcome = "Tjekket ind (»Jeg er OK«)."
    else:
        outcome = "Timeren er forlænget på telefonen."
    for row in db.execute("SELECT id FROM alerts WHERE kind = 'overdue' AND timer_id = ? AND state != 'closed'"
                          " AND due_at IS NOT ?", [timer_id, still_due]).fetchall():
        close(db, row, None, outcome, at=timer["updated_at"])


_SELECT = (
    "SELECT a.*, u.name AS worker, tb.name AS taken_by_name, cb.name AS closed_by_name FROM alerts a"
    " JOIN users u ON u.id = a.user_id LEFT JOIN users tb ON tb.id = a.taken_by LEFT JOIN users cb ON cb.id = a.closed_by")


def open_for_team(db, team_id, viewer_id):
    """What the team must act on: open and taken alerts, the most urgent kind first, then the oldest."""
    rows = db.execute(_SELECT + " WHERE a.team_id = ? AND a.state != 'closed'" + _NOT_OWN_DURESS +
                      " ORDER BY a.raised_at", [team_id, viewer_id])
    return sorted((dict(r, name=NAMES[r["kind"]]) for r in rows), key=lambda r: PRIORITY[r["kind"]])


def recently_closed(db, team_id, viewer_id, limit=5):
    rows = db.execute(_SELECT + " WHERE a.team_id = ? AND a.state = 'closed'" + _NOT_OWN_DURESS +
                      " ORDER BY a.closed_at DESC LIMIT ?", [team_id, viewer_id, limit])
    return [dict(r, name=NAMES[r["kind"]]) for r in rows]


def history(db, alert_id):
    return db.execute("SELECT h.at, h.action, h.detail, u.name AS who FROM alert_history h"
                      " LEFT JOIN users u ON u.id = h.user_id WHERE h.alert_id = ? ORDER BY h.id", [alert_id]).fetchall()
