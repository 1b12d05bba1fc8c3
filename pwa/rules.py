"""Every rule about what a person may send us, in one place.

The limits, the CPR rule, the time window and the id and time checks live
here and nowhere else: the upload (sync.py), the timers, the forms, the
quarantine, sessions and the search check with them, the templates take their
``maxlength`` from them, the phone gets them from ``<html data-rules>`` (``for_phone``, read by
static/js/rules.js), and a test holds openapi.json's ``maxLength`` to them.
A rule written down twice drifts; two security defects came from that.
"""
import re
import sys
import unicodedata
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter
from werkzeug.urls import iri_to_uri

# The longest text each field takes, in characters (after trimming spaces).
LIMITS = {
    # A citizen, as a phone uploads one and the citizen page corrects one.
    "alias": 40, "description": 200, "places": 200,
    # An encounter.
    "place": 120, "note": 1000, "followup_step": 200,
    # Where a worker's check-in timer was started.
    "timer_place": 120,
    # The team page and setup: names of places, teams and workers, and logins.
    "place_name": 120, "team_name": 80, "person_name": 80, "username": 40, "password": 200,
    # The team's own rules (team_rules.py).
    "code_word": 60, "way_out": 300, "sms_rule": 300,
    # How an alert ended, one line on the team page (alerts.py).
    "outcome": 200,
    # The citizen search, and the search of the field kit's content.
    "q": 40, "search_q": 80,
    # A phone's Web Push subscription (push.py): the push service's URL (FCM,
    # Mozilla and Apple use 150-400 characters) and the two keys, base64url:
    # a P-256 point (65 bytes: 87 characters) and a 16-byte secret (22).
    "push_endpoint": 1000, "push_p256dh": 87, "push_auth": 22,
    # A place in the team's mapping (places.py): never a citizen's name. Its
    # area, its notes, and each partner working there.
    "area": 60, "access_notes": 500, "safety_notes": 500,
    "partner_organisation": 80, "partner_contact": 80, "partner_phone": 20,
}
# Partners named on one place, and the longest plan ("visit at least every n days").
MAX_PARTNERS = 3
# Places on one day's round.
MAX_ROUND_STOPS = 30
MAX_VISIT_DAYS = 365
# A partner's phone: digits, spaces, a leading "+" (+45 12 34 56 78).
PHONE = r"^\+?[0-9 ]+$"
MIN_USERNAME = 2
MIN_PASSWORD = 12
# Usernames: Danish names have æ, ø and å ("søren"), so Latin letters with
# their accents are allowed; no spaces or symbols, which are easy to mistype on
# a phone. A username is normalised (NFC, trimmed) wherever one is typed (setup,
# the team page, login, create-team), so an "å" typed as "a" plus a ring is the
# same name; the rule is said beside the field, before submitting.
USERNAME = r"^[A-Za-z0-9À-ÖØ-öø-ÿ._-]+$"
USERNAME_RULE = "Bogstaver (også æ, ø og å), tal, punktum, bindestreg og understreg – ingen mellemrum."

# Records or timer events in one upload; a phone sends fewer at a time.
MAX_BATCH = 500
# How deeply a JSON body may nest. Ours nest four levels ({"records": [{"bvc":
# {...}}]}); Python's parser runs out of stack near a thousand, which was a 500.
MAX_JSON_DEPTH = 16
# What a phone reported lost may hand in, in all, with no login (quarantine.py).
# Whoever holds a lost phone can send as much as the caps let them, and an
# administrator must look at each record, so the caps are a busy shift's
# outbox with room to spare, not the 2,000 records of ~2 MB each they were:
# records (refused ones included: each costs a check), the sealed bytes held
# (500 contacts of a full note in four-byte characters), and one sealed record
# (the longest valid contact seals to 11.5 KB if every character is one JSON
# must escape; tests/test_quarantine.py holds that it fits).
MAX_QUARANTINED = 500
MAX_QUARANTINED_BYTES = 4_000_000
MAX_SEALED_BYTES = 16_000
# Long lists come a page at a time: what a worker scans on a phone, and what
# one view writes to the access log, stay the same size after ten years of
# data (issue 17). The citizen list, a citizen's contacts, the access log.
PAGE_SIZE = 50
MAX_PAGE = 10_000
# A shift is at most half a day; a longer check-in timer is a typo, not a plan.
MAX_TIMER_MINUTES = 12 * 60

# A phone's clock may be a little off, but not by a day.
MAX_FUTURE = timedelta(days=1)
# Found by fuzzing: before year 1000 strftime drops digits ('25-11-13T...'),
# which sorts after today and breaks every page and query that reads the time
# back. No record predates 2000, and no phone reports a timer from before the
# app existed.
EARLIEST_RECORD = datetime(2000, 1, 1, tzinfo=timezone.utc)
EARLIEST_TIMER = datetime(2020, 1, 1, tzinfo=timezone.utc)

