"""The team's citizens as pages: the list with search, and one citizen's timeline.

Online only and never cached: these pages carry citizens' data, so they are
sent with ``Cache-Control: no-store`` and the service worker passes them by.
"""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, g, render_template, request

from . import chart
from . import content as c
from . import records
from .auth import login_required
from .db import get_db

bp = Blueprint("citizens", __name__)


@bp.after_request
def _no_store(response):
    response.cache_control.no_store = True
    return response


def age_in_words(iso):
    """'i dag', 'i går', 'for 3 dage siden' — how old a risk score is."""
    if not iso:
        return ""
    then = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    days = (datetime.now(timezone.utc).date() - then.date()).days
    return "i dag" if days <= 0 else "i går" if days == 1 else f"for {days} dage siden"


def local_time(iso):
    """UTC from the database, shown in the team's own time zone (Danish format)."""
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(ZoneInfo(current_app.config["TIME_ZONE"]))
    return moment.strftime("%d.%m.%Y kl. %H:%M")


def _labels():
    bands = {b["id"]: b for b in c.content()["bvc"]["bands"]}
    stages = {s["id"]: s["name"] for s in c.stages()}
    techniques = {t["id"]: t["name"] for t in c.techniques()}
    return {"bands": bands, "stages": stages, "techniques": techniques, "age": age_in_words, "local": local_time}


@bp.get("/citizens")
@login_required
def index():
    q = request.args.get("q", "").strip()
    if len(q) > 40:
        abort(400, description="q: Søgningen må højst være 40 tegn.")
    rows = records.list_citizens(get_db(), g.user["team_id"], q)
    return render_template("citizens.html", citizens=rows, q=q, **_labels())


@bp.get("/citizens/<citizen_id>")
@login_required
def show(citizen_id):
    db = get_db()
    citizen = records.get_citizen(db, g.user["team_id"], citizen_id)
    if citizen is None:
        abort(404, description="Ingen sådan borger i dit team.")
    encounters = records.encounters_for(db, g.user["team_id"], citizen_id)
    return render_template("citizen.html", citizen=citizen, encounters=encounters,
                           chart=chart.timeline(encounters), **_labels())
