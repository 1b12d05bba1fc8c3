"""Reading the team's citizens and their encounters, always scoped to one team.

The citizen pages (citizens.py) and the API (api.py) show the same summaries
and timelines from here. Every query takes the team id: another team's
citizen is simply not found.
"""
import json


_SUMMARY = """
SELECT c.id, c.alias, c.description, c.places,
  (SELECT max(occurred_at) FROM encounters e WHERE e.citizen_id = c.id AND e.superseded_by IS NULL)
     AS last_contact_at,
  (SELECT stage FROM encounters e WHERE e.citizen_id = c.id AND stage IS NOT NULL AND e.superseded_by IS NULL
     ORDER BY occurred_at DESC LIMIT 1) AS last_stage,
  lb.bvc_band AS last_band, lb.bvc_total AS last_bvc_total, lb.occurred_at AS last_bvc_at
FROM citizens c
LEFT JOIN encounters lb ON lb.id = (SELECT id FROM encounters e WHERE e.citizen_id = c.id AND bvc IS NOT NULL
                                    AND e.superseded_by IS NULL ORDER BY occurred_at DESC LIMIT 1)
WHERE c.team_id = ?
"""
def list_citizens(db, team_id, q=""):
    sql, params = _SUMMARY, [team_id]
    if q:
        sql += " AND c.alias LIKE ? ESCAPE '\\'"
        params.append("%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    sql += " ORDER BY last_contact_at IS NULL, last_contact_at DESC, c.alias COLLATE NOCASE"
    return [dict(r) for r in db.execute(sql, params)]


def get_citizen(db, team_id, citizen_id):
    row = db.execute(_SUMMARY + " AND c.id = ?", [team_id, citizen_id]).fetchone()
    return dict(row) if row else None


ENCOUNTER_KEYS = ("id", "citizen_id", "occurred_at", "place", "bvc", "bvc_total", "bvc_band", "stage",
                  "techniques", "note", "followup_step", "followup_date", "amends")


def encounters_for(db, team_id, citizen_id, history=False):
    """The citizen's contacts as they stand; with history=True (an access
    request) also the versions corrections replaced, each with superseded_by."""
    keys = ENCOUNTER_KEYS + (("superseded_by",) if history else ())
    rows = db.execute(
        f"SELECT {', '.join('e.' + k for k in keys)}, w1.id AS w1_id, w1.name AS w1_name, w2.id AS w2_id,"
        " w2.name AS w2_name"
        " FROM encounters e JOIN users w1 ON w1.id = e.worker1_id LEFT JOIN users w2 ON w2.id = e.worker2_id"
        " WHERE e.team_id = ? AND e.citizen_id = ?" + ("" if history else " AND e.superseded_by IS NULL") +
        " ORDER BY e.occurred_at, e.created_at", [team_id, citizen_id])
    out = []
    for r in rows:
        enc = {k: r[k] for k in keys}
        enc["bvc"] = json.loads(enc["bvc"]) if enc["bvc"] else None
        enc["techniques"] = json.loads(enc["techniques"])
        enc["workers"] = [{"id": r["w1_id"], "name": r["w1_name"]}]
        if r["w2_id"]:
            enc["workers"].append({"id": r["w2_id"], "name": r["w2_name"]})
        out.append(enc)
    return out
