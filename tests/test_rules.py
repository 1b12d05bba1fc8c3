"""The rules in rules.py hold everywhere a person's text comes in: the CPR rule
(normalised first, issue 12 item 10) on every field, the same limits as the
forms, the templates and openapi.json."""
import json
import re
import uuid
from datetime import datetime, timezone
from html import unescape

import pytest

from pwa import rules
from pwa.api import OPENAPI
from pwa.kit import PAGES
from tests.helpers import LOOKS_LIKE_CPR, NOT_CPR, assert_matches_spec, csrf_from, new_citizen, new_encounter

CPR = "01.01.90\u20131234"   # one of the forms the old rule let through


@pytest.mark.parametrize("text", LOOKS_LIKE_CPR)
def test_each_way_of_writing_a_cpr_number_is_caught(text):
    assert rules.looks_like_cpr(text)


@pytest.mark.parametrize("text", NOT_CPR)
def test_ordinary_text_is_not_taken_for_a_cpr_number(text):
    assert not rules.looks_like_cpr(text)


def me(actions):
    return actions.session()["user"]["id"]


def test_an_upload_refuses_every_form_of_cpr_number_and_stores_ordinary_text(logged_in):
    worker = me(logged_in)
    refused = [new_encounter([worker], note=f"Snak. {text}") for text in LOOKS_LIKE_CPR]
    stored = [new_encounter([worker], note=text) for text in NOT_CPR]
    resp = logged_in.sync(refused + stored)
    assert_matches_spec(resp, "/api/sync", "post")
    results = resp.json["results"]
    assert [(r["status"], r.get("error", {}).get("field")) for r in results[:len(refused)]] == \
        [("refused", "note")] * len(refused)
    assert [r["status"] for r in results[len(refused):]] == ["stored"] * len(stored)


@pytest.mark.parametrize("kind, field", [
    ("citizen", "alias"), ("citizen", "description"), ("citizen", "places"),
    ("encounter", "place"), ("encounter", "note"), ("encounter", "followup_step"),
])
def test_every_text_field_of_an_upload_has_the_rule(logged_in, kind, field):
    record = new_citizen(**{field: CPR}) if kind == "citizen" else new_encounter([me(logged_in)], **{field: CPR})
    [result] = logged_in.sync([record]).json["results"]
    assert result["status"] == "refused" and result["error"]["field"] == field
    assert logged_in.count("citizens") + logged_in.count("encounters") == 0


@pytest.mark.parametrize("field", ["alias", "description", "places", "note"])
def test_a_lone_surrogate_is_refused_naming_the_field_not_a_500(logged_in, field):
    kind = "citizen" if field != "note" else "encounter"
    record = new_citizen(**{field: "K \ud800"}) if kind == "citizen" else new_encounter([me(logged_in)], note="\ud800")
    resp = logged_in.sync([record])
    assert resp.status_code == 200
    [result] = resp.json["results"]
    assert result["status"] == "refused" and result["error"]["field"] == field


def test_the_timer_place_has_the_rule(logged_in):
    token = logged_in.session()["csrf_token"]
    event = {"id": str(uuid.uuid4()), "timer_id": str(uuid.uuid4()), "type": "start", "minutes": 15,
             "at": datetime.now(timezone.utc).isoformat(), "place": f"Opgang {CPR}", "band": None}
    resp = logged_in.client.post("/api/timers/events", json={"events": [event]}, headers={"X-CSRFToken": token})
    [result] = resp.json["results"]
    assert result["status"] == "refused" and result["error"]["field"] == "place"
    assert logged_in.count("checkin_events") == 0


def post_form(actions, page, url, data):
    token = csrf_from(actions.client.get(page).get_data(as_text=True))
    return actions.client.post(url, data=dict(data, csrf_token=token))


@pytest.mark.parametrize("page, url, data, field", [
    ("/team", "/team/places", {"pl-place": f"Bænken {CPR}"}, "pl-place"),
    ("/team", "/team/workers", {"name": CPR, "username": "bo", "password": "en lang nok adgangskode"}, "name"),
    ("/team", "/team/workers", {"name": "Bo", "username": "010190-1234", "password": "en lang nok adgangskode"},
     "username"),
])
def test_team_page_names_have_the_rule(logged_in, page, url, data, field):
    before = logged_in.snapshot()
    resp = post_form(logged_in, page, url, data)
    assert resp.status_code == 400
    assert f'id="{field}-err"' in resp.get_data(as_text=True)
    assert logged_in.snapshot() == before


