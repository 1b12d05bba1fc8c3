"""A small SVG chart of BVC total and stage over time, computed on the server.

Drawn as data for the template (points and polylines), so no chart library
and no script: it renders in any browser and under a strict CSP. It fills the
page's width, and each stage's row is labelled with the app's own name for it,
written above the row so even "Forberedelse, påbegyndelse og vedligeholdelse"
fits a 320 px phone without being cut to an abbreviation.
"""
from datetime import datetime

from . import content as c

WIDTH = 300
LEFT, RIGHT = 18, 8                    # room for the BVC ticks (0–6) on the left
BVC_TOP, BVC_BOTTOM = 14, 96           # y range of the BVC panel (6 at top, 0 at bottom)
STAGE_TOP, STAGE_STEP = 142, 26        # the first stage row's line, and the space between rows
DATES = 12                             # room below the last row for the first and last date


def _x(moments, i):
    if len(moments) == 1:
        return (LEFT + WIDTH - RIGHT) / 2
    span = (moments[-1] - moments[0]).total_seconds() or 1
    return LEFT + (moments[i] - moments[0]).total_seconds() / span * (WIDTH - LEFT - RIGHT)


def timeline(encounters, day=lambda iso: iso[:10]):
    """The chart for a citizen's encounters (oldest first); `day` writes a moment as a date."""
    if not encounters:
        return None
    stages = c.stages()
    row = {s["id"]: STAGE_TOP + i * STAGE_STEP for i, s in enumerate(stages)}
    moments = [datetime.fromisoformat(e["occurred_at"].replace("Z", "+00:00")) for e in encounters]
    bvc, stage = [], []
    for i, e in enumerate(encounters):
        x = round(_x(moments, i), 1)
        if e["bvc_total"] is not None:
            y = BVC_BOTTOM - e["bvc_total"] / 6 * (BVC_BOTTOM - BVC_TOP)
            bvc.append({"x": x, "y": round(y, 1), "total": e["bvc_total"], "band": e["bvc_band"]})
        if e["stage"]:
            stage.append({"x": x, "y": row[e["stage"]], "stage": e["stage"]})
    bottom = STAGE_TOP + (len(stages) - 1) * STAGE_STEP
    return {
        "width": WIDTH, "height": bottom + 8 + DATES, "left": LEFT, "right": WIDTH - RIGHT,
        "bvc": bvc, "bvc_line": " ".join(f"{p['x']},{p['y']}" for p in bvc),
        "stage": stage, "stage_line": " ".join(f"{p['x']},{p['y']}" for p in stage),
        "bvc_ticks": [{"v": v, "y": round(BVC_BOTTOM - v / 6 * (BVC_BOTTOM - BVC_TOP), 1)} for v in (0, 2, 4, 6)],
        "stage_title_y": STAGE_TOP - STAGE_STEP + 4,
        "stage_rows": [{"id": s["id"], "name": s["name"], "y": row[s["id"]]} for s in stages],
        "dates_y": bottom + 8 + DATES - 2,
        "first": day(encounters[0]["occurred_at"]), "last": day(encounters[-1]["occurred_at"]),
    }
