"""The JSON API: exactly-once sync, bad input refused by field, team isolation, and
the OpenAPI document held together with what the server does."""
import json
import uuid

import pytest
from openapi_spec_validator import validate

from pwa import create_app
from pwa.api import OPENAPI
from tests.helpers import Actions, assert_matches_spec, new_citizen, new_encounter

# --- the OpenAPI document ---------------------------------------------------

def test_openapi_document_is_valid():
    validate(OPENAPI)


def test_openapi_covers_every_api_route_and_no_other(app):
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = rule.rule.replace("<", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                served.add((path, method.lower()))
    documented = {(p, m) for p, ops in OPENAPI["paths"].items() for m in ops}
    assert served == documented


def test_openapi_is_served(client):
    resp = client.get("/api/openapi.json")
    assert resp.status_code == 200 and resp.json == OPENAPI


# --- sync ----------------------------------------------------------------------

def me(actions):
    return actions.session()["user"]["id"]


def test_sync_stores_once_and_reports_duplicates(logged_in):
    citizen = new_citizen()
    enc = new_encounter([me(logged_in)], citizen["id"])
    resp = logged_in.sync([citizen, enc])
    assert resp.status_code == 200
    assert_matches_spec(resp, "/api/sync", "post")
    assert resp.json["results"] == [{"id": citizen["id"], "status": "stored"}, {"id": enc["id"], "status": "stored"}]
    again = logged_in.sync([citizen, enc])
    assert [r["status"] for r in again.json["results"]] == ["duplicate", "duplicate"]
    assert logged_in.count("citizens") == 1 and logged_in.count("encounters") == 1
    row = logged_in.db().execute("SELECT bvc_total, bvc_band, stage, citizen_id FROM encounters").fetchone()
    assert dict(row) == {"bvc_total": 2, "bvc_band": "moderate", "stage": "contemplation", "citizen_id": citizen["id"]}


def test_a_refused_record_does_not_stop_the_rest_of_the_batch(logged_in):
    good, bad = new_citizen(), new_citizen(alias="")
    resp = logged_in.sync([bad, good])
    assert [r["status"] for r in resp.json["results"]] == ["refused", "stored"]
    assert resp.json["results"][0]["error"]["field"] == "alias"


def test_the_server_computes_the_band_and_checks_a_claimed_total(logged_in):
    enc = new_encounter([me(logged_in)], bvc_total=2)
    assert logged_in.sync([enc]).json["results"][0]["status"] == "stored"
    wrong = new_encounter([me(logged_in)], bvc_total=5)
    result = logged_in.sync([wrong]).json["results"][0]
    assert result["status"] == "refused" and result["error"]["field"] == "bvc_total"


def test_unknown_citizen_is_allowed(logged_in):
    enc = new_encounter([me(logged_in)], None, bvc=None, stage=None, techniques=[])
    assert logged_in.sync([enc]).json["results"][0]["status"] == "stored"


BVC_OK = {"forvirring": 0, "irritabilitet": 0, "stoejende_adfaerd": 0, "fysiske_trusler": 0,
          "verbale_trusler": 0, "angreb_paa_ting": 0}


@pytest.mark.parametrize("change, field", [
    ({"stage": "nirvana"}, "stage"),
    ({"stage": 3}, "stage"),
    ({"bvc": dict(BVC_OK, forvirring=2)}, "bvc.forvirring"),
    ({"bvc": dict(BVC_OK, forvirring=True)}, "bvc.forvirring"),
    ({"bvc": dict(BVC_OK, forvirring="1")}, "bvc.forvirring"),
    ({"bvc": {k: v for k, v in BVC_OK.items() if k != "angreb_paa_ting"}}, "bvc.angreb_paa_ting"),
    ({"bvc": dict(BVC_OK, kniv=1)}, "bvc.kniv"),
    ({"bvc": [1, 0, 0, 0, 0, 0]}, "bvc"),
    ({"note": "x" * 1001}, "note"),
    ({"note": 42}, "note"),
    ({"note": "Født 010190-1234, bor på gaden"}, "note"),
    ({"place": "p" * 121}, "place"),
    ({"occurred_at": "i går"}, "occurred_at"),
    ({"occurred_at": "2026-11-23T10:00:00"}, "occurred_at"),
    ({"occurred_at": "2099-01-01T10:00:00Z"}, "occurred_at"),
    ({"occurred_at": None}, "occurred_at"),
    ({"worker_ids": []}, "worker_ids"),
    ({"worker_ids": [1, 1]}, "worker_ids"),
    ({"worker_ids": ["1"]}, "worker_ids"),
    ({"worker_ids": [1, 2, 3]}, "worker_ids"),
    ({"techniques": ["hypnose"]}, "techniques"),
    ({"techniques": "spejling"}, "techniques"),
    ({"followup_date": "1/12"}, "followup_date"),
    ({"followup_date": "2026-02-30"}, "followup_date"),
    ({"citizen_id": "not-a-uuid"}, "citizen_id"),
    ({"citizen_id": str(uuid.uuid4())}, "citizen_id"),
    ({"id": "123"}, "id"),
    ({"kind": "person"}, "kind"),
    ({"cpr": "0101901234"}, "cpr"),
    ({"amends": "not-a-uuid"}, "amends"),
    ({"amends": str(uuid.uuid4())}, "amends"),
])
def test_bad_encounter_is_refused_naming_the_field_and_changes_nothing(logged_in, change, field):
    logged_in.sync([new_citizen(), new_encounter([me(logged_in)])])
    before = logged_in.snapshot()
    record = new_encounter([me(logged_in)])
    record.update(change)
    resp = logged_in.sync([record])
    assert resp.status_code == 200
    assert_matches_spec(resp, "/api/sync", "post")
    [result] = resp.json["results"]
    assert result["status"] == "refused"
    assert result["error"]["field"] == field
    assert logged_in.snapshot() == before


@pytest.mark.parametrize("change, field", [
    ({"alias": ""}, "alias"),
    ({"alias": "a" * 41}, "alias"),
    ({"alias": "010190-1234"}, "alias"),
    ({"description": "cpr 0101901234"}, "description"),
    ({"alias": ["K"]}, "alias"),
    ({"full_name": "Kasper Kristensen"}, "full_name"),
])
def test_bad_citizen_is_refused_naming_the_field(logged_in, change, field):
    [result] = logged_in.sync([new_citizen(**change)]).json["results"]
    assert result["status"] == "refused" and result["error"]["field"] == field
    assert logged_in.count("citizens") == 0


@pytest.mark.parametrize("body, content_type, status, field", [
    ("{not json", "application/json", 400, "body"),
    ("[]", "application/json", 400, "records"),
    ('{"records": {}}', "application/json", 400, "records"),
    ('{"records": [], "more": 1}', "application/json", 400, "more"),
    ("records=1", "application/x-www-form-urlencoded", 415, None),
    (json.dumps({"records": [{}] * 501}), "application/json", 413, "records"),
])
def test_malformed_request_is_a_4xx_json_error_naming_the_field(logged_in, body, content_type, status, field):
    token = logged_in.session()["csrf_token"]
    before = logged_in.snapshot()
    resp = logged_in.client.post("/api/sync", data=body, content_type=content_type, headers={"X-CSRFToken": token})
    assert resp.status_code == status
    assert resp.json["error"]["field"] == field
    assert_matches_spec(resp, "/api/sync", "post")
    assert logged_in.snapshot() == before


def test_non_object_records_are_refused_individually(logged_in):
    resp = logged_in.sync([1, "x", None])
    assert [r["status"] for r in resp.json["results"]] == ["refused"] * 3
    assert_matches_spec(resp, "/api/sync", "post")


def test_sync_needs_login_then_csrf(logged_in):
    anonymous = logged_in.app.test_client()
    resp = anonymous.post("/api/sync", json={"records": []})
    assert resp.status_code == 401 and resp.json["error"]["status"] == 401
    assert_matches_spec(resp, "/api/sync", "post")
    resp = logged_in.client.post("/api/sync", json={"records": [new_citizen()]})
    assert resp.status_code == 400 and resp.json["error"]["field"] == "csrf_token"
    assert logged_in.count("citizens") == 0


def test_csrf_token_of_another_session_is_refused(logged_in):
    stranger = logged_in.app.test_client()
    token = logged_in.session(stranger)["csrf_token"]
    resp = logged_in.client.post("/api/sync", json={"records": [new_citizen()]}, headers={"X-CSRFToken": token})
    assert resp.status_code == 400 and resp.json["error"]["field"] == "csrf_token"


# --- reads and team isolation ---------------------------------------------------

def test_session_answer_matches_spec(logged_in, client):
    assert_matches_spec(logged_in.client.get("/api/session"), "/api/session")
    assert_matches_spec(logged_in.app.test_client().get("/api/session"), "/api/session")


def test_citizens_list_shows_last_contact_stage_and_band_and_searches(logged_in):
    uid = me(logged_in)
    kasper, lone = new_citizen(alias="Kasper K."), new_citizen(alias="Lone_50%")
    logged_in.sync([kasper, lone,
                    new_encounter([uid], kasper["id"], occurred_at="2026-11-01T10:00:00Z", stage="precontemplation",
                                  bvc=dict(BVC_OK, forvirring=1, irritabilitet=1, verbale_trusler=1)),
                    new_encounter([uid], kasper["id"], occurred_at="2026-11-10T10:00:00Z", stage="contemplation",
                                  bvc=None),
                    new_encounter([uid], kasper["id"], occurred_at="2026-11-05T10:00:00Z", stage=None, bvc=BVC_OK)])
    resp = logged_in.client.get("/api/citizens")
    assert_matches_spec(resp, "/api/citizens")
    by_alias = {c["alias"]: c for c in resp.json["citizens"]}
    k = by_alias["Kasper K."]
    assert (k["last_contact_at"], k["last_stage"], k["last_band"], k["last_bvc_total"], k["last_bvc_at"]) == \
        ("2026-11-10T10:00:00Z", "contemplation", "low", 0, "2026-11-05T10:00:00Z")
    assert by_alias["Lone_50%"]["last_band"] is None
    assert [c["alias"] for c in logged_in.client.get("/api/citizens?q=kasp").json["citizens"]] == ["Kasper K."]
    assert [c["alias"] for c in logged_in.client.get("/api/citizens?q=_50%").json["citizens"]] == ["Lone_50%"]
    assert logged_in.client.get("/api/citizens?q=0%").json["citizens"][0]["alias"] == "Lone_50%"
    assert logged_in.client.get("/api/citizens?q=%25_").json["citizens"] == []
    resp = logged_in.client.get("/api/citizens?q=" + "x" * 41)
    assert resp.status_code == 400 and resp.json["error"]["field"] == "q"


def test_citizen_detail_has_the_timeline(logged_in):
    uid = me(logged_in)
    kasper = new_citizen()
    logged_in.sync([kasper, new_encounter([uid], kasper["id"], occurred_at="2026-11-02T09:00:00Z"),
                    new_encounter([uid], kasper["id"], occurred_at="2026-11-01T09:00:00Z")])
    resp = logged_in.client.get(f"/api/citizens/{kasper['id']}")
    assert_matches_spec(resp, "/api/citizens/{citizen_id}")
    assert [e["occurred_at"] for e in resp.json["encounters"]] == ["2026-11-01T09:00:00Z", "2026-11-02T09:00:00Z"]
    assert resp.json["encounters"][0]["workers"] == [{"id": uid, "name": "Anna Admin"}]


@pytest.fixture
def two_teams(logged_in):
    """Team Nord (Anna, logged in) with one citizen and encounter; Ole of Team Syd logged in on `ole`."""
    kasper = new_citizen()
    enc = new_encounter([me(logged_in)], kasper["id"])
    logged_in.sync([kasper, enc])
    logged_in.other_team()
    ole = logged_in.app.test_client()
    logged_in.login("ole", client=ole)
    return logged_in, ole, kasper, enc


def test_isolation_citizens_list(two_teams):
    actions, ole, kasper, _ = two_teams
    assert ole.get("/api/citizens").json["citizens"] == []
    assert ole.get("/api/citizens?q=Kasper").json["citizens"] == []


def test_isolation_citizen_detail(two_teams):
    actions, ole, kasper, _ = two_teams
    resp = ole.get(f"/api/citizens/{kasper['id']}")
    assert resp.status_code == 404
    assert_matches_spec(resp, "/api/citizens/{citizen_id}")


def test_isolation_session_lists_only_own_workers_and_places(two_teams):
    actions, ole, *_ = two_teams
    body = actions.session(ole)
    assert [w["name"] for w in body["workers"]] == ["Ole Syd"] and body["places"] == []


def test_isolation_sync_cannot_touch_another_teams_data(two_teams):
    actions, ole, kasper, enc = two_teams
    before = actions.snapshot()
    ole_id = actions.session(ole)["user"]["id"]
    anna_id = actions.session()["user"]["id"]
    results = actions.sync([
        new_encounter([ole_id], kasper["id"]),      # their citizen
        new_encounter([anna_id]),                   # their worker
        dict(enc, worker_ids=[ole_id], citizen_id=None),  # their record's id
        dict(kasper, alias="Overtaget"),            # their citizen's id
        new_encounter([ole_id], amends=enc["id"]),  # a correction of their contact
    ], client=ole).json["results"]
    assert [(r["status"], r["error"]["field"]) for r in results] == [
        ("refused", "citizen_id"), ("refused", "worker_ids"), ("refused", "id"), ("refused", "id"),
        ("refused", "amends")]
    assert actions.snapshot() == before


def test_isolation_pages(two_teams):
    actions, ole, kasper, _ = two_teams
    assert "Kasper" not in ole.get("/citizens").get_data(as_text=True)
    assert ole.get(f"/citizens/{kasper['id']}").status_code == 404
    assert "Kasper" in actions.client.get(f"/citizens/{kasper['id']}").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/api/citizens", "/api/citizens/x"])
def test_reads_need_login(client, path):
    resp = client.get(path)
    assert resp.status_code == 401 and resp.is_json


def test_citizen_pages_are_never_cached(logged_in):
    kasper = new_citizen()
    logged_in.sync([kasper])
    for path in ("/citizens", f"/citizens/{kasper['id']}", "/api/citizens", "/api/session"):
        assert "no-store" in logged_in.client.get(path).headers["Cache-Control"], path


def test_session_tells_the_phone_the_operators_lock_policy(tmp_path, monkeypatch):
    monkeypatch.setenv("GADEKONTAKT_INSTANCE", str(tmp_path))
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE": str(tmp_path / "d.sqlite"),
                      "LOCK_MINUTES": 2, "SHIFT_HOURS": 8})
    actions = Actions(app, app.test_client())
    actions.setup()
    assert actions.session()["phone_policy"] == {"lock_minutes": 2, "list_hours": 8}