@pytest.mark.parametrize("field", ["alias", "description", "places"])
def test_the_citizen_edit_form_has_the_rule(logged_in, field):
    kasper = new_citizen()
    logged_in.sync([kasper])
    before = logged_in.snapshot()
    data = {"alias": "Kasper K.", "description": "", "places": "", field: CPR}
    resp = post_form(logged_in, f"/citizens/{kasper['id']}/edit", f"/citizens/{kasper['id']}/edit", data)
    assert resp.status_code == 400 and f'id="{field}-err"' in resp.get_data(as_text=True)
    assert logged_in.snapshot() == before


@pytest.mark.parametrize("field", ["team_name", "name"])
def test_setup_names_have_the_rule(actions, field):
    data = {"team_name": "Team Nord", "name": "Anna", "username": "anna", "password": "en lang nok adgangskode",
            "password_confirm": "en lang nok adgangskode", field: CPR}
    resp = post_form(actions, "/setup", "/setup", data)
    assert resp.status_code == 200 and f'id="{field}-err"' in resp.get_data(as_text=True)
    assert actions.count("teams") == 0


def test_the_create_team_command_has_the_rule(runner, actions):
    result = runner.invoke(args=["create-team", f"Team {CPR}", "ole", "--password", "en lang nok adgangskode"])
    assert result.exit_code == 2 and "looks like a CPR number" in result.output
    assert actions.count("teams") == 0


@pytest.mark.parametrize("path", PAGES)
def test_every_page_hands_the_phone_the_rules(client, path):
    html = client.get(path).get_data(as_text=True)
    found = re.search(r"<html lang=\"da\" data-rules='([^']*)'>", html)
    assert found and json.loads(unescape(found.group(1))) == json.loads(json.dumps(rules.for_phone()))


# --- limits: one table, and everything that states a limit agrees with it ----------

OPENAPI_FIELDS = {
    ("CitizenRecord", "alias"): "alias", ("CitizenRecord", "description"): "description",
    ("CitizenRecord", "places"): "places", ("EncounterRecord", "place"): "place",
    ("EncounterRecord", "note"): "note", ("EncounterRecord", "followup_step"): "followup_step",
    ("TimerEvent", "place"): "timer_place", ("Alert", "place"): "timer_place",
    ("PushSubscription", "endpoint"): "push_endpoint",
    ("Place", "name"): "place_name", ("Place", "area"): "area", ("Place", "safety_notes"): "safety_notes",
    ("Place", "access_notes"): "access_notes", ("Partner", "organisation"): "partner_organisation",
    ("Partner", "contact"): "partner_contact", ("Partner", "phone"): "partner_phone",
}


def test_openapi_max_lengths_are_the_rules():
    schemas = OPENAPI["components"]["schemas"]
    found = {key: schemas[name]["properties"][prop].get("maxLength") for (name, prop), key in OPENAPI_FIELDS.items()}
    assert found == {key: rules.LIMITS[key] for key in found}
    [q] = [p for p in OPENAPI["paths"]["/api/citizens"]["get"]["parameters"] if p["name"] == "q"]
    assert q["schema"]["maxLength"] == rules.LIMITS["q"]
    keys = schemas["PushSubscription"]["properties"]["keys"]["properties"]
    assert (keys["p256dh"]["maxLength"], keys["auth"]["maxLength"]) == (rules.LIMITS["push_p256dh"],
                                                                        rules.LIMITS["push_auth"])


def test_openapi_states_no_max_length_that_rules_do_not_know():
    stated = re.findall(r'"maxLength": (\d+)', str(OPENAPI).replace("'", '"'))
    assert len(stated) == len(OPENAPI_FIELDS) + 3   # + the search q and the push subscription's two keys


@pytest.mark.parametrize("field", ["alias", "description", "places", "place", "note", "followup_step"])
def test_one_character_over_the_limit_is_refused(logged_in, field):
    too_long = "x" * (rules.LIMITS[field] + 1)
    if field in ("alias", "description", "places"):
        record = new_citizen(**{field: too_long})
    else:
        record = new_encounter([me(logged_in)], **{field: too_long})
    [result] = logged_in.sync([record]).json["results"]
    assert result["status"] == "refused" and result["error"]["field"] == field
