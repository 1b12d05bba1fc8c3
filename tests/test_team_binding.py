"""Issue 12, item 2: a sealed record opens only for the team it was written in
and the phone that sealed it.

Every team seals to the same server key, so before wire version 2 a worker of
another team could copy a sealed blob off a colleague's phone, upload it, and
have that citizen stored in their own team, after which the owner's upload was
refused. Records here are sealed as the phone seals them (seal.js's mirror,
with the team and device id from the phone's own /api/session);
tests/browser/test_crypto.py does the same with seal.js in Chromium.
"""
import pytest

from tests.helpers import new_citizen, new_encounter, seal_as_phone

PHONE_A = "0b8e2c3a-1d4f-4e5a-8b6c-7d8e9f0a1b2c"
PHONE_B = "1c9f3d4b-2e5a-4f6b-9c7d-8e9f0a1b2c3d"


def stored_anywhere(actions, rid):
    db = actions.db()
    try:
        return [tuple(r) for r in db.execute("SELECT team_id FROM citizens WHERE id = ? UNION ALL "
                                             "SELECT team_id FROM encounters WHERE id = ?", [rid, rid])]
    finally:
        db.conn.close()


@pytest.fixture
def two_teams(logged_in):
    """Team Nord (Anna, Bo) and Team Syd (Ole), each worker on a phone of their own."""
    logged_in.add_worker()
    logged_in.other_team()
    return logged_in, logged_in.phone("anna", PHONE_A), logged_in.phone("ole", PHONE_B)


def test_a_blob_copied_from_another_teams_phone_is_refused_stored_nowhere_and_the_owner_still_uploads(two_teams):
    actions, anna, ole = two_teams
    mine = actions.session(anna)
    citizen = new_citizen(alias="Annas-borger")
    blobs = [seal_as_phone(mine, citizen),
             seal_as_phone(mine, new_encounter([mine["user"]["id"]], citizen["id"], note="Annas note"))]
    # Ole copies the sealed blobs off Anna's phone and uploads them as his own.
    stolen = actions.sync(blobs, client=ole).json["results"]
    assert [(r["status"], r["error"]["field"]) for r in stolen] == [("refused", "team"), ("refused", "team")]
    assert "andet team" in stolen[0]["error"]["message"]
    assert stored_anywhere(actions, citizen["id"]) == [] and actions.count("encounters") == 0
    # Anna's own phone then uploads them as if nothing had happened.
    assert [r["status"] for r in actions.sync(blobs, client=anna).json["results"]] == ["stored", "stored"]
    assert stored_anywhere(actions, citizen["id"]) == [(mine["team"]["id"],)]


def test_relabelling_the_team_breaks_the_seal(two_teams):
    actions, anna, ole = two_teams
    mine, his = actions.session(anna), actions.session(ole)
    blob = seal_as_phone(mine, new_citizen())
    forged = dict(blob, team=his["team"]["id"], device=his["device"]["id"])
    [result] = actions.sync([forged], client=ole).json["results"]
    assert (result["status"], result["error"]["field"]) == ("refused", "ct")
    assert stored_anywhere(actions, blob["id"]) == []
    assert actions.sync([blob], client=anna).json["results"][0]["status"] == "stored"


def test_a_blob_from_another_phone_of_the_same_team_is_refused(two_teams):
    actions, anna, _ = two_teams
    bo = actions.phone("bo", "2d0a4e5c-3f6b-4a7c-8d8e-9f0a1b2c3d4e")
    blob = seal_as_phone(actions.session(anna), new_citizen())
    [result] = actions.sync([blob], client=bo).json["results"]
    assert (result["status"], result["error"]["field"]) == ("refused", "device")
    assert "anden telefon" in result["error"]["message"]
    assert actions.count("citizens") == 0


def test_a_record_sealed_by_the_old_format_is_refused_with_its_reason(two_teams):
    """Version 1 bound only the id; accepting it would reopen the hole, so it is refused, by name."""
    actions, anna, _ = two_teams
    blob = seal_as_phone(actions.session(anna), new_citizen())
    old = {k: v for k, v in blob.items() if k not in ("v", "team", "device")}
    [result] = actions.sync([old], client=anna).json["results"]
    assert (result["status"], result["error"]["field"]) == ("refused", "v")
    assert "ældre version" in result["error"]["message"]
    assert actions.count("citizens") == 0


@pytest.mark.parametrize("team", ["1", 1.5, True, None, [1]])
def test_a_team_that_is_not_a_number_is_refused_by_name(two_teams, team):
    actions, anna, _ = two_teams
    blob = dict(seal_as_phone(actions.session(anna), new_citizen()), team=team)
    [result] = actions.sync([blob], client=anna).json["results"]
    assert (result["status"], result["error"]["field"]) == ("refused", "team")


def test_the_session_tells_the_phone_its_team_and_device(two_teams):
    actions, anna, _ = two_teams
    session = actions.session(anna)
    assert session["device"] == {"id": PHONE_A} and session["team"]["id"] == 1
    assert actions.app.test_client().get("/api/session").json["device"] is None


def test_a_phone_shared_with_another_team_keeps_one_id_per_team(two_teams):
    """What Ole seals on Anna's phone must still upload after his next login there."""
    actions, _, _ = two_teams
    first = actions.phone("ole", PHONE_A)        # Anna's phone, Team Nord's device id
    his = actions.session(first)
    assert his["device"]["id"] != PHONE_A
    blob = seal_as_phone(his, new_citizen(alias="Oles-borger"))
    again = actions.phone("ole", PHONE_A)        # next shift, same phone
    assert actions.session(again)["device"] == his["device"]
    assert actions.sync([blob], client=again).json["results"][0]["status"] == "stored"
    # And Anna on her phone is still herself.
    assert actions.session(actions.phone("anna", PHONE_A))["device"]["id"] == PHONE_A


def test_the_lost_phones_hand_in_takes_only_what_that_phone_sealed_in_its_team(two_teams):
    actions, anna, ole = two_teams
    bo = actions.phone("bo", "2d0a4e5c-3f6b-4a7c-8d8e-9f0a1b2c3d4e")
    bos = actions.session(bo)
    own = seal_as_phone(bos, new_citizen(alias="Bos-borger"))
    from_anna = seal_as_phone(actions.session(anna), new_citizen(alias="Annas"))
    from_ole = seal_as_phone(actions.session(ole), new_citizen(alias="Oles"))
    actions.mark_lost(bos["device"]["id"])
    resp = bo.post("/api/quarantine", json={"records": [own, from_anna, from_ole]},
                   headers={"X-Device-Id": bos["device"]["id"]})
    assert [(r["status"], (r.get("error") or {}).get("field")) for r in resp.json["results"]] == [
        ("quarantined", None), ("refused", "device"), ("refused", "team")]