# The CPR rule. A CPR number is a birth date and four digits, and people write
# it in many ways: 010190-1234, 01.01.90-1234, 01/01/90 1234, with an en dash,
# a no-break space, a zero-width space pasted from somewhere. So the text is
# normalised first, then matched:
# 1. NFKC folds full-width digits and the odd spaces and dashes into plain ones;
# 2. invisible format characters (zero-width space, soft hyphen: Unicode Cf) go;
# 3. each run of separators (whitespace, any dash, dot, slash) becomes one "-".
# Then: six digits, or DD-MM-YY(YY) with separators, then an optional separator
# and four digits, with no digit on either side. A phone number (8 digits, also
# with +45 and spaces), a time ("kl. 12.44") or a date alone passes. Both
# patterns are written so JavaScript reads them the same way (no lookbehind):
# static/js/rules.js runs the very same strings, from for_phone().
CPR_SEPARATORS = r"[\s\-\u2010-\u2015\u2212./]+"
CPR_PATTERN = r"(?:^|[^0-9])(?:[0-9]{6}|[0-9]{2}-[0-9]{2}-[0-9]{2}(?:[0-9]{2})?)-?[0-9]{4}(?![0-9])"
_SEPARATORS = re.compile(CPR_SEPARATORS)
_CPR = re.compile(CPR_PATTERN)
CPR_REFUSAL = "ligner et CPR-nummer; skriv aldrig CPR-nummer eller fulde navn"


def normalise_username(value):
    return unicodedata.normalize("NFC", value.strip()) if isinstance(value, str) else value


def normalise_for_cpr(text):
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return _SEPARATORS.sub("-", text)


def looks_like_cpr(text):
    return bool(_CPR.search(normalise_for_cpr(text or "")))


class Refused(Exception):
    """One record or event breaks a rule: the field it is about and why, in Danish."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field, self.message = field, message


def claimed_id(item):
    """The id to answer with: the item's own if it is text, else None (never echo other JSON)."""
    return item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else None


def refusal(item_id, field, message):
    """One item's "refused" answer, the shape every batch API gives (openapi.json)."""
    return {"id": item_id, "status": "refused", "error": {"field": field, "message": message}}


def parse_uuid(value):
    """The canonical form of a UUID given as its 36 characters, or None."""
    if isinstance(value, str) and len(value) == 36:
        try:
            return str(uuid.UUID(value))
        except ValueError:
            pass
    return None


def uuid_field(value, field):
    found = parse_uuid(value)
    if found is None:
        raise Refused(field, "skal være et UUID")
    return found


def text(value, field, rule=None, required=False):
    """A trimmed text within its limit (LIMITS[rule or field]) and not like a CPR number."""
    if value is None and not required:
        value = ""
    if not isinstance(value, str):
        raise Refused(field, "skal være tekst")
    value = value.strip()
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:     # a lone surrogate from "\ud800" in the JSON
        raise Refused(field, "indeholder ugyldige tegn") from None
    if required and not value:
        raise Refused(field, "skal udfyldes")
    limit = LIMITS[rule or field]
    if len(value) > limit:
        raise Refused(field, f"må højst være {limit} tegn")
    if looks_like_cpr(value):
        raise Refused(field, CPR_REFUSAL)
    return value


def moment(value, field, earliest):
    """An ISO 8601 time with a zone, as an aware UTC datetime within the window."""
    try:
        if not isinstance(value, str):
            raise ValueError
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if found.tzinfo is None:
            raise ValueError
        found = found.astimezone(timezone.utc)  # OverflowError at year 1 or 9999 with an offset
    except (ValueError, OverflowError):
        raise Refused(field, "skal være et tidspunkt med tidszone (ISO 8601)") from None
    if found > datetime.now(timezone.utc) + MAX_FUTURE:
        raise Refused(field, "ligger i fremtiden")
    if found < earliest:
        raise Refused(field, f"ligger for langt tilbage (før år {earliest.year})")
    return found


def local_path(value):
    """`value` if it is a path on this site to send a person back to after login, else None.

    Only "/something": no scheme, no host, no backslash (browsers read it as
    "/"), no control or whitespace character (WHATWG URL parsing and Werkzeug
    both drop tabs and newlines, so "/\t/evil.example" became "//evil.example").
    Checked as given and again as Werkzeug writes it into the Location header.
    """
    if not isinstance(value, str) or not value.startswith("/"):
        return None
    if any(ch == "\\" or ch.isspace() or unicodedata.category(ch)[0] in "CZ" for ch in value):
        return None
    for form in (value, iri_to_uri(value)):
        parts = urlsplit(form)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or form.startswith("//"):
            return None
    return value


class IdConverter(IntegerConverter):
    """`<int:…>` in a URL: a whole number SQLite can hold. A larger one is no
    page (404) rather than an OverflowError when the query binds it (a 500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2 ** 63 - 1)
        super().__init__(map, *args, **kwargs)


def for_phone():
    """What the phone checks before it saves: rendered into ``<html data-rules>``, read by static/js/rules.js."""
    return {"limits": LIMITS, "max_future_hours": MAX_FUTURE / timedelta(hours=1),
            "cpr": {"separators": CPR_SEPARATORS, "pattern": CPR_PATTERN}}


def init_app(app):
    # Before the blueprints are registered, so every `<int:…>` rule uses it.
    app.url_map.converters["int"] = IdConverter
    # Templates take their maxlength and minlength from here too.
    app.jinja_env.globals.update(rules=sys.modules[__name__], rules_for_phone=for_phone)


def parse_id(value):
    """A row id from a query string (ASCII digits, at most 18 of them: it fits SQLite's
    integer), or None. int() takes other scripts' digits ('٣' is 3) and any length."""
    if not (isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18):
        return None
    return int(value)


def page_number(value):
    """A page number from a query string (1 to MAX_PAGE; absent is 1), or None."""
    if value is None or value == "":
        return 1
    page = parse_id(value)
    return page if page is not None and 1 <= page <= MAX_PAGE else None
