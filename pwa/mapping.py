"""The mapping as a document, and its coverage: pages for the whole team.

/places/mapping prints the team's places under the headings of the manual's
appendix 2B (areas and their times, places, partners) with the template's
columns, for the yearly review and for a new colleague. /places/coverage
shows a week or a month of visits per area (coverage.py).
"""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, g, render_template, request

from . import coverage as cov
from .content import content
from .dates import local_date
from .db import get_db
from .auth import login_required
from .place_forms import PART_LABELS
from .place_queries import team_places

bp = Blueprint("mapping", __name__, url_prefix="/places")


@bp.get("/mapping")
@login_required
def document():
    places = team_places(get_db(), g.user["team_id"])
    areas = {}
    for p in places:
        areas.setdefault(p["area"] or "Uden område", []).append(p)
    partners = [(p, partner) for p in places for partner in p["partners"]]
    return render_template("mapping.html", words=content()["mapping"], areas=areas, places=places,
                           partners=partners, today=local_date(datetime.now(timezone.utc).isoformat()))


@bp.get("/coverage")
@login_required
def coverage():
    kind = request.args.get("periode", "uge")
    if kind not in ("uge", "maaned"):
        abort(400, description="periode: Vælg uge eller måned.")
    zone = current_app.config["TIME_ZONE"]
    start = cov.parse_start(request.args["fra"]) if "fra" in request.args else datetime.now(
        ZoneInfo(zone)).date()
    if start is None or start.year < 2000:
        abort(400, description="fra: En dato som 2026-11-30.")
    figures = cov.coverage(get_db(), g.user["team_id"], kind, start, zone)
    return render_template("coverage.html", c=figures, parts=PART_LABELS)
