"""The model's content, read once from ``content/da.json``.

All facts (BVC items, cut-offs, stages, techniques, checklists) live in that
one file; templates render it and the JavaScript reads what the server puts
into data attributes, so the manual is never restated in code.
"""
import json
from functools import cache
from pathlib import Path

CONTENT_PATH = Path(__file__).parent / "content" / "da.json"


@cache
def content():
    with CONTENT_PATH.open(encoding="utf-8") as f:
        return json.load(f)


def stages():
    return content()["stages"]["readiness"]


def stage(stage_id):
    return next((s for s in stages() if s["id"] == stage_id), None)


def techniques():
    return content()["techniques"]


def stages_for_technique(technique_id):
    """Ids of the readiness stages in which a technique fits."""
    return [s["id"] for s in stages() if technique_id in s["techniques"]]


def source_label(source):
    """Whose words a text is, as the page shows it: "Manualen 4.3.1", "God praksis", "Teamets aftaler"."""
    label = content()["source_kinds"][source["kind"]]["label"]
    return f"{label} {source['section']}" if source["kind"] == "manual" else label


def cards_near(near):
    """The field cards that belong beside one part of a page (their "near" in the content file)."""
    return [card for card in content()["cards"] if card["near"] == near]
