"""Reading the team's citizens and their encounters, always scoped to one team.

The citizen pages (citizens.py) and the API (api.py) show the same summaries
and timelines from here. Every query takes the team id: another team's
citizen is simply not found.
"""
import json


_ORDER = "last_contact_at IS NULL, last_contact_at DESC, alias COLLATE NOCASE"


def _summaries(db, team_id, where="", params=(), limit=-1, offset=0):
    """Citizens of one team with their last contact, stage and risk, most recently met first.

    The order needs every matching citizen's last contact, one seek each in
    encounters_citizen_current_time (migration 0009); the stage and the risk
    are then looked up only for the page (`limit`, `offset`), so a page costs
    the same after ten years as after one.
    """
    return [dict(r) for r in db.execute(f"""
        WITH page AS (
          SELECT c.id, c.alias, c.description, c.places,
            (SELECT max(occurred_at) FROM encounters e WHERE e.citizen_id = c.id AND e.superseded_by IS NULL)
               AS last_contact_at
          FROM citizens c WHERE c.team_id = ? {where}
          ORDER BY {_ORDER} LIMIT ? OFFSET ?)
        SELECT p.id, p.alias, p.description, p.places, p.last_contact_at,
          (SELECT stage FROM encounters e WHERE e.citizen_id = p.id AND stage IS NOT NULL AND e.superseded_by IS NULL
             ORDER BY occurred_at DESC LIMIT 1) AS last_stage,
          lb.bvc_band AS last_band, lb.bvc_total AS last_bvc_total, lb.occurred_at AS last_bvc_at
        FROM page p
        LEFT JOIN encounters lb ON lb.id = (SELECT id FROM encounters e WHERE e.citizen_id = p.id AND bvc IS NOT NULL
                                            AND e.superseded_by IS NULL ORDER BY occurred_at DESC LIMIT 1)
        ORDER BY {_ORDER}""", [team_id, *params, limit, offset])]


def list_citizens(db, team_id, q="", limit=-1, offset=0):
    """The team's citizens whose alias contains `q`; all of them, or one page."""
    where, params = "", []
    if q:
        where, params = "AND c.alias LIKE ? ESCAPE '\\'", ["%" + q.replace("\\", "\\\\").replace("%", "\\%")
                                                          .replace("_", "\\_") + "%"]
    return _summaries(db, team_id, where, params, limit, offset)


def get_citizen(db, team_id, citizen_id):
    rows = _summaries(db, team_id, "AND c.id = ?", [citizen_id])
    return rows[0] if rows else None


ENCOUNTER_KEYS = ("id", "citizen_id", "occurred_at", "place", "bvc", "bvc_total", "bvc_band", "bvc_partner",
                  "stage", "techniques", "note", "followup_step", "followup_date", "amends")


def encounters_for(db, team_id, citizen_id, history=False, limit=-1, offset=0):
    """The citizen's contacts as they stand, oldest first; with history=True (an
    access request) also the versions corrections replaced, each with
    superseded_by. With `limit`, the newest `limit` after skipping `offset`
    newer ones (a page of the citizen's page), still oldest first."""
    keys = ENCOUNTER_KEYS + (("superseded_by",) if history else ())
    rows = db.execute(
        f"SELECT {', '.join('e.' + k for k in keys)}, w1.id AS w1_id, w1.name AS w1_name, w2.id AS w2_id,"
        " w2.name AS w2_name"
        " FROM encounters e JOIN users w1 ON w1.id = e.worker1_id LEFT JOIN users w2 ON w2.id = e.worker2_id"
        " WHERE e.team_id = ? AND e.citizen_id = ?" + ("" if history else " AND e.superseded_by IS NULL") +
        " ORDER BY e.occurred_at DESC, e.created_at DESC LIMIT ? OFFSET ?", [team_id, citizen_id, limit, offset])
    out = []
    for r in rows.fetchall()[::-1]:
        enc = {k: r[k] for k in keys}
        enc["bvc"] = json.loads(enc["bvc"]) if enc["bvc"] else None
        enc["bvc_partner"] = json.loads(enc["bvc_partner"]) if enc["bvc_partner"] else None
        enc["techniques"] = json.loads(enc["techniques"])
        enc["workers"] = [{"id": r["w1_id"], "name": r["w1_name"]}]
        if r["w2_id"]:
            enc["workers"].append({"id": r["w2_id"], "name": r["w2_name"]})
        out.append(enc)
    return out
