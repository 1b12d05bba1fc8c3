"""A small SVG chart of BVC total and stage over time, computed on the server.

Drawn as data for the template (points and polylines), so no chart library
and no script: it renders in any browser and under a strict CSP.
"""
from datetime import datetime

from . import content as c

WIDTH, HEIGHT = 300, 200
LEFT, RIGHT = 34, 8
BVC_TOP, BVC_BOTTOM = 10, 100          # y range of the BVC panel (6 at top, 0 at bottom)
STAGE_TOP, STAGE_BOTTOM = 130, 190     # y range of the stage panel
# Axis labels must fit 34 px; the full names stand in the timeline below the chart.
SHORT = {"precontemplation": "Førov.", "contemplation": "Overv.", "action": "Handl.", "relapse": "Tilb."}


def _x(moments, i):
    if len(moments) == 1:
        return (LEFT + WIDTH - RIGHT) / 2
    span = (moments[-1] - moments[0]).total_seconds() or 1
    return LEFT + (moments[i] - moments[0]).total_seconds() / span * (WIDTH - LEFT - RIGHT)


def timeline(encounters):
    if not encounters:
        return None
    stage_ids = [s["id"] for s in c.stages()]
    moments = [datetime.fromisoformat(e["occurred_at"].replace("Z", "+00:00")) for e in encounters]
    bvc, stage = [], []
    for i, e in enumerate(encounters):
        x = round(_x(moments, i), 1)
        if e["bvc_total"] is not None:
            y = BVC_BOTTOM - e["bvc_total"] / 6 * (BVC_BOTTOM - BVC_TOP)
            bvc.append({"x": x, "y": round(y, 1), "total": e["bvc_total"], "band": e["bvc_band"]})
        if e["stage"]:
            row = stage_ids.index(e["stage"])
            y = STAGE_TOP + row / (len(stage_ids) - 1) * (STAGE_BOTTOM - STAGE_TOP)
            stage.append({"x": x, "y": round(y, 1), "stage": e["stage"]})
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT,
        "bvc": bvc, "bvc_line": " ".join(f"{p['x']},{p['y']}" for p in bvc),
        "stage": stage, "stage_line": " ".join(f"{p['x']},{p['y']}" for p in stage),
        "bvc_ticks": [{"v": v, "y": round(BVC_BOTTOM - v / 6 * (BVC_BOTTOM - BVC_TOP), 1)} for v in (0, 2, 4, 6)],
        "stage_rows": [{"id": sid, "short": SHORT[sid], "y": round(STAGE_TOP + i / (len(stage_ids) - 1) * (STAGE_BOTTOM - STAGE_TOP), 1)}
                       for i, sid in enumerate(stage_ids)],
        "first": encounters[0]["occurred_at"][:10], "last": encounters[-1]["occurred_at"][:10],
    }
