"""The access-log page: administrators read who did what to which citizen, and export it.

Per citizen and per worker, and as CSV for a data protection officer. Times
in the team's time zone; citizens by alias, and seeing them here is itself
logged (view_access_log).
"""
import csv
import io

from flask import Blueprint, Response, abort, g, render_template, request

from .audit import ACTIONS, record
from .auth import admin_required
from .dates import local_time
from .db import get_db

bp = Blueprint("access_log", __name__, url_prefix="/admin")


def _entries(team_id, citizen_id=None, user_id=None, limit=None):
    sql = ("SELECT a.at, u.name AS user, a.user_id, a.device_id, a.citizen_id, c.alias, a.action, a.detail "
           "FROM access_log a LEFT JOIN users u ON u.id = a.user_id LEFT JOIN citizens c ON c.id = a.citizen_id "
           "WHERE a.team_id = ?")
    params = [team_id]
    if citizen_id:
        sql, params = sql + " AND a.citizen_id = ?", params + [citizen_id]
    if user_id:
        sql, params = sql + " AND a.user_id = ?", params + [user_id]
    sql += " ORDER BY a.id DESC" + (f" LIMIT {int(limit)}" if limit else "")
    return get_db().execute(sql, params).fetchall()


def _filters():
    citizen_id = request.args.get("citizen") or None
    try:
        user_id = int(request.args["user"]) if request.args.get("user") else None
    except ValueError:
        abort(400, description="user: skal være et tal")
    return citizen_id, user_id


@bp.get("/access-log")
@admin_required
def view():
    citizen_id, user_id = _filters()
    entries = _entries(g.user["team_id"], citizen_id, user_id, limit=500)
    # The page names each citizen by alias (an administrator may see the team's
    # citizens), so showing it is itself a read of those citizens, logged as one.
    shown = list(dict.fromkeys(e["citizen_id"] for e in entries if e["alias"]))
    if citizen_id and citizen_id not in shown:
        shown.append(citizen_id)
    record(shown, "view_access_log", "" if citizen_id else "oversigt")
    workers = get_db().execute("SELECT id, name FROM users WHERE team_id = ? ORDER BY name",
                               [g.user["team_id"]]).fetchall()
    return render_template("access_log.html", entries=entries, actions=ACTIONS, workers=workers,
                           citizen_id=citizen_id, user_id=user_id, local=local_time)


@bp.get("/access-log.csv")
@admin_required
def export_csv():
    citizen_id, user_id = _filters()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["tidspunkt_utc", "medarbejder", "medarbejder_id", "telefon_id", "borger_id", "handling", "detaljer"])
    for e in _entries(g.user["team_id"], citizen_id, user_id):
        writer.writerow([e["at"], e["user"], e["user_id"], e["device_id"], e["citizen_id"], e["action"], e["detail"]])
    resp = Response(out.getvalue(), mimetype="text/csv")
    resp.headers["Content-Disposition"] = "attachment; filename=adgangslog.csv"
    resp.cache_control.no_store = True
    return resp
