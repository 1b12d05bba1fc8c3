"""Coverage of the team's mapping: which areas and places were visited in a
week or a month, how often, at which parts of the day, and which places are
past their plan. Plain figures for a template, and a small SVG per area drawn
as data (no chart library, no map tiles: it must work on a page with no
script and say the same to a screen reader in its table).
"""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from .place_forms import PARTS, part_of_day
from .place_queries import due, team_places, visits

BAR_H, BAR_GAP, WIDTH = 18, 8, 300


def period(kind, start):
    """[start, end) of the week (Monday first) or month holding `start`, as local dates."""
    if kind == "uge":
        first = start - timedelta(days=start.weekday())
        return first, first + timedelta(days=7)
    first = start.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1)


def _utc(day, zone):
    return datetime.combine(day, time.min, zone).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def coverage(db, team_id, kind, start, zone_name, now=None):
    """The figures for one period: per area its places with visits and parts of
    the day, the areas and places not visited, and every place past its plan now."""
    zone = ZoneInfo(zone_name)
    first, end = period(kind, start)
    lo, hi = _utc(first, zone), _utc(end, zone)
    places = team_places(db, team_id)
    by_name = {p["name"]: p for p in places}
    rows = [r for r in visits(db, team_id, since=lo) if r["occurred_at"] < hi]
    counts = {p["name"]: {"visits": 0, "parts": dict.fromkeys([k for k, *_ in PARTS], 0)} for p in places}
    for r in rows:
        if r["place"] in counts:
            local = datetime.fromisoformat(r["occurred_at"].replace("Z", "+00:00")).astimezone(zone)
            counts[r["place"]]["visits"] += 1
            counts[r["place"]]["parts"][part_of_day(local.hour)] += 1
    areas = {}
    for p in places:
        area = areas.setdefault(p["area"] or "Uden område", {"name": p["area"] or "Uden område", "places": [],
                                                              "visits": 0})
        area["places"].append({"id": p["id"], "name": p["name"], **counts[p["name"]]})
        area["visits"] += counts[p["name"]]["visits"]
    for area in areas.values():
        area["chart"] = bars(area["places"])
    now = (now or datetime.now(timezone.utc)).astimezone(zone)
    last = {}
    for r in visits(db, team_id):
        last[r["place"]] = r["occurred_at"]
    overdue = []
    for p in places:
        d = due(p, last.get(p["name"]), now)
        if d and d["overdue"]:
            overdue.append({"id": p["id"], "name": p["name"], "area": p["area"], "visit_days": p["visit_days"],
                            "days_since": d["days_since"]})
    return {"kind": kind, "first": first, "last": end - timedelta(days=1), "areas": list(areas.values()),
            "visits": len(rows),
            "elsewhere": sum(1 for r in rows if r["place"] not in by_name), "overdue": overdue,
            "previous": period(kind, first - timedelta(days=1))[0],
            "next": end if end <= now.date() else None}


def bars(places):
    """One horizontal bar per place, its length the visits, the name above it; unvisited places get a stub."""
    most = max([p["visits"] for p in places] + [1])
    rows, y = [], 0
    for p in places:
        y += 14
        length = round(p["visits"] / most * (WIDTH - 40))
        rows.append({"name": p["name"], "visits": p["visits"], "label_y": y, "bar_y": y + 4,
                     "width": max(length, 2), "count_x": max(length, 2) + 6})
        y += 4 + BAR_H + BAR_GAP
    return {"width": WIDTH, "height": y, "bar_h": BAR_H, "rows": rows}


def parse_start(value):
    """The period's start from ?fra=YYYY-MM-DD, or None for a bad one."""
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
