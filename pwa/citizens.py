"""The team's citizens as pages: the list with search, and one citizen's timeline.

Online only and never cached: these pages carry citizens' data, so they are
sent with ``Cache-Control: no-store`` (auth.login_required) and the service
worker passes them by.
"""
import json
from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for

from . import audit, bvc, chart
from . import content as c
from . import citizen_queries, rules
from .auth import admin_required, login_required
from .dates import age_in_words, local_date, local_time
from .db import get_db, transaction
from .forms import CitizenForm, ConfirmForm

bp = Blueprint("citizens", __name__)


def _pair(enc):
    """A makkerscore on the timeline: the other score's total and the items the two disagreed on, by name."""
    if not enc["bvc_partner"]:
        return None
    names = {i["id"]: i["name"] for i in bvc.items()}
    return {"total": sum(enc["bvc_partner"].values()),
            "differ": [names[i] for i in bvc.differences(enc["bvc"], enc["bvc_partner"])]}


def _labels():
    bands = {b["id"]: b for b in bvc.bands()}
    stages = {s["id"]: s["name"] for s in c.stages()}
    techniques = {t["id"]: t["name"] for t in c.techniques()}
    return {"bands": bands, "stages": stages, "techniques": techniques, "age": age_in_words, "local": local_time,
            "local_date": local_date}


def _own_citizen(db, citizen_id):
    """A citizen of the worker's own team, or 404: other teams' citizens do not exist here."""
    citizen = citizen_queries.get_citizen(db, g.user["team_id"], citizen_id)
    if citizen is None:
        abort(404, description="Ingen sådan borger i dit team.")
    return citizen


def _page():
    page = rules.page_number(request.args.get("page"))
    if page is None:
        abort(400, description=f"page: skal være et sidetal fra 1 til {rules.MAX_PAGE}.")
    return page


@bp.get("/citizens")
@login_required
def index():
    q = request.args.get("q", "").strip()
    if len(q) > rules.LIMITS["q"]:
        abort(400, description=f"q: Søgningen må højst være {rules.LIMITS['q']} tegn.")
    page = _page()
    # One more than a page tells whether there is a next one; only what is shown is logged as read.
    rows = citizen_queries.list_citizens(get_db(), g.user["team_id"], q, limit=rules.PAGE_SIZE + 1,
                                         offset=(page - 1) * rules.PAGE_SIZE)
    more, rows = len(rows) > rules.PAGE_SIZE, rows[:rules.PAGE_SIZE]
    audit.record([r["id"] for r in rows], "list", "side")
    return render_template("citizens.html", citizens=rows, q=q, page=page, more=more, **_labels())


@bp.get("/citizens/<citizen_id>")
@login_required
def show(citizen_id):
    db = get_db()
    citizen = _own_citizen(db, citizen_id)
    page = _page()
    # The newest contacts, a page at a time: years of contacts would make a
    # page no phone scrolls and a chart no one can read.
    encounters = citizen_queries.encounters_for(db, g.user["team_id"], citizen_id, limit=rules.PAGE_SIZE + 1,
                                                offset=(page - 1) * rules.PAGE_SIZE)
    older, encounters = len(encounters) > rules.PAGE_SIZE, encounters[-rules.PAGE_SIZE:]
    for enc in encounters:
        enc["pair"] = _pair(enc)
    audit.record([citizen_id], "view", "side")
    return render_template("citizen.html", confirm=ConfirmForm(), citizen=citizen, encounters=encounters,
                           chart=chart.timeline(encounters, day=local_date), page=page, older=older, **_labels())


@bp.route("/citizens/<citizen_id>/edit", methods=["GET", "POST"])
@login_required
def edit(citizen_id):
    """Correct how the team names and recognises a citizen (a new jacket, a typo in the alias).

    Encounters are corrected on the phone (sync.py: amends); the citizen's
    own details are the team's shared description, corrected here, online.
    """
    db = get_db()
    citizen = _own_citizen(db, citizen_id)
    form = CitizenForm(data=citizen if request.method == "GET" else None)
    if form.validate_on_submit():
        # An optional field left out of the form altogether is None, not "".
        new = {k: (form[k].data or "").strip() for k in ("alias", "description", "places")}
        changed = [k for k in new if new[k] != (citizen[k] or "")]
        if changed:
            with transaction(db):
                db.execute("UPDATE citizens SET alias = ?, description = ?, places = ? WHERE id = ? AND team_id = ?",
                           [new["alias"], new["description"], new["places"], citizen_id, g.user["team_id"]])
                # Which fields, never their values: the log must not become a copy of the data.
                audit.record([citizen_id], "edit_citizen", ", ".join(changed), db=db)
            flash("Oplysningerne er rettet.")
        return redirect(url_for("citizens.show", citizen_id=citizen_id))
    audit.record([citizen_id], "view", "ret")
    status = 400 if form.errors else 200
    return render_template("citizen_edit.html", form=form, citizen=citizen), status


@bp.get("/citizens/<citizen_id>/export")
@admin_required
def export(citizen_id):
    """Everything held about one citizen, for a request of access (GDPR art. 15)."""
    db = get_db()
    citizen = _own_citizen(db, citizen_id)
    audit.record([citizen_id], "export")
    log = db.execute("SELECT at, user_id, device_id, action, detail FROM access_log WHERE citizen_id = ? AND team_id = ? "
                     "ORDER BY id", [citizen_id, g.user["team_id"]]).fetchall()
    body = {"exported_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "citizen": citizen,
            "encounters": citizen_queries.encounters_for(db, g.user["team_id"], citizen_id, history=True),
            "access_log": [dict(r) for r in log]}
    resp = current_app.response_class(json.dumps(body, ensure_ascii=False, indent=2), mimetype="application/json")
    resp.headers["Content-Disposition"] = f"attachment; filename=borger-{citizen_id}.json"
    return resp


@bp.post("/citizens/<citizen_id>/erase")
@admin_required
def erase(citizen_id):
    """Delete one citizen with all their encounters (GDPR art. 17); the access log keeps that it happened."""
    db = get_db()
    citizen = _own_citizen(db, citizen_id)
    if request.form.get("confirm_alias", "").strip() != citizen["alias"]:
        abort(400, description="confirm_alias: Skriv borgerens alias præcis for at bekræfte sletningen.")
    with transaction(db):
        n = db.execute("DELETE FROM encounters WHERE citizen_id = ? AND team_id = ?", [citizen_id, g.user["team_id"]]).rowcount
        db.execute("DELETE FROM citizens WHERE id = ? AND team_id = ?", [citizen_id, g.user["team_id"]])
        audit.record([citizen_id], "erase", f"{n} kontakter", db=db)
    flash(f"Borgeren og {n} kontakter er slettet.")
    return redirect(url_for("citizens.index"))
