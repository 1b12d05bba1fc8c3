"""Today's round on the server (issue 18): round and round_tick records
through POST /api/sync, stored exactly once, checked field by field, scoped
to the team; GET /api/rounds for the partner's phone; ticks as visits."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from pwa import rules
from pwa.api import OPENAPI
from tests.helpers import assert_matches_spec, csrf_from, seal_as_phone


def add_place(actions, name, client=None):
    client = client or actions.client
    token = csrf_from(client.get("/places/new").get_data(as_text=True))
    assert client.post("/places/new", data={"csrf_token": token, "name": name, "kind": "park"}).status_code == 302
    return actions.db().execute("SELECT id FROM places WHERE name = ?", [name]).fetchone()[0]


def now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def today():
    return datetime.now(timezone(timedelta(hours=1))).date().isoformat()


def new_round(stops, **overrides):
    return {"kind": "round", "id": str(uuid.uuid4()), "day": today(), "stops": stops, "created_at": now(),
            **overrides}


def new_tick(round_id, place_id, **overrides):
    return {"kind": "round_tick", "id": str(uuid.uuid4()), "round_id": round_id, "place_id": place_id,
            "done_at": now(), **overrides}


@pytest.fixture
def three(logged_in):
    return logged_in, [add_place(logged_in, n) for n in ("Banegårdsparken", "Varmestuen", "Kirkepladsen")]


def statuses(resp):
    return [(r["status"], (r.get("error") or {}).get("field")) for r in resp.json["results"]]


def test_a_round_and_its_ticks_are_stored_once(three):
    actions, ids = three
    rnd = new_round([ids[2], ids[0], ids[1]])
    ticks = [new_tick(rnd["id"], ids[2]), new_tick(rnd["id"], ids[0])]
    assert statuses(actions.sync([rnd, *ticks])) == [("stored", None)] * 3
    assert statuses(actions.sync([rnd, *ticks])) == [("duplicate", None)] * 3
    assert actions.count("rounds") == 1 and actions.count("round_ticks") == 2
    resp = actions.client.get(f"/api/rounds?day={rnd['day']}")
    assert_matches_spec(resp, "/api/rounds")
    [got] = resp.json["rounds"]
    assert got["id"] == rnd["id"] and got["created_by"]["name"] == "Anna Admin"
    assert [(s["name"], s["done_at"] is not None) for s in got["stops"]] == [
        ("Kirkepladsen", True), ("Banegårdsparken", True), ("Varmestuen", False)]


def test_sealed_like_every_record(three):
    actions, ids = three
    session = actions.session()
    rnd = new_round(ids[:1])
    sealed = [seal_as_phone(session, rnd), seal_as_phone(session, new_tick(rnd["id"], ids[0]))]
    assert statuses(actions.sync(sealed)) == [("stored", None)] * 2


def test_the_same_id_with_other_stops_is_a_conflict(three):
    actions, ids = three
    rnd = new_round(ids[:2])
    actions.sync([rnd])
    assert statuses(actions.sync([dict(rnd, stops=ids[:1])])) == [("conflict", "id")]
    assert actions.db().execute("SELECT stops FROM rounds").fetchone()[0] == f"[{ids[0]}, {ids[1]}]"


@pytest.mark.parametrize("change, field", [
    ({"stops": []}, "stops"),
    ({"stops": [999]}, "stops"),
    ({"stops": "1"}, "stops"),
    ({"stops": [True]}, "stops"),
    ({"stops": list(range(1, rules.MAX_ROUND_STOPS + 2))}, "stops"),
    ({"day": "i dag"}, "day"),
    ({"day": "2026-02-30"}, "day"),
    ({"day": "1999-12-31"}, "day"),
    ({"id": "x"}, "id"),
    ({"created_at": "i går"}, "created_at"),
    ({"who": "Kasper"}, "who"),
])
def test_a_bad_round_is_refused_naming_the_field_and_changes_nothing(three, change, field):
    actions, ids = three
    before = actions.snapshot(), actions.count("rounds")
    assert statuses(actions.sync([dict(new_round(ids[:2]), **change)])) == [("refused", field)]
    assert (actions.snapshot(), actions.count("rounds")) == before


def test_a_repeated_stop_is_refused(three):
    actions, ids = three
    assert statuses(actions.sync([new_round([ids[0], ids[0]])])) == [("refused", "stops")]


@pytest.mark.parametrize("change, field", [
    ({"round_id": str(uuid.uuid4())}, "round_id"),
    ({"round_id": "x"}, "round_id"),
    ({"place_id": 999}, "place_id"),
    ({"place_id": "1"}, "place_id"),
    ({"done_at": "snart"}, "done_at"),
    ({"done_at": None}, "done_at"),
    ({"note": "x"}, "note"),
])
def test_a_bad_tick_is_refused_naming_the_field_and_changes_nothing(three, change, field):
    actions, ids = three
    rnd = new_round(ids[:2])
    actions.sync([rnd])
    assert statuses(actions.sync([dict(new_tick(rnd["id"], ids[0]), **change)])) == [("refused", field)]
    assert actions.count("round_ticks") == 0


def test_another_teams_places_and_rounds_do_not_exist_here(three):
    actions, ids = three
    rnd = new_round(ids[:2])
    actions.sync([rnd])
    actions.other_team()
    ole = actions.app.test_client()
    actions.login("ole", client=ole)
    theirs = add_place(actions, "Torvet", client=ole)
    assert statuses(actions.sync([new_round([ids[0]])], client=ole)) == [("refused", "stops")]
    assert statuses(actions.sync([new_tick(rnd["id"], ids[0])], client=ole)) == [("refused", "round_id")]
    assert statuses(actions.sync([dict(rnd, stops=[theirs])], client=ole)) == [("refused", "id")]
    assert ole.get(f"/api/rounds?day={rnd['day']}").json["rounds"] == []
    assert actions.count("rounds") == 1 and actions.count("round_ticks") == 0


def test_the_rounds_api_needs_a_login_and_a_good_day(three):
    actions, _ = three
    resp = actions.app.test_client().get("/api/rounds")
    assert resp.status_code == 401
    assert_matches_spec(resp, "/api/rounds")
    for day in ("i-dag", "2026-13-01", "20261129"):
        resp = actions.client.get(f"/api/rounds?day={day}")
        assert resp.status_code == 400 and resp.json["error"]["field"] == "day"
        assert_matches_spec(resp, "/api/rounds")
    assert actions.client.get("/api/rounds").json["rounds"] == []


def test_two_phones_ticking_one_stop_make_one_visit(three):
    actions, ids = three
    rnd = new_round(ids[:1], day="2026-11-17")
    first = new_tick(rnd["id"], ids[0], done_at="2026-11-17T09:00:00Z")
    second = new_tick(rnd["id"], ids[0], done_at="2026-11-17T09:05:00Z")
    assert statuses(actions.sync([rnd, first, second])) == [("stored", None)] * 3
    html = actions.client.get("/places/coverage?periode=uge&fra=2026-11-17").get_data(as_text=True)
    assert '<li data-place="Banegårdsparken"><strong>Banegårdsparken</strong>: <span data-visits="1">' in html
    [got] = actions.client.get("/api/rounds?day=2026-11-17").json["rounds"]
    assert got["stops"][0]["done_at"] == "2026-11-17T09:00:00Z"


def test_openapi_states_the_round_limit_of_rules():
    assert OPENAPI["components"]["schemas"]["RoundRecord"]["properties"]["stops"]["maxItems"] == rules.MAX_ROUND_STOPS


def test_the_round_page_is_a_precached_shell(client):
    resp = client.get("/round")
    assert resp.status_code == 200 and "Dagens runde" in resp.get_data(as_text=True)
    assert "/round" in client.get("/sw.js").get_data(as_text=True)


def test_rounds_go_with_the_retention_period(three, runner):
    actions, ids = three
    old = new_round(ids[:1], day="2020-01-06", created_at="2020-01-06T09:00:00Z")
    new = new_round(ids[:1])
    assert statuses(actions.sync([old, new_tick(old["id"], ids[0], done_at="2020-01-06T10:00:00Z"),
                                  new, new_tick(new["id"], ids[0])])) == [("stored", None)] * 4
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert "round_ticks: removed 1 " in result.output and "rounds: removed 1 " in result.output
    db = actions.db()
    assert [r[0] for r in db.execute("SELECT id FROM rounds")] == [new["id"]]
    assert db.execute("SELECT count(*) FROM round_ticks").fetchone()[0] == 1
