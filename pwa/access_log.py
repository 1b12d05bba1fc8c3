"""The access-log page: administrators read who did what to which citizen, and export it.

Per citizen and per worker, and as CSV for a data protection officer. Times
in the team's time zone; citizens by alias, and seeing them here is itself
logged (view_access_log). What the query string names is checked before
anything is read or written: a citizen is a UUID the team holds or held (an
erased citizen's log stays readable), a worker is one of the team's; every
join is scoped to the team, so another team's alias never shows; and no GET
writes text it was given, only the id of the team's own citizen.
"""
import csv
import io

from flask import Blueprint, Response, abort, g, render_template, request

from . import rules
from .audit import ACTIONS, record
from .auth import admin_required
from .dates import local_time
from .db import get_db

bp = Blueprint("access_log", __name__, url_prefix="/admin")

# OWASP's CSV-injection guidance: a cell a spreadsheet would read as a formula
# (or a tab/CR that moves to one) starts with a quote, and every cell is quoted.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _entries(team_id, citizen_id=None, user_id=None, limit=None, before=None):
    """Newest first. `before` (an entry id) gives the page after it: each page is a seek in
    the (team_id[, citizen_id | user_id]) indexes, which list entries in id order (migration 0009)."""
    sql = ("SELECT a.id, a.at, u.name AS user, a.user_id, a.device_id, a.citizen_id, c.alias, a.action, a.detail "
           "FROM access_log a LEFT JOIN users u ON u.id = a.user_id AND u.team_id = a.team_id "
           "LEFT JOIN citizens c ON c.id = a.citizen_id AND c.team_id = a.team_id "
           "WHERE a.team_id = ?")
    params = [team_id]
    if citizen_id:
        sql, params = sql + " AND a.citizen_id = ?", params + [citizen_id]
    if user_id:
        sql, params = sql + " AND a.user_id = ?", params + [user_id]
    if before:
        sql, params = sql + " AND a.id < ?", params + [before]
    sql += " ORDER BY a.id DESC" + (f" LIMIT {int(limit)}" if limit else "")
    return get_db().execute(sql, params).fetchall()


def _team_citizen(team_id, value):
    """The citizen id from the query string: a UUID the team holds, or held before an erasure."""
    citizen_id = rules.parse_uuid(value)
    if citizen_id is None:
        abort(400, description="citizen: skal være et borger-id (UUID).")
    db = get_db()
    known = db.execute("SELECT 1 FROM citizens WHERE id = ? AND team_id = ?", [citizen_id, team_id]).fetchone() or \
        db.execute("SELECT 1 FROM access_log WHERE citizen_id = ? AND team_id = ? AND action != 'view_access_log' "
                   "LIMIT 1", [citizen_id, team_id]).fetchone()
    if not known:
        abort(404, description="citizen: ingen sådan borger i dit team.")
    return citizen_id


def _team_worker(team_id, value):
    user_id = rules.parse_id(value)
    if user_id is None:
        abort(400, description="user: skal være en medarbejder i dit team.")
    if not get_db().execute("SELECT 1 FROM users WHERE id = ? AND team_id = ?", [user_id, team_id]).fetchone():
        abort(404, description="user: ingen sådan medarbejder i dit team.")
    return user_id


def _before():
    """Where a page of the log begins: below an entry id ("Ældre poster")."""
    value = request.args.get("before", "")
    if not value:
        return None
    before = rules.parse_id(value)
    if before is None:
        abort(400, description="before: skal være et postnummer fra loggen.")
    return before


def _filters():
    team_id = g.user["team_id"]
    citizen, user = request.args.get("citizen"), request.args.get("user")
    return (_team_citizen(team_id, citizen) if citizen else None), (_team_worker(team_id, user) if user else None)


@bp.get("/access-log")
@admin_required
def view():
    citizen_id, user_id = _filters()
    before = _before()
    entries = _entries(g.user["team_id"], citizen_id, user_id, limit=rules.PAGE_SIZE + 1, before=before)
    older = entries[rules.PAGE_SIZE - 1]["id"] if len(entries) > rules.PAGE_SIZE else None
    entries = entries[:rules.PAGE_SIZE]
    # The page names each citizen by alias (an administrator may see the team's
    # citizens), so showing it is itself a read of those citizens, logged as one.
    shown = list(dict.fromkeys(e["citizen_id"] for e in entries if e["alias"]))
    if citizen_id and citizen_id not in shown:
        shown.append(citizen_id)
    record(shown, "view_access_log", "" if citizen_id else "oversigt")
    workers = get_db().execute("SELECT id, name FROM users WHERE team_id = ? ORDER BY name",
                               [g.user["team_id"]]).fetchall()
    return render_template("access_log.html", entries=entries, actions=ACTIONS, workers=workers,
                           citizen_id=citizen_id, user_id=user_id, before=before, older=older,
                           local=local_time)


def csv_cell(value):
    """A value as a spreadsheet must show it: text that starts like a formula is quoted first."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@bp.get("/access-log.csv")
@admin_required
def export_csv():
    citizen_id, user_id = _filters()
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow(["tidspunkt_utc", "medarbejder", "medarbejder_id", "telefon_id", "borger_id", "handling", "detaljer"])
    for e in _entries(g.user["team_id"], citizen_id, user_id):
        writer.writerow([csv_cell(e[k]) for k in ("at", "user", "user_id", "device_id", "citizen_id", "action",
                                                   "detail")])
    resp = Response(out.getvalue(), mimetype="text/csv")
    resp.headers["Content-Disposition"] = "attachment; filename=adgangslog.csv"
    resp.cache_control.no_store = True
    return resp
