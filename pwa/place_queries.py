"""What the team's log says about its places, always scoped to one team.

A visit is a contact logged at a place (encounters.place holds the place's
name, as the contact log's picker writes it) or a stop ticked off on a round
(once per round and place, however many phones ticked it).
Counts only: which citizen was met where is never shown here, and the bands
are tallies. Times are read in the team's time zone (dates.py's TIME_ZONE),
so a contact at 23:30 Danish time counts on its Danish day and part of day.
"""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from .place_forms import as_dict, part_of_day

BANDS = ("low", "moderate", "high")


def team_places(db, team_id):
    return [as_dict(r) for r in db.execute("SELECT * FROM places WHERE team_id = ? ORDER BY area = '', area, name",
                                           [team_id])]


def get_place(db, team_id, place_id):
    row = db.execute("SELECT * FROM places WHERE id = ? AND team_id = ?", [place_id, team_id]).fetchone()
    return as_dict(row) if row else None


def visits(db, team_id, since=None, place=None):
    """(place name, occurred_at, band or None, kind) of every visit, oldest first.

    `kind` is "contact" for a logged contact and "round" for a round's stop.
    """
    params = [team_id]
    sql = ("SELECT place, occurred_at, bvc_band AS band, 'contact' AS kind FROM encounters"
           " WHERE team_id = ? AND superseded_by IS NULL AND place != ''")
    if since:
        sql += " AND occurred_at >= ?"
        params.append(since)
    if place is not None:
        sql += " AND place = ?"
        params.append(place)
    ticks = ("SELECT place_name AS place, min(done_at) AS occurred_at, NULL AS band, 'round' AS kind"
             " FROM round_ticks WHERE team_id = ?")
    params.append(team_id)
    if place is not None:
        ticks += " AND place_name = ?"
        params.append(place)
    ticks += " GROUP BY round_id, place_id"
    if since:
        ticks += " HAVING min(done_at) >= ?"
        params.append(since)
    return db.execute(f"{sql} UNION ALL {ticks} ORDER BY 2", params).fetchall()


def _local(iso, zone):
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(zone)


def week_key(moment):
    year, week, _ = moment.isocalendar()
    return f"{year}-U{week:02d}"


def place_summary(db, team_id, place, zone_name, now=None, weeks=8):
    """The place page's figures: last visit, contacts per week (the last `weeks`
    ISO weeks, this one included), the bands met there, and whether it is due."""
    zone = ZoneInfo(zone_name)
    now = (now or datetime.now(timezone.utc)).astimezone(zone)
    rows = visits(db, team_id, place=place["name"])
    last = rows[-1]["occurred_at"] if rows else None
    week_starts = [(now - timedelta(days=now.weekday(), weeks=n)).date() for n in range(weeks - 1, -1, -1)]
    per_week = {week_key(datetime.combine(d, datetime.min.time())): 0 for d in week_starts}
    bands = dict.fromkeys(BANDS, 0)
    unscored = 0
    for r in rows:
        if r["kind"] != "contact":
            continue
        key = week_key(_local(r["occurred_at"], zone))
        if key in per_week:
            per_week[key] += 1
        if r["band"] in bands:
            bands[r["band"]] += 1
        else:
            unscored += 1
    return {"last_visit": last, "per_week": [{"week": k, "start": d, "contacts": v}
                                             for (k, v), d in zip(per_week.items(), week_starts)],
            "bands": bands, "unscored": unscored, "contacts": sum(r["kind"] == "contact" for r in rows),
            "due": due(place, last, now)}


def due(place, last_visit, now):
    """By the team's plan: None (no plan), or {"overdue": bool, "by": date the next visit is due}."""
    if not place.get("visit_days"):
        return None
    if last_visit is None:
        return {"overdue": True, "by": None, "days_since": None}
    then = _local(last_visit, now.tzinfo)
    by = then.date() + timedelta(days=place["visit_days"])
    return {"overdue": now.date() > by, "by": by, "days_since": (now.date() - then.date()).days}


def free_text_places(db, team_id, limit=20):
    """Places typed as free text in the log that are not on the team's list, most used first."""
    return db.execute(
        "SELECT place AS name, count(*) AS contacts, max(occurred_at) AS last_at FROM encounters e"
        " WHERE team_id = ? AND superseded_by IS NULL AND place != ''"
        " AND NOT EXISTS (SELECT 1 FROM places p WHERE p.team_id = e.team_id AND p.name = e.place)"
        " GROUP BY place ORDER BY contacts DESC, place LIMIT ?", [team_id, limit]).fetchall()


def part_counts(rows, zone_name):
    """Visits per part of the day (morgen, dag, aften, nat) in the team's time zone."""
    zone = ZoneInfo(zone_name)
    counts = {}
    for r in rows:
        key = part_of_day(_local(r["occurred_at"], zone).hour)
        counts[key] = counts.get(key, 0) + 1
    return counts
