"""Correcting a citizen's alias, description and places, online: CSRF, team
scope, the same CPR and length rules as the phones, logged without values."""
import pytest

from tests.helpers import csrf_from, new_citizen


@pytest.fixture
def kasper(logged_in):
    rec = new_citizen()
    assert logged_in.sync([rec]).json["results"][0]["status"] == "stored"
    return rec


def row(actions, cid):
    db = actions.db()
    try:
        return tuple(db.execute("SELECT alias, description, places FROM citizens WHERE id = ?", [cid]).fetchone())
    finally:
        db.conn.close()


def post(actions, cid, client=None, **data):
    client = client or actions.client
    page = client.get(f"/citizens/{cid}/edit")
    form = {"alias": "Kasper K.", "description": "Rød jakke, hund", "places": "Banegårdsparken"}
    form.update(data)
    form.setdefault("csrf_token", csrf_from(page.get_data(as_text=True)))
    return client.post(f"/citizens/{cid}/edit", data=form)


def test_a_worker_corrects_the_description_and_it_is_logged_without_values(logged_in, kasper):
    page = logged_in.client.get(f"/citizens/{kasper['id']}/edit").get_data(as_text=True)
    assert 'value="Kasper K."' in page and 'value="Rød jakke, hund"' in page
    resp = post(logged_in, kasper["id"], description="Grøn jakke, hund")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/citizens/{kasper['id']}")
    assert row(logged_in, kasper["id"]) == ("Kasper K.", "Grøn jakke, hund", "Banegårdsparken")
    shown = logged_in.client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Grøn jakke" in shown and "Oplysningerne er rettet." in shown
    db = logged_in.db()
    logged = db.execute("SELECT action, detail FROM access_log WHERE citizen_id = ? AND action = 'edit_citizen'",
                        [kasper["id"]]).fetchall()
    db.conn.close()
    assert [dict(r) for r in logged] == [{"action": "edit_citizen", "detail": "description"}]
    # The phone's list follows: the API answers the new text.
    assert logged_in.client.get("/api/citizens").json["citizens"][0]["description"] == "Grøn jakke, hund"


@pytest.mark.parametrize("data, field", [
    ({"alias": ""}, "alias"),
    ({"alias": "x" * 41}, "alias"),
    ({"alias": "Født 010190-1234"}, "alias"),
    ({"description": "0101901234"}, "description"),
    ({"places": "p" * 201}, "places"),
])
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(logged_in, kasper, data, field):
    before = logged_in.snapshot()
    resp = post(logged_in, kasper["id"], **data)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert f'id="{field}-err"' in html and 'aria-invalid="true"' in html
    assert logged_in.snapshot() == before


def test_without_csrf_nothing_changes(logged_in, kasper):
    before = logged_in.snapshot()
    resp = post(logged_in, kasper["id"], alias="Overtaget", csrf_token="forkert")
    assert resp.status_code == 400 and logged_in.snapshot() == before


def test_another_team_cannot_see_or_change_the_citizen(logged_in, kasper):
    logged_in.other_team()
    ole = logged_in.app.test_client()
    logged_in.login("ole", client=ole)
    before = logged_in.snapshot()
    assert ole.get(f"/citizens/{kasper['id']}/edit").status_code == 404
    # A valid token of Ole's own session, so only the team scope can refuse it.
    token = logged_in.session(ole)["csrf_token"]
    resp = ole.post(f"/citizens/{kasper['id']}/edit", data={"alias": "Overtaget", "csrf_token": token})
    assert resp.status_code == 404 and logged_in.snapshot() == before
