"""Flask-WTF forms for setup, login and team administration (CSRF on all of them).

Lengths and the CPR rule come from rules.py, the same ones the phones' uploads
meet; WTForms writes each Length into the field's maxlength/minlength.
"""
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Regexp, ValidationError

from .rules import (CPR_REFUSAL, LIMITS, MIN_PASSWORD, MIN_USERNAME, USERNAME, USERNAME_RULE, looks_like_cpr,
                    normalise_username)

PASSWORD_HINT = f"Mindst {MIN_PASSWORD} tegn. Brug gerne en sætning, du kan huske."


def no_cpr(form, field):
    if looks_like_cpr(field.data):
        raise ValidationError(CPR_REFUSAL[0].upper() + CPR_REFUSAL[1:] + ".")


def longest(rule):
    return Length(max=LIMITS[rule], message=f"Højst {LIMITS[rule]} tegn.")


# Phones capitalise the first letter of a text field; a username is not a sentence.
USERNAME_INPUT = {"autocapitalize": "none", "autocorrect": "off", "spellcheck": "false"}


def username_field():
    # The rule is the field's hint, read before submitting, and its error.
    return StringField("Brugernavn", filters=[normalise_username], description=USERNAME_RULE,
                       render_kw=USERNAME_INPUT, validators=[
                           InputRequired("Vælg et brugernavn."), Length(min=MIN_USERNAME, max=LIMITS["username"]),
                           no_cpr, Regexp(USERNAME, message="Kun " + USERNAME_RULE[0].lower() + USERNAME_RULE[1:])])


def person_name_field(label, missing):
    return StringField(label, validators=[InputRequired(missing), longest("person_name"), no_cpr])


def password_field(label="Adgangskode"):
    return PasswordField(label, validators=[
        InputRequired("Skriv en adgangskode."),
        Length(min=MIN_PASSWORD, max=LIMITS["password"],
               message=f"Adgangskoden skal have mindst {MIN_PASSWORD} tegn.")],
        description=PASSWORD_HINT)


class DeviceForm(FlaskForm):
    # Filled by static/js/device.js with this phone's id, so sessions and a
    # lost-phone report can name the device. Without JS the server makes one.
    device_id = HiddenField()


class SetupForm(DeviceForm):
    team_name = StringField("Teamets navn", validators=[InputRequired("Skriv teamets navn."), longest("team_name"),
                                                        no_cpr],
                            description="Fx »Udgående team, Aarhus«.")
    name = person_name_field("Dit navn", "Skriv dit navn.")
    username = username_field()
    password = password_field()
    password_confirm = PasswordField("Gentag adgangskode", validators=[
        InputRequired("Gentag adgangskoden."), EqualTo("password", message="De to adgangskoder er ikke ens.")])


class LoginForm(DeviceForm):
    username = StringField("Brugernavn", filters=[normalise_username], render_kw=USERNAME_INPUT,
                           validators=[InputRequired("Skriv dit brugernavn."), Length(max=LIMITS["username"])])
    password = PasswordField("Adgangskode", validators=[InputRequired("Skriv din adgangskode."),
                                                        Length(max=LIMITS["password"])])


class WorkerForm(FlaskForm):
    name = person_name_field("Navn", "Skriv medarbejderens navn.")
    username = username_field()
    password = password_field("Første adgangskode")
    is_admin = BooleanField("Administrator for teamet")


class ResetPasswordForm(FlaskForm):
    password = password_field("Ny adgangskode")


class ConfirmForm(FlaskForm):
    """Renders the CSRF token for one-button actions; the check is app-wide (csrf.py)."""


class CloseAlertForm(FlaskForm):
    """How an alert ended, in one line: the team's record of who did what."""
    outcome = StringField("Hvordan endte det?", description="Én linje, fx »Talt med Bo, alt OK«. Aldrig borgerens navn.",
                          validators=[InputRequired("Hvordan endte det: skriv kort, hvordan det endte."),
                                      Length(max=LIMITS["outcome"],
                                             message=f"Hvordan endte det: højst {LIMITS['outcome']} tegn."), no_cpr])


class PlaceForm(FlaskForm):
    place = StringField("Nyt sted", validators=[InputRequired("Skriv stedets navn."), longest("place_name"), no_cpr],
                        description="Fx »Banegårdsparken« eller »Varmestuen«. Ingen adresser på borgere.")


class CitizenForm(FlaskForm):
    alias = StringField("Alias eller initialer", validators=[InputRequired("Skriv et alias eller initialer."),
                                                             longest("alias"), no_cpr],
                        description="Aldrig CPR-nummer eller fulde navn.")
    description = StringField("Kort beskrivelse", validators=[longest("description"), no_cpr],
                              description="Så kolleger kan genkende borgeren, fx tøj, hund, cykel.")
    places = StringField("Faste steder", validators=[longest("places"), no_cpr])
