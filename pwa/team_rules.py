"""The team's own safety rules ("Teamets aftaler"): one JSON object per team.

Each rule is defined once here (its kind and limits) and worded once in
content/da.json (label, hint, text default). A team's row holds only the
rules its administrator has set; every other rule shows its default, marked
as a default. New rules (an escalation time) are one more entry in RULES and
in da.json, with no schema change, as the score's keeping time was.

The rules hold no citizen data, so the phone may keep them in localStorage
and show them offline on /bvc, /timer and /settings.
"""
import json
from dataclasses import dataclass

from flask import Blueprint, g, jsonify
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, StopValidation

from . import content as c
from .db import get_db
from .forms import no_cpr
from .rules import LIMITS, MAX_TIMER_MINUTES as MAX_MINUTES

# Minutes to the check-in per BVC band, until the team agrees its own.
DEFAULT_MINUTES = {"low": 60, "moderate": 30, "high": 15}


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str                 # "text" (one line), "longtext", "minutes" or "switch" (on/off)
    max_len: int = 0
    default: object = None    # text defaults live in da.json

    def words(self):
        return next(r for r in c.content()["team_rules"]["rules"] if r["id"] == self.id)

    def default_value(self):
        return self.default if self.default is not None else self.words()["default"]


RULES = (
    Rule("code_word", "text", max_len=LIMITS["code_word"]),
    Rule("way_out", "longtext", max_len=LIMITS["way_out"]),
    Rule("sms_rule", "longtext", max_len=LIMITS["sms_rule"]),
    *(Rule(f"checkin_{band}", "minutes", default=minutes) for band, minutes in DEFAULT_MINUTES.items()),
    # How long the phone keeps a BVC score (for the timer's default, the
    # contact log, a return to /bvc): about one encounter and its log.
    Rule("score_keep", "minutes", default=2 * 60),
    # How long a missed check-in waits for the pair ("Jeg er OK", or someone
    # on the team taking the alert) before `flask notify-overdue` mails and
    # texts the coordinators (overdue.py).
    Rule("escalate_after", "minutes", default=10),
    # "Tjek ind med kode": "Jeg er OK" asks for the worker's own check-in
    # code, and a second code of theirs (the duress code) raises a silent
    # alert (checkin-code.js). Off until a team chooses it.
    Rule("checkin_code", "switch", default=False),
)
BY_ID = {r.id: r for r in RULES}


def _stored(team_id):
    row = get_db().execute("SELECT rules, updated_at FROM team_rules WHERE team_id = ?", [team_id]).fetchone()
    return (json.loads(row["rules"]), row["updated_at"]) if row else ({}, None)


def values(team_id=None):
    """Every rule with its value and whether it is still the default: the team's, or all defaults."""
    stored, updated_at = _stored(team_id) if team_id is not None else ({}, None)
    return {r.id: {"value": stored.get(r.id, r.default_value()), "default": r.id not in stored}
            for r in RULES}, updated_at


def for_page(team_id=None):
    """The rules as a page lists them: words from da.json with this team's values."""
    vals, _ = values(team_id)
    return [dict(r.words(), **vals[r.id]) for r in RULES]


class MinutesField(IntegerField):
    """Whole minutes. What is not a number becomes no number, so the one
    Danish message below says what is wrong (WTForms' own is in English)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None


def _whole_minutes(form, field):
    if field.data is None or not 1 <= field.data <= MAX_MINUTES:
        raise StopValidation(f"{field.label.text}: skriv et helt antal minutter fra 1 til {MAX_MINUTES}.")


def form_class():
    """A CSRF-protected form with one field per rule, built from RULES so a new rule needs no form code."""
    fields = {}
    for r in RULES:
        w = r.words()
        if r.kind == "minutes":
            fields[r.id] = MinutesField(w["label"], description=f"Minutter, fra 1 til {MAX_MINUTES}.",
                                        validators=[_whole_minutes])
        elif r.kind == "switch":
            fields[r.id] = BooleanField(w["label"], description=w["hint"])
        else:
            field = StringField if r.kind == "text" else TextAreaField
            fields[r.id] = field(w["label"], description=w["hint"], validators=[
                DataRequired(f"{w['label']}: skal udfyldes."),
                Length(max=r.max_len, message=f"{w['label']}: højst {r.max_len} tegn."), no_cpr])
    return type("TeamRulesForm", (FlaskForm,), fields)


def filled_form(team_id):
    """The form as the page first shows it: the team's values, defaults where it has none."""
    vals, _ = values(team_id)
    return form_class()(prefix="tr", formdata=None, data={k: v["value"] for k, v in vals.items()})


def save(db, team_id, user_id, form, now):
    """Store every rule from a validated form: from now on they are the team's, not defaults."""
    rules = {r.id: (getattr(form, r.id).data.strip() if r.kind in ("text", "longtext")
                    else bool(getattr(form, r.id).data) if r.kind == "switch" else getattr(form, r.id).data)
             for r in RULES}
    db.execute("INSERT INTO team_rules (team_id, rules, updated_at, updated_by) VALUES (?, ?, ?, ?) "
               "ON CONFLICT (team_id) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at, "
               "updated_by = excluded.updated_by",
               [team_id, json.dumps(rules, ensure_ascii=False), now, user_id])


# --- the phone's copy ----------------------------------------------------------------

bp = Blueprint("team_rules", __name__)


def init_app(app):
    # The precached pages (/bvc, /timer, /settings) carry the defaults.
    app.jinja_env.globals["timer_minutes"] = DEFAULT_MINUTES


@bp.get("/api/team/rules")
def api_rules():
    """The rules that apply to this phone: the team's when logged in, else the
    defaults with no team (the phone then keeps the copy it has)."""
    user = g.get("user")
    vals, updated_at = values(user["team_id"] if user else None)
    resp = jsonify({"team": {"id": user["team_id"], "name": user["team_name"]} if user else None,
                    "updated_at": updated_at, "rules": vals})
    resp.cache_control.no_store = True
    return resp
