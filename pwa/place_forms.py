"""What a place in the team's mapping is made of, and the form an administrator fills in.

The words follow the manual's appendix 2B (the mapping template) and 3.3.1:
the kinds of place it names (parks, squares, væresteder, forsorgshjem,
stofindtagelsesrum, the citizen's own home), the times of day worth a visit,
the start and end of the month (when money is paid out, the scene moves), the
places that may only be visited when called, and the partners there. The
limits, the CPR rule and the phone pattern come from rules.py.
"""
import json

from flask_wtf import FlaskForm
from wtforms import (BooleanField, FieldList, Form, FormField, IntegerField, SelectField, SelectMultipleField,
                     StringField, TextAreaField)
# Choices as SelectChoice: WTForms 3.3 deprecates tuples (removed in 3.4).
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp

from .forms import longest, no_cpr
from .rules import MAX_PARTNERS, MAX_VISIT_DAYS, PHONE

KINDS = [("park", "Park"), ("plads", "Plads"), ("vaerested", "Værested"), ("forsorgshjem", "Forsorgshjem"),
         ("stofindtagelsesrum", "Stofindtagelsesrum"), ("hjem", "Borgers hjem"), ("andet", "Andet")]
DAYS = [("man", "Mandag"), ("tir", "Tirsdag"), ("ons", "Onsdag"), ("tor", "Torsdag"), ("fre", "Fredag"),
        ("lor", "Lørdag"), ("son", "Søndag")]
# Parts of the day, with the local hours each covers (start inclusive): the
# good times are ticked in them, and the coverage counts visits in them.
PARTS = [("morgen", "Morgen", 6, 10), ("dag", "Dag", 10, 16), ("aften", "Aften", 16, 22), ("nat", "Nat", 22, 6)]
PART_LABELS = [(key, label) for key, label, *_ in PARTS]
MONTH = [("maaned-start", "Først på måneden"), ("maaned-slut", "Sidst på måneden")]
SLOTS = [f"{d}-{p[0]}" for d, _ in DAYS for p in PARTS] + [m for m, _ in MONTH]
KIND_NAMES = dict(KINDS)


def part_of_day(hour):
    """The part of the day a local hour falls in ('nat' wraps past midnight)."""
    for key, _, start, end in PARTS:
        if (start <= hour < end) if start < end else (hour >= start or hour < end):
            return key
    raise ValueError(hour)


def times_in_words(slots):
    """'Man aften, tir aften · først på måneden': the good times, short, for a list or a phone."""
    days = [f"{dname[:3].lower()} {pname.lower()}" for d, dname in DAYS for p, pname, *_ in PARTS
            if f"{d}-{p}" in slots]
    months = [label.lower() for m, label in MONTH if m in slots]
    text = ", ".join(days)
    if months:
        text = (text + " · " if text else "") + ", ".join(months)
    return text[:1].upper() + text[1:]


class PartnerForm(Form):
    organisation = StringField("Organisation", validators=[longest("partner_organisation"), no_cpr])
    contact = StringField("Kontaktperson", validators=[longest("partner_contact"), no_cpr])
    phone = StringField("Telefon", validators=[Optional(), longest("partner_phone"),
                                                Regexp(PHONE, message="Kun tal, mellemrum og + forrest.")])


class PlaceDetailsForm(FlaskForm):
    name = StringField("Stedets navn", validators=[InputRequired("Skriv stedets navn."), longest("place_name"), no_cpr],
                       description="Fx »Banegårdsparken« eller »Varmestuen«. Aldrig en borgers navn eller adresse.")
    area = StringField("Område", validators=[longest("area"), no_cpr], description="Bydel eller kvarter, fx »Centrum«.")
    kind = SelectField("Slags sted", choices=[SelectChoice(v, label) for v, label in KINDS], default="andet")
    times = SelectMultipleField("Gode tidspunkter", choices=[SelectChoice(s, s) for s in SLOTS], validate_choice=True)
    by_appointment = BooleanField("Kun efter aftale / når vi er kaldt")
    visit_days = IntegerField("Besøg mindst hver … dag", validators=[
        Optional(), NumberRange(1, MAX_VISIT_DAYS, message=f"Et helt tal fra 1 til {MAX_VISIT_DAYS}.")],
        description="Teamets plan for stedet. Tomt: ingen fast plan.")
    access_notes = TextAreaField("Adgang", validators=[longest("access_notes"), no_cpr],
                                 description="Fx »Ring på hos personalet«, »Indgang fra gården«.")
    safety_notes = TextAreaField("Sikkerhed på stedet", validators=[longest("safety_notes"), no_cpr],
                                 description="Om stedet, aldrig om navngivne borgere: fx »To udgange«, »Hunde«, "
                                             "»Handel efter kl. 20«.")
    partners = FieldList(FormField(PartnerForm), min_entries=MAX_PARTNERS, max_entries=MAX_PARTNERS)


def values(form):
    """The form as the columns of a `places` row."""
    partners = [{k: (p[k] or "").strip() for k in ("organisation", "contact", "phone")} for p in form.partners.data]
    return {"name": form.name.data.strip(), "area": (form.area.data or "").strip(), "kind": form.kind.data,
            "times": json.dumps([s for s in SLOTS if s in (form.times.data or [])]),
            "by_appointment": int(bool(form.by_appointment.data)), "visit_days": form.visit_days.data,
            "access_notes": (form.access_notes.data or "").strip(),
            "safety_notes": (form.safety_notes.data or "").strip(),
            "partners": json.dumps([p for p in partners if any(p.values())], ensure_ascii=False)}


def filled(place):
    """The form for editing a stored place (as `as_dict` reads it)."""
    keys = ("name", "area", "kind", "times", "by_appointment", "visit_days", "access_notes", "safety_notes",
            "partners")
    return PlaceDetailsForm(data={k: place[k] for k in keys})


def as_dict(row):
    """A stored place as pages and the phone read it: lists parsed, the kind and times in words."""
    place = dict(row)
    place["times"] = json.loads(place["times"])
    place["partners"] = json.loads(place["partners"])
    place["kind_name"] = KIND_NAMES.get(place["kind"], "Andet")
    place["times_text"] = times_in_words(place["times"])
    place["by_appointment"] = bool(place["by_appointment"])
    return place
