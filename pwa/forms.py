"""Flask-WTF forms for setup, login and team administration (CSRF on all of them)."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Regexp, ValidationError

MIN_PASSWORD = 12
PASSWORD_HINT = f"Mindst {MIN_PASSWORD} tegn. Brug gerne en sætning, du kan huske."
USERNAME = Regexp(r"^[A-Za-z0-9._-]+$", message="Kun bogstaver a–z, tal, punktum, bindestreg og understreg.")


def password_field(label="Adgangskode"):
    return PasswordField(label, validators=[
        InputRequired("Skriv en adgangskode."),
        Length(min=MIN_PASSWORD, max=200, message=f"Adgangskoden skal have mindst {MIN_PASSWORD} tegn.")],
        description=PASSWORD_HINT)


class DeviceForm(FlaskForm):
    # Filled by static/js/device.js with this phone's id, so sessions and a
    # lost-phone report can name the device. Without JS the server makes one.
    device_id = HiddenField()


class SetupForm(DeviceForm):
    team_name = StringField("Teamets navn", validators=[InputRequired("Skriv teamets navn."), Length(max=80)],
                            description="Fx »Udgående team, Aarhus«.")
    name = StringField("Dit navn", validators=[InputRequired("Skriv dit navn."), Length(max=80)])
    username = StringField("Brugernavn", validators=[InputRequired("Vælg et brugernavn."), Length(min=2, max=40), USERNAME])
    password = password_field()
    password_confirm = PasswordField("Gentag adgangskode", validators=[
        InputRequired("Gentag adgangskoden."), EqualTo("password", message="De to adgangskoder er ikke ens.")])


class LoginForm(DeviceForm):
    username = StringField("Brugernavn", validators=[InputRequired("Skriv dit brugernavn."), Length(max=40)])
    password = PasswordField("Adgangskode", validators=[InputRequired("Skriv din adgangskode."), Length(max=200)])


class WorkerForm(FlaskForm):
    name = StringField("Navn", validators=[InputRequired("Skriv medarbejderens navn."), Length(max=80)])
    username = StringField("Brugernavn", validators=[InputRequired("Vælg et brugernavn."), Length(min=2, max=40), USERNAME])
    password = password_field("Første adgangskode")
    is_admin = BooleanField("Administrator for teamet")


class ResetPasswordForm(FlaskForm):
    password = password_field("Ny adgangskode")


class ConfirmForm(FlaskForm):
    """A form with nothing but the CSRF token, for one-button actions."""


class PlaceForm(FlaskForm):
    place = StringField("Nyt sted", validators=[InputRequired("Skriv stedets navn."), Length(max=120)],
                        description="Fx »Banegårdsparken« eller »Varmestuen«. Ingen adresser på borgere.")


def no_cpr(form, field):
    # The same rule as for records from the phones; imported here because
    # records imports audit, which imports auth, which imports these forms.
    from .records import CPR
    if CPR.search(field.data or ""):
        raise ValidationError("Ligner et CPR-nummer. Skriv aldrig CPR-nummer eller fulde navn.")


class CitizenForm(FlaskForm):
    alias = StringField("Alias eller initialer", validators=[InputRequired("Skriv et alias eller initialer."),
                                                             Length(max=40, message="Højst 40 tegn."), no_cpr],
                        description="Aldrig CPR-nummer eller fulde navn.")
    description = StringField("Kort beskrivelse", validators=[Length(max=200, message="Højst 200 tegn."), no_cpr],
                              description="Så kolleger kan genkende borgeren, fx tøj, hund, cykel.")
    places = StringField("Faste steder", validators=[Length(max=200, message="Højst 200 tegn."), no_cpr])
