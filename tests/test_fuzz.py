"""Property-based fuzzing of the JSON API from its own /api/openapi.json, with schemathesis.

Each operation in the document gets generated requests, valid and invalid,
sent in-process to the Flask app (WSGI) as a logged-in worker with a valid
CSRF token, so the fuzzer gets past the login and the CSRF check and into the
validation code. What must hold for every answer: no 5xx, a status code the
document lists, and a body matching the document's schema for it.

Bounded so it stays a unit test: at most MAX_EXAMPLES per operation, no
shrinking (a failure shows the raw example), no example database.
"""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_schema_conformance,
                                 status_code_conformance)
from schemathesis.generation import GenerationMode

from pwa import create_app
from pwa.api import OPENAPI
from tests.helpers import Actions, csrf_from, new_citizen, new_encounter

# Per operation and kind of data; GADEKONTAKT_FUZZ_EXAMPLES=500 hunts deeper by hand.
MAX_EXAMPLES = int(os.environ.get("GADEKONTAKT_FUZZ_EXAMPLES", 30))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class Credentials:
    """A team whose admin is logged in, and a second phone reported lost (for the quarantine)."""

    def __init__(self, app):
        client = app.test_client()
        actions = Actions(app, client)
        assert actions.setup().status_code == 302
        assert actions.add_worker().status_code == 302
        me = actions.session()["user"]["id"]
        citizen = new_citizen()
        actions.sync([citizen, new_encounter([me], citizen["id"])])
        phone = app.test_client()
        assert actions.login("bo", client=phone).status_code == 302
        db = actions.db()
        self.lost_device = db.execute("SELECT d.id FROM devices d JOIN users u ON u.id = d.last_user_id "
                                      "WHERE u.username = 'bo'").fetchone()[0]
        db.conn.close()
        token = csrf_from(client.get("/team").get_data(as_text=True))
        assert client.post(f"/team/devices/{self.lost_device}/lost", data={"csrf_token": token}).status_code == 302
        cookie = app.config.get("SESSION_COOKIE_NAME", "session")
        self.cookies = {cookie: client.get_cookie(cookie).value}
        self.headers = {"X-CSRFToken": actions.session()["csrf_token"], "X-Device-Id": self.lost_device}


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    # Module scope: hypothesis runs many examples per test, and they share one app and database.
    path = tmp_path_factory.mktemp("fuzz")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GADEKONTAKT_INSTANCE", str(path))
        app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE": str(path / "fuzz.sqlite")})
    # The document the app serves, not the file: that is what a client sees.
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app), Credentials(app)


# One test per operation the document lists (read at collection, so new ones join by themselves)
# and per kind of data: valid by the schema, and deliberately invalid.
@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
@pytest.mark.parametrize("path, method", [(p, m.upper()) for p, ops in OPENAPI["paths"].items() for m in ops])
def test_api_answers_within_its_schema(fuzz_app, path, method, mode):
    # schemathesis' own pytest plugin (from_fixture) breaks on pytest 9, so drive hypothesis directly.
    schema, credentials = fuzz_app

    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=schema[path][method].as_strategy(mode))
    def check(case):
        # Replace whatever the fuzzer made up for the session cookie and the CSRF and device headers.
        response = case.call(headers=credentials.headers, cookies=credentials.cookies)
        case.validate_response(response, checks=CHECKS)

    try:
        check()
    except Unsatisfiable:
        if mode is GenerationMode.NEGATIVE:
            pytest.skip("nothing in this operation's request can be made invalid")
        raise


# Found by the fuzzer (via the timers' parser) and pinned here: times before year 1000 were stored
# as '25-11-13T...', and year 1 with a positive offset overflowed into a 500 for the whole batch.
@pytest.mark.parametrize("moment", ["0025-11-13T14:57:46.8Z", "0001-01-01T00:00:00+01:00", "1999-12-31T23:59:59Z"])
def test_times_the_fuzzer_found_are_refused_by_field(logged_in, moment):
    uid = logged_in.session()["user"]["id"]
    resp = logged_in.sync([new_citizen(created_at=moment), new_encounter([uid], occurred_at=moment)])
    assert resp.status_code == 200
    assert [(r["status"], r["error"]["field"]) for r in resp.json["results"]] == [
        ("refused", "created_at"), ("refused", "occurred_at")]
    assert logged_in.count("citizens") == 0 and logged_in.count("encounters") == 0


def test_a_sealed_record_with_a_key_id_that_is_not_text_is_refused_by_field(logged_in):
    # Found by the fuzzer: a number as "kid" raised TypeError in pwa/sealing.py, a 500 for the batch.
    session = logged_in.session()
    sealed = {"kind": "sealed", "v": 2, "id": new_citizen()["id"], "team": session["team"]["id"],
              "device": session["device"]["id"], "kid": 5, "epk": {}, "iv": "", "ct": ""}
    resp = logged_in.sync([sealed])
    assert resp.status_code == 200
    assert resp.json["results"][0]["error"]["field"] == "kid"


@pytest.mark.parametrize("kind", [{}, [], ["citizen"]])
def test_a_kind_that_is_not_text_is_refused_by_field(logged_in, kind):
    # Found by the fuzzer (issue 12): an object as "kind" was looked up in a dict, unhashable, a 500 for the batch.
    resp = logged_in.sync([dict(new_citizen(), kind=kind)])
    assert resp.status_code == 200
    assert resp.json["results"][0]["error"]["field"] == "kind"


def test_quarantine_never_echoes_a_non_text_id(fuzz_app):
    # Found by the fuzzer: a refused record's id was echoed whatever its JSON type, outside the schema.
    schema, credentials = fuzz_app
    resp = schema.app.test_client().post("/api/quarantine", json={"records": [{"id": [1]}, {"id": {"a": 1}}, 7]},
                                         headers={"X-Device-Id": credentials.lost_device})
    assert resp.status_code == 200
    assert [r["id"] for r in resp.json["results"]] == [None, None, None]
