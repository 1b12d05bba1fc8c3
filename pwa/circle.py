"""Geometry for the change circle (forandringscirklen) drawn as inline SVG.

The six stages of the full circle sit as ring segments; each segment knows
which of the model's four readiness stages it belongs to, so choosing a
readiness stage can light up its part of the circle.
"""
import math

from . import content as c

CENTER, OUTER, INNER = 150, 140, 78
GAP_DEG = 2


def _point(radius, deg):
    rad = math.radians(deg - 90)  # 0° at twelve o'clock, clockwise
    return CENTER + radius * math.cos(rad), CENTER + radius * math.sin(rad)


def _segment_path(start, end):
    (x1, y1), (x2, y2) = _point(OUTER, start), _point(OUTER, end)
    (x3, y3), (x4, y4) = _point(INNER, end), _point(INNER, start)
    return (f"M{x1:.1f},{y1:.1f} A{OUTER},{OUTER} 0 0 1 {x2:.1f},{y2:.1f} "
            f"L{x3:.1f},{y3:.1f} A{INNER},{INNER} 0 0 0 {x4:.1f},{y4:.1f} Z")


def segments():
    circle = c.content()["stages"]["circle"]
    group_of = {cid: s["id"] for s in c.stages() for cid in s["circle"]}
    step = 360 / len(circle)
    out = []
    for i, stage in enumerate(circle):
        start, end = i * step + GAP_DEG / 2, (i + 1) * step - GAP_DEG / 2
        lx, ly = _point((OUTER + INNER) / 2, (start + end) / 2)
        out.append({"number": i + 1, "id": stage["id"], "name": stage["name"],
                    "group": group_of.get(stage["id"], ""), "path": _segment_path(start, end),
                    "label_x": round(lx, 1), "label_y": round(ly, 1)})
    return out
