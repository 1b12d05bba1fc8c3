"""Corrections: a record made on the phone can be corrected only by a new record
that amends it (the phone cannot read back what it sealed, and the original may
already be stored with its answer lost). Exactly one version is ever in force."""
import uuid

from tests.helpers import csrf_from, new_citizen, new_encounter


def me(actions):
    return actions.session()["user"]["id"]


def rows(actions):
    db = actions.db()
    try:
        return {r[0]: r[1:] for r in db.execute(
            "SELECT id, citizen_id, stage, note, amends, superseded_by FROM encounters")}
    finally:
        db.conn.close()


def shown(actions, citizen_id):
    return actions.client.get(f"/api/citizens/{citizen_id}").json


def test_a_correction_replaces_the_original_and_keeps_it_hidden(logged_in):
    kasper = new_citizen()
    first = new_encounter([me(logged_in)], kasper["id"], stage="contemplation", note="Første udgave")
    fix = dict(first, id=str(uuid.uuid4()), amends=first["id"], stage="action", note="Rettet udgave",
               bvc=dict(first["bvc"], fysiske_trusler=1))
    results = logged_in.sync([kasper, first, fix]).json["results"]
    assert [r["status"] for r in results] == ["stored"] * 3
    assert rows(logged_in) == {
        first["id"]: (kasper["id"], "contemplation", "Første udgave", None, fix["id"]),
        fix["id"]: (kasper["id"], "action", "Rettet udgave", first["id"], None)}
    body = shown(logged_in, kasper["id"])
    assert [e["id"] for e in body["encounters"]] == [fix["id"]]
    assert body["encounters"][0]["amends"] == first["id"]
    assert (body["citizen"]["last_stage"], body["citizen"]["last_band"], body["citizen"]["last_bvc_total"]) == \
        ("action", "high", 3)
    page = logged_in.client.get(f"/citizens/{kasper['id']}").get_data(as_text=True)
    assert "Rettet udgave" in page and "Første udgave" not in page and "Rettet på telefonen" in page


def test_a_correction_sent_twice_is_stored_once(logged_in):
    first = new_encounter([me(logged_in)])
    fix = dict(first, id=str(uuid.uuid4()), amends=first["id"], note="Rettet")
    logged_in.sync([first, fix])
    again = logged_in.sync([first, fix]).json["results"]
    assert [r["status"] for r in again] == ["duplicate", "duplicate"]
    assert logged_in.count("encounters") == 2
    assert rows(logged_in)[first["id"]][-1] == fix["id"]


def test_corrections_chain_so_one_version_is_in_force(logged_in):
    kasper = new_citizen()
    first = new_encounter([me(logged_in)], kasper["id"], note="1")
    second = dict(first, id=str(uuid.uuid4()), amends=first["id"], note="2")
    # A second correction of the same original (two taps on "Ret"), in a later upload.
    third = dict(first, id=str(uuid.uuid4()), amends=first["id"], note="3")
    logged_in.sync([kasper, first, second])
    logged_in.sync([third])
    assert [e["note"] for e in shown(logged_in, kasper["id"])["encounters"]] == ["3"]
    stored = rows(logged_in)
    assert stored[first["id"]][-1] == second["id"] and stored[second["id"]][-1] == third["id"]
    assert stored[third["id"]][-1] is None


def test_a_correction_can_move_a_contact_to_the_right_citizen_and_erasure_does_not_bring_it_back(logged_in):
    a, b = new_citizen(alias="Forkert"), new_citizen(alias="Rigtig")
    first = new_encounter([me(logged_in)], a["id"], stage="relapse")
    fix = dict(first, id=str(uuid.uuid4()), amends=first["id"], citizen_id=b["id"])
    logged_in.sync([a, b, first, fix])
    assert shown(logged_in, a["id"])["encounters"] == []
    assert shown(logged_in, a["id"])["citizen"]["last_stage"] is None
    assert [e["id"] for e in shown(logged_in, b["id"])["encounters"]] == [fix["id"]]
    # Both citizens' access logs say the contact was corrected.
    db = logged_in.db()
    logged = {r[0] for r in db.execute("SELECT citizen_id FROM access_log WHERE action = 'amend_encounter'")}
    db.conn.close()
    assert logged == {a["id"], b["id"]}
    # Erasing the right citizen removes the correction; the wrong version stays hidden.
    page = logged_in.client.get(f"/citizens/{b['id']}").get_data(as_text=True)
    resp = logged_in.client.post(f"/citizens/{b['id']}/erase",
                                 data={"csrf_token": csrf_from(page), "confirm_alias": "Rigtig"})
    assert resp.status_code in (302, 303)
    assert shown(logged_in, a["id"])["encounters"] == []
    # A later correction of the original still lands, in place of the erased one.
    again = dict(first, id=str(uuid.uuid4()), amends=first["id"], citizen_id=a["id"], stage="action")
    assert logged_in.sync([again]).json["results"][0]["status"] == "stored"
    assert [e["stage"] for e in shown(logged_in, a["id"])["encounters"]] == ["action"]


def test_an_access_request_shows_every_version(logged_in):
    kasper = new_citizen()
    first = new_encounter([me(logged_in)], kasper["id"], note="Før")
    fix = dict(first, id=str(uuid.uuid4()), amends=first["id"], note="Efter")
    logged_in.sync([kasper, first, fix])
    export = logged_in.client.get(f"/citizens/{kasper['id']}/export").json
    versions = {e["note"]: (e["amends"], e["superseded_by"]) for e in export["encounters"]}
    assert versions == {"Før": (None, fix["id"]), "Efter": (first["id"], None)}


def test_a_correction_of_itself_is_refused_and_changes_nothing(logged_in):
    first = new_encounter([me(logged_in)])
    logged_in.sync([first])
    before = logged_in.snapshot()
    loop = new_encounter([me(logged_in)])
    loop["amends"] = loop["id"]
    result = logged_in.sync([loop]).json["results"][0]
    assert (result["status"], result["error"]["field"]) == ("refused", "amends")
    assert logged_in.snapshot() == before
