"""Times and dates as the team reads them: in its own time zone (TIME_ZONE,
Europe/Copenhagen by default), written the Danish way. The database keeps UTC.
Used by the citizen pages, the chart and the access log.
"""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app


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


def local_date(iso):
    """A date as Danes write it (3.11.2026), in the team's time zone when it is a moment."""
    if not iso:
        return ""
    if len(iso) == 10:  # a date already (a follow-up date)
        moment = datetime.fromisoformat(iso)
    else:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(ZoneInfo(current_app.config["TIME_ZONE"]))
    return f"{moment.day}.{moment.month}.{moment.year}"
