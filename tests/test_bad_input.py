"""Bad input the outside review sent (issue 12, item 5): a 4xx that names the field or the body, never a 500,
and nothing stored changes; and every error a person can see is in Danish, Werkzeug's own included."""
import pytest
from flask import abort
from werkzeug.exceptions import default_exceptions

from pwa import create_app, errors, rules
from tests.helpers import assert_matches_spec, csrf_from, new_citizen, new_encounter

DEVICE = "3f0c9a52-8d0e-4b7a-9c61-2a5b7e4d1f08"


def me(actions):
    return actions.session()["user"]["id"]


@pytest.mark.parametrize("change, field", [
    ({"techniques": [{}]}, "techniques"),
    ({"techniques": [["spejling"]]}, "techniques"),
    ({"worker_ids": [{}]}, "worker_ids"),
    ({"worker_ids": [[1]]}, "worker_ids"),
])
def test_an_object_inside_a_list_field_is_refused_by_field(logged_in, change, field):
    before = logged_in.snapshot()
    record = new_encounter([me(logged_in)])
    record.update(change)
    resp = logged_in.sync([record, new_citizen()])
    assert resp.status_code == 200
    assert_matches_spec(resp, "/api/sync", "post")
    refused, stored = resp.json["results"]
    assert (refused["status"], refused["error"]["field"], stored["status"]) == ("refused", field, "stored")
    assert logged_in.count("encounters") == len(before["encounters"])


def nested(depth, key):
    return '{"%s": ' % key + "[" * depth + "]" * depth + "}"


@pytest.fixture
def lost_device(logged_in):
    """Bo's phone, reported lost by Anna: the one kind of caller /api/quarantine answers."""
    assert logged_in.add_worker().status_code == 302
    phone = logged_in.app.test_client()
    token = csrf_from(phone.get("/login").get_data(as_text=True))
    assert phone.post("/login", data={"csrf_token": token, "username": "bo", "password": "en lang nok adgangskode",
                                      "device_id": DEVICE}).status_code == 302
    token = csrf_from(logged_in.client.get("/team").get_data(as_text=True))
    assert logged_in.client.post(f"/team/devices/{DEVICE}/lost", data={"csrf_token": token}).status_code == 302
    return logged_in


@pytest.mark.parametrize("depth", [rules.MAX_JSON_DEPTH, 2_000, 200_000])
@pytest.mark.parametrize("path, key", [("/api/sync", "records"), ("/api/timers/events", "events"),
                                       ("/api/quarantine", "records")])
def test_deeply_nested_json_is_a_400_naming_the_body(lost_device, path, key, depth):
    token = lost_device.session()["csrf_token"]
    before = lost_device.snapshot(), lost_device.count("quarantine"), lost_device.count("checkin_events")
    resp = lost_device.client.post(path, data=nested(depth, key), content_type="application/json",
                                   headers={"X-CSRFToken": token, "X-Device-Id": DEVICE})
    assert resp.status_code == 400
    assert resp.json["error"]["field"] == "body" and "indlejret" in resp.json["error"]["message"]
    assert_matches_spec(resp, path, "post")
    assert (lost_device.snapshot(), lost_device.count("quarantine"), lost_device.count("checkin_events")) == before


def test_json_as_deep_as_the_limit_allows_is_read(logged_in):
    # {"records": [[[...]]]}: the list is MAX_JSON_DEPTH - 1 deep, so the body is exactly at the limit.
    depth = rules.MAX_JSON_DEPTH - 1
    resp = logged_in.client.post("/api/sync", data=nested(depth, "records"), content_type="application/json",
                                 headers={"X-CSRFToken": logged_in.session()["csrf_token"]})
    assert resp.status_code == 200 and resp.json["results"][0]["status"] == "refused"


@pytest.mark.parametrize("query, status, field", [
    ("user=99999999999999999999999", 400, "user"),
    ("user=-1", 400, "user"),
    ("user=%C2%B2", 400, "user"),          # a superscript two: str.isdigit() says yes, int() says no
    ("user=1e3", 400, "user"),
    ("user=4242", 404, "user"),
    ("citizen=99999999999999999999999", 400, "citizen"),
])
@pytest.mark.parametrize("page", ["/admin/access-log", "/admin/access-log.csv"])
def test_access_log_filters_out_of_range_are_a_4xx_naming_the_field(logged_in, page, query, status, field):
    rows = logged_in.count("access_log")
    resp = logged_in.client.get(f"{page}?{query}")
    assert resp.status_code == status
    assert f"{field}:" in resp.get_data(as_text=True)
    assert logged_in.count("access_log") == rows


