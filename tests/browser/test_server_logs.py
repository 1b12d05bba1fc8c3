"""After every browser flow: no server log holds an alias, note, description or place text.

The flows type citizens, notes and places into real forms and upload them
through the real outbox; each server's own SQLite file says what was stored.
Every one of those texts is then looked for in that server's log (the app's
JSON lines and the development server's request lines alike).
"""
import sqlite3

import pytest

from tests.live import STARTED

# Columns that hold what a worker typed about a citizen or a place.
TEXT_COLUMNS = {
    "citizens": ("alias", "description", "places"),
    "encounters": ("note", "place", "followup_step"),
    "checkin_timers": ("place",),
    "places": ("name",),
}


def stored_texts(db_path):
    conn = sqlite3.connect(db_path)
    try:
        texts = set()
        for table, columns in TEXT_COLUMNS.items():
            for column in columns:
                texts.update(r[0] for r in conn.execute(f"SELECT DISTINCT {column} FROM {table}"))
        # Very short texts ("K") occur anywhere by chance; they say nothing about a leak.
        return {t for t in texts if t and len(t.strip()) >= 4}
    finally:
        conn.close()


@pytest.mark.after_browser_flows
def test_no_server_log_of_this_run_holds_a_stored_alias_note_description_or_place():
    if not STARTED:
        pytest.skip("no live server ran in this session")
    checked, leaks = 0, []
    for folder in STARTED:
        db, log = folder / "gadekontakt.sqlite", folder / "server.log"
        if not (db.exists() and log.exists()):
            continue  # a test removed its folder
        text = log.read_text(errors="replace")
        for stored in stored_texts(db):
            checked += 1
            if stored in text:
                line = next(l for l in text.splitlines() if stored in l)
                leaks.append(f"{folder.name}: {stored!r} in {line[:200]!r}")
    assert not leaks, "\n".join(leaks)
    # So the test cannot pass by finding nothing to look for (when flows ran).
    assert checked > 0, "no stored text to look for"
