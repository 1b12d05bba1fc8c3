"""Issue 12, item 6: the same id with other content is a "conflict", not a "duplicate".

A "duplicate" tells the phone the server holds its record, so the phone drops
its copy; answered for different content, the worker's version vanished
without a word. Now the content is compared after opening and checking, and
a differing copy is answered "conflict": nothing stored changes, and the
phone keeps its copy, flagged (tests/browser/test_sync_offline.py shows it in
the outbox).
"""
import pytest

from tests.helpers import assert_matches_spec, csrf_from, new_citizen, new_encounter, seal_as_phone


def encounters(actions):
    return [tuple(r) for r in actions.db().execute("SELECT id, note, superseded_by FROM encounters ORDER BY note")]


@pytest.mark.parametrize("sealed", [False, True], ids=["plain", "sealed"])
def test_same_id_other_content_is_a_conflict_and_changes_nothing(logged_in, sealed):
    session = logged_in.session()
    me = session["user"]["id"]
    wrap = (lambda r: seal_as_phone(session, r)) if sealed else (lambda r: r)
    first = new_encounter([me], note="Den første udgave")
    assert logged_in.sync([wrap(first)]).json["results"][0]["status"] == "stored"
    other = dict(first, note="En anden udgave med samme id")
    resp = logged_in.sync([wrap(other), wrap(new_citizen())])
    assert_matches_spec(resp, "/api/sync", "post")
    conflict, fine = resp.json["results"]
    assert conflict["id"] == first["id"] and conflict["status"] == "conflict"
    assert conflict["error"]["field"] == "id" and "anden udgave" in conflict["error"]["message"]
    assert fine["status"] == "stored"    # a conflict blocks nothing else in the batch
    assert encounters(logged_in) == [(first["id"], "Den første udgave", None)]


def test_the_same_content_sealed_again_is_still_a_duplicate(logged_in):
    """A retry re-seals nothing, but a second seal of the same record is new ciphertext: content decides."""
    session = logged_in.session()
    citizen = new_citizen()
    assert logged_in.sync([seal_as_phone(session, citizen)]).json["results"][0]["status"] == "stored"
    [again] = logged_in.sync([seal_as_phone(session, dict(citizen, created_at="2026-01-01T10:00:00Z"))]).json["results"]
    assert again["status"] == "duplicate" and "error" not in again


def test_a_citizen_corrected_on_the_server_is_no_conflict_for_the_phones_retry(logged_in):
    """The phone's answer got lost, the team corrected the alias online, the phone retries: a duplicate."""
    citizen = new_citizen(alias="Kasper")
    logged_in.sync([citizen])
    page = logged_in.client.get(f"/citizens/{citizen['id']}/edit").get_data(as_text=True)
    resp = logged_in.client.post(f"/citizens/{citizen['id']}/edit", data={
        "csrf_token": csrf_from(page), "alias": "Kasper K.", "description": citizen["description"],
        "places": citizen["places"]})
    assert resp.status_code == 302
    assert logged_in.sync([citizen]).json["results"][0]["status"] == "duplicate"
    other = dict(citizen, alias="Helt anden")
    assert logged_in.sync([other]).json["results"][0]["status"] == "conflict"
    assert [r[0] for r in logged_in.db().execute("SELECT alias FROM citizens")] == ["Kasper K."]


def test_rows_from_before_the_fingerprint_are_compared_by_their_columns(logged_in):
    me = logged_in.session()["user"]["id"]
    first = new_encounter([me], note="Gemt før migration 0013")
    logged_in.sync([first])
    db = logged_in.db()
    with db.conn:
        db.execute("UPDATE encounters SET content_digest = NULL")
    db.conn.close()
    assert logged_in.sync([first]).json["results"][0]["status"] == "duplicate"
    assert logged_in.sync([dict(first, note="Ændret")]).json["results"][0]["status"] == "conflict"


def test_another_teams_id_is_still_refused_not_a_conflict(logged_in):
    citizen = new_citizen()
    logged_in.sync([citizen])
    logged_in.other_team()
    ole = logged_in.app.test_client()
    logged_in.login("ole", client=ole)
    [result] = logged_in.sync([dict(citizen, alias="Andet")], client=ole).json["results"]
    assert result["status"] == "refused" and result["error"] == {"field": "id", "message": "id er allerede brugt"}