# --- Danish everywhere ----------------------------------------------------------

ENGLISH = {cls.description for cls in default_exceptions.values()}


@pytest.mark.parametrize("method, path, kwargs, status", [
    ("get", "/findes-ikke", {}, 404),
    ("get", "/api/findes-ikke", {}, 404),
    ("delete", "/api/sync", {}, 405),
    ("put", "/citizens", {}, 405),
    ("post", "/api/sync", {"data": "x" * (2 * 1024 * 1024 + 1), "content_type": "application/json"}, 413),
    ("post", "/login", {"data": {"username": "x" * (2 * 1024 * 1024 + 1)}}, 413),
])
def test_werkzeugs_own_errors_are_told_in_danish(logged_in, method, path, kwargs, status):
    resp = getattr(logged_in.client, method)(path, **kwargs)
    assert resp.status_code == status
    text = resp.json["error"]["message"] if path.startswith("/api/") else resp.get_data(as_text=True)
    assert errors.DANISH[status] in text
    assert not any(english in text for english in ENGLISH)


@pytest.fixture
def aborting_app(tmp_path, monkeypatch):
    """The app with one extra route that raises whichever HTTP error it is told, as Werkzeug would."""
    monkeypatch.setenv("GADEKONTAKT_INSTANCE", str(tmp_path))
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE": str(tmp_path / "test.sqlite")})
    for prefix in ("", "/api"):
        app.add_url_rule(f"{prefix}/abort/<int:code>", f"abort{prefix}", lambda code: abort(code))
    return app


@pytest.mark.parametrize("code", sorted(c for c in default_exceptions if c >= 400))
def test_every_http_error_is_told_in_danish(aborting_app, code):
    client = aborting_app.test_client()
    page = client.get(f"/abort/{code}")
    api = client.get(f"/api/abort/{code}")
    assert page.status_code == api.status_code == code
    message = api.json["error"]["message"]
    assert message == errors.DANISH[code] and message in page.get_data(as_text=True)
    assert not any(english in page.get_data(as_text=True) for english in ENGLISH)


def test_a_500_is_told_in_danish(tmp_path, monkeypatch):
    monkeypatch.setenv("GADEKONTAKT_INSTANCE", str(tmp_path))
    app = create_app({"SECRET_KEY": "test", "DATABASE": str(tmp_path / "test.sqlite")})  # not TESTING: a real 500

    def broken():
        raise RuntimeError("a bug")
    app.add_url_rule("/api/broken", "broken", broken)
    resp = app.test_client().get("/api/broken")
    assert resp.status_code == 500 and resp.json["error"]["message"] == errors.DANISH[500]


# --- found by tests/test_fuzz_forms.py and pinned here -----------------------------

def test_a_too_short_new_password_is_a_400_on_the_team_page(logged_in):
    # _render_team passed reset_form twice: every refused password reset was a 500.
    assert logged_in.add_worker().status_code == 302
    token = csrf_from(logged_in.client.get("/team").get_data(as_text=True))
    resp = logged_in.client.post("/team/workers/2/password", data={"csrf_token": token, "r-password": "kort"})
    assert resp.status_code == 400 and "mindst 12 tegn" in resp.get_data(as_text=True)


def test_a_citizen_edit_without_its_optional_fields_is_saved(logged_in):
    # A form posted without description and places (not even empty) met None.strip(): a 500.
    citizen = new_citizen()
    logged_in.sync([citizen])
    token = csrf_from(logged_in.client.get(f"/citizens/{citizen['id']}/edit").get_data(as_text=True))
    resp = logged_in.client.post(f"/citizens/{citizen['id']}/edit", data={"csrf_token": token, "alias": "Ny K."})
    assert resp.status_code == 302
    assert logged_in.db().execute("SELECT alias, description, places FROM citizens").fetchone()[:] == ("Ny K.", "", "")


@pytest.mark.parametrize("path", ["/team/workers/{n}/password", "/team/workers/{n}/active", "/team/workers/{n}/unlock",
                                  "/team/places/{n}/delete"])
def test_an_id_past_sqlites_range_is_no_such_page(logged_in, path):
    token = csrf_from(logged_in.client.get("/team").get_data(as_text=True))
    for n in ("9223372036854775808", "99999999999999999999999"):
        resp = logged_in.client.post(path.format(n=n), data={"csrf_token": token})
        assert resp.status_code == 404 and errors.DANISH[404] in resp.get_data(as_text=True)
