"""The team's places: its geographic mapping (the manual's appendix 2B) as pages.

Every worker reads the places, each place's page and the printable mapping;
only the team's administrator adds, edits and removes them. Everything is
scoped to the user's own team: another team's place answers 404, as if it did
not exist. The team page's quick "add a place" (team.py) writes the same
table, so the contact log's picker (from /api/session) lists both.
"""
import sqlite3

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for

from . import place_queries as q
from .auth import admin_required, login_required
from .dates import local_date, local_time
from .db import get_db, transaction
from .forms import ConfirmForm
from .place_forms import DAYS, KINDS, MONTH, PART_LABELS, PlaceDetailsForm, filled, values
from .sessions import stamp

bp = Blueprint("places", __name__, url_prefix="/places")


def _own_place(place_id):
    place = q.get_place(get_db(), g.user["team_id"], place_id)
    if place is None:
        abort(404, description="Intet sådant sted i dit team.")
    return place


def _words():
    return {"days": DAYS, "parts": PART_LABELS, "month": MONTH, "kinds": KINDS, "local": local_time,
            "local_date": local_date}


@bp.get("")
@login_required
def index():
    db = get_db()
    places = q.team_places(db, g.user["team_id"])
    zone = current_app.config["TIME_ZONE"]
    for place in places:
        place["summary"] = q.place_summary(db, g.user["team_id"], place, zone, weeks=1)
    return render_template("places.html", places=places, confirm=ConfirmForm(),
                           free_text=q.free_text_places(db, g.user["team_id"]) if g.user["is_admin"] else [],
                           **_words())


@bp.get("/<int:place_id>")
@login_required
def show(place_id):
    place = _own_place(place_id)
    summary = q.place_summary(get_db(), g.user["team_id"], place, current_app.config["TIME_ZONE"])
    return render_template("place.html", place=place, summary=summary, confirm=ConfirmForm(), **_words())


def _save(form, place_id=None):
    """Insert or update from a valid form; a name the team already has is the name field's error."""
    row = values(form)
    db = get_db()
    try:
        with transaction(db):
            if place_id is None:
                cols = ", ".join(row)
                place_id = db.execute(f"INSERT INTO places (team_id, {cols}, updated_at) VALUES"
                                      f" (?, {', '.join('?' * len(row))}, ?)",
                                      [g.user["team_id"], *row.values(), stamp()]).lastrowid
            else:
                sets = ", ".join(f"{k} = ?" for k in row)
                db.execute(f"UPDATE places SET {sets}, updated_at = ? WHERE id = ? AND team_id = ?",
                           [*row.values(), stamp(), place_id, g.user["team_id"]])
    except sqlite3.IntegrityError:
        form.name.errors.append("Teamet har allerede et sted med det navn.")
        return None
    return place_id


def _edit_page(form, place=None, status=200):
    return render_template("place_edit.html", form=form, place=place, **_words()), status


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    form = PlaceDetailsForm()
    if request.method == "GET":
        form.name.data = request.args.get("navn", "")[:200]
        return _edit_page(form)
    if form.validate_on_submit():
        place_id = _save(form)
        if place_id:
            flash(f"{form.name.data.strip()} er tilføjet.")
            return redirect(url_for("places.show", place_id=place_id))
    return _edit_page(form, status=400)


@bp.route("/<int:place_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(place_id):
    place = _own_place(place_id)
    if request.method == "GET":
        return _edit_page(filled(place), place)
    form = PlaceDetailsForm()
    if form.validate_on_submit() and _save(form, place_id):
        flash("Stedet er gemt. Telefonerne henter det, næste gang de er på nettet.")
        return redirect(url_for("places.show", place_id=place_id))
    return _edit_page(form, place, status=400)


@bp.post("/<int:place_id>/delete")
@admin_required
def delete(place_id):
    place = _own_place(place_id)
    db = get_db()
    with transaction(db):
        db.execute("DELETE FROM places WHERE id = ? AND team_id = ?", [place_id, g.user["team_id"]])
    # Contacts logged there keep the name as text; it shows again under "skrevet i kontaktloggen".
    flash(f"{place['name']} er fjernet fra listen.")
    return redirect(url_for("places.index"))
