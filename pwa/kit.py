"""The field kit pages: BVC, stages, prompts, checklists.

They carry nothing about citizens or users, so the service worker can
precache them and they work with no network and no login. Each page also
works without JavaScript: choices travel as query parameters and the server
renders the same result the script shows live.
"""
from flask import Blueprint, abort, render_template, request
from markupsafe import Markup

from . import circle, search, team_rules
from . import content as c
from .bvc import band_ids, bands, score
from .rules import LIMITS

bp = Blueprint("kit", __name__)

# The pages the service worker precaches, in the order of the nav bar.
PAGES = ["/", "/bvc", "/stages", "/prompts", "/manual", "/about", "/offline", "/log", "/search"]
# Pair safety: nothing (login, network, update) may stand between a worker and the timer.
PAGES += ["/timer", "/settings"]
# Today's round (rounds.py): a static shell like /log, filled from the phone.
PAGES += ["/round"]


@bp.app_template_global()
def cite(source):
    """Whose words a text is, beside the text: the manual's (with its section), our advice, or the team's."""
    return Markup('<span class="cite cite-{}">{}</span>').format(source["kind"], c.source_label(source))


@bp.app_template_global()
def is_precached():
    """A page every phone keeps in its cache: it must not say who is logged in."""
    return request.path in PAGES


@bp.app_template_global()
def cards_near(near):
    return c.cards_near(near)


def _stage_arg():
    stage_id = request.args.get("stage", "")
    if stage_id in ("", "alle"):
        return None
    if c.stage(stage_id) is None:
        abort(400, description=f"stage: ukendt stadie '{stage_id}'")
    return c.stage(stage_id)


def _team_rule_defaults():
    # These pages are precached and the same for everyone: they carry the
    # defaults, and js/team-rules.js shows the phone's copy of the team's rules.
    return {"team_rules": team_rules.for_page(), "rule_words": c.content()["team_rules"]}


def _stage_names():
    return {s["id"]: s["name"] for s in c.stages()}


@bp.get("/")
def home():
    return render_template("home.html")


@bp.get("/bvc")
def bvc():
    checked = request.args.getlist("items")
    try:
        total, band = score(checked)
    except ValueError as e:
        abort(400, description=f"items: {e}")
    known = request.args.get("borger", "ukendt")
    if known not in ("kendt", "ukendt"):
        abort(400, description="borger: skal være 'kendt' eller 'ukendt'")
    return render_template("bvc.html", bvc=c.content()["bvc"], checked=set(checked),
                           total=total, band=band, known=known, stage_names=_stage_names(),
                           score_keep=team_rules.BY_ID["score_keep"].default_value(), **_team_rule_defaults())


@bp.get("/stages")
def stages():
    return render_template("stages.html", stages=c.content()["stages"],
                           selected=_stage_arg(), segments=circle.segments(),
                           techniques={t["id"]: t for t in c.techniques()})


@bp.get("/prompts")
def prompts():
    data = c.content()
    return render_template("prompts.html", techniques=data["techniques"], stages=c.stages(),
                           selected=_stage_arg(), avoid=data["avoid"], technique_examples=data["technique_examples"],
                           change_talk=data["change_talk"],
                           stages_for=c.stages_for_technique)


@bp.get("/manual")
def manual():
    data = c.content()
    return render_template("manual.html", phases=data["phases"],
                           inclusion=data["inclusion_criteria"], change_talk=data["change_talk"])


@bp.get("/about")
def about():
    return render_template("about.html", data=c.content())


@bp.get("/search")
def search_page():
    # The index is in the page, so the precached copy searches offline; the
    # query is answered here too, for a phone without JavaScript.
    q = request.args.get("q", "")
    if len(q) > LIMITS["search_q"]:
        abort(400, description=f"q: søgningen må højst være {LIMITS['search_q']} tegn")
    return render_template("search.html", q=q, results=search.find(q), index=search.index())


@bp.get("/log")
def log():
    # A static shell, the same for everyone, so it can be precached and open
    # offline: the team's workers, places and citizens come from the phone's
    # IndexedDB (log.js), never from this response.
    data = c.content()
    return render_template("log.html", bvc=data["bvc"], stages=c.stages(), techniques=c.techniques(),
                           stage_names=_stage_names())


@bp.get("/offline")
def offline():
    return render_template("offline.html")


@bp.get("/timer")
def timer():
    band = request.args.get("band", "")
    if band not in ("", *band_ids()):
        abort(400, description="band: skal være 'low', 'moderate' eller 'high'")
    return render_template("timer.html", bands=bands(), band=band or "low",
                           sms_rule=next(r for r in c.content()["bvc"]["pair_rules"] if r.get("id") == "sms"),
                           **_team_rule_defaults())


@bp.get("/settings")
def settings():
    return render_template("settings.html", bands=bands(), **_team_rule_defaults())
