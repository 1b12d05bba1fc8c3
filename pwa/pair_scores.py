"""How often the team's pairs disagreed on the BVC, item by item: a training signal.

When two workers score one citizen each on their own (the makkerscore, see
bvc.check_partner), the contact log keeps both. This page, for the team's
administrator, counts over the last WINDOW_DAYS how many pair scores there
were and on how many each item differed. Counts only: no citizen, no worker,
no date, since it is for the team's reflection days, not for judging anyone.
"""
import json
from datetime import datetime, timedelta, timezone

from flask import Blueprint, g, render_template

from . import bvc
from .auth import admin_required
from .content import content
from .db import get_db

bp = Blueprint("pair_scores", __name__)

# How far back the counts reach: about a quarter, long enough for a few
# reflection days' worth of pair scores, short enough to show change.
WINDOW_DAYS = 90


def counts(db, team_id, now=None):
    """{"pairs", "bvcs", "any", "bands", "items": [{"id", "name", "differ"}]} for the team's window."""
    now = now or datetime.now(timezone.utc)
    since = (now - timedelta(days=WINDOW_DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = db.execute("SELECT bvc, bvc_partner FROM encounters WHERE team_id = ? AND bvc IS NOT NULL"
                      " AND superseded_by IS NULL AND occurred_at >= ?", [team_id, since]).fetchall()
    per_item = {i["id"]: 0 for i in bvc.items()}
    out = {"bvcs": len(rows), "pairs": 0, "any": 0, "bands": 0}
    for row in rows:
        if row["bvc_partner"] is None:
            continue
        first, second = (json.loads(row[k]) for k in ("bvc", "bvc_partner"))
        out["pairs"] += 1
        differ = bvc.differences(first, second)
        out["any"] += bool(differ)
        out["bands"] += bvc.band_for(sum(first.values()))["id"] != bvc.band_for(sum(second.values()))["id"]
        for item in differ:
            per_item[item] += 1
    out["items"] = [{"id": i["id"], "name": i["name"], "differ": per_item[i["id"]]} for i in bvc.items()]
    return out


@bp.get("/team/makkerscore")
@admin_required
def index():
    return render_template("pair_scores.html", counts=counts(get_db(), g.user["team_id"]), days=WINDOW_DAYS,
                           words=content()["bvc"]["pair_score"])
