"""Writing the access log: who read or changed which citizen's data, when, from which phone.

Every view that shows or changes a citizen's data calls ``record`` before it
answers; the table refuses UPDATE and DELETE by trigger (migration 0003), so
the log holds even against a bug in this code. Reading it is the
administrators' page, access_log.py; this module only writes, so anything
that touches a citizen may import it without importing the pages.
"""
from flask import g

from .db import get_db, transaction

ACTIONS = {
    "list": "så i listen", "view": "åbnede", "create": "oprettede", "create_encounter": "registrerede kontakt",
    "amend_encounter": "rettede kontakt",
    "edit_citizen": "rettede oplysninger om",
    "retention": "slettede (opbevaringsperioden udløb) data om",
    "export": "eksporterede alt", "erase": "slettede", "view_access_log": "så adgangsloggen for",
    "review_quarantine": "så en mistet telefons aflevering om",
}


def record(citizen_ids, action, detail="", db=None):
    """Append one row per citizen.

    Inside a write's transaction the rows join it, so data and log are stored
    together or not at all; a read (a page, a list) logs in a transaction of
    its own.
    """
    assert action in ACTIONS, action
    db = db or get_db()
    user = g.user
    rows = [(user["team_id"], user["id"], g.get("device_id"), cid, action, detail) for cid in citizen_ids]
    if not rows:
        return
    sql = ("INSERT INTO access_log (team_id, user_id, device_id, citizen_id, action, detail) "
           "VALUES (?, ?, ?, ?, ?, ?)")
    if db.conn.in_transaction:
        db.conn.executemany(sql, rows)
    else:
        with transaction(db):
            db.conn.executemany(sql, rows)
