"""The team's own safety rules: shipped defaults marked as defaults, edited by the team's
administrator on /team (CSRF, team scope, a 4xx naming the field), and served to the phone."""
import json

import pytest

from pwa.team_rules import RULES
from tests.helpers import assert_matches_spec, csrf_from

GOOD = {"tr-code_word": "Har du set min blå kuglepen?", "tr-way_out": "Vi står altid mellem borgeren og døren.",
        "tr-sms_rule": "Sms til makker, når vi går fra et hjemmebesøg.", "tr-checkin_low": "45",
        "tr-checkin_moderate": "20", "tr-checkin_high": "10", "tr-score_keep": "90",
        "tr-escalate_after": "5", "tr-checkin_code": "y"}


def save_rules(actions, client=None, **changes):
    client = client or actions.client
    token = csrf_from(client.get("/team").get_data(as_text=True))
    data = dict(GOOD, csrf_token=token, **changes)
    return client.post("/team/rules", data={k: v for k, v in data.items() if v is not None})


def stored(actions):
    db = actions.db()
    try:
        return db.execute("SELECT team_id, rules, updated_by FROM team_rules ORDER BY team_id").fetchall()
    finally:
        db.conn.close()


def test_without_a_login_the_phone_gets_the_defaults_and_no_team(client):
    resp = client.get("/api/team/rules")
    assert resp.status_code == 200 and "no-store" in resp.headers["Cache-Control"]
    assert_matches_spec(resp, "/api/team/rules")
    assert resp.json["team"] is None
    assert set(resp.json["rules"]) == {r.id for r in RULES}
    assert all(r["default"] for r in resp.json["rules"].values())
    assert resp.json["rules"]["checkin_high"]["value"] == 15
    assert resp.json["rules"]["score_keep"]["value"] == 120     # a BVC score is kept two hours


def test_a_new_team_has_the_defaults_marked_as_defaults(logged_in):
    html = logged_in.client.get("/team").get_data(as_text=True)
    section = html.split('id="aftaler"')[1].split("</section>")[0]
    assert "Teamets aftaler" in section and "Jeg har glemt opladeren i bilen" in section
    assert section.count("Standard – ikke aftalt i teamet endnu") == len(RULES)
    assert 'data-rule-default hidden' not in section
    body = logged_in.client.get("/api/team/rules").json
    assert body["team"]["name"] == "Team Nord" and body["updated_at"] is None
    assert all(r["default"] for r in body["rules"].values())


def test_the_administrator_sets_the_rules_and_every_phone_gets_them(logged_in):
    resp = save_rules(logged_in)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/team#aftaler")
    [(team_id, rules, by)] = stored(logged_in)
    assert json.loads(rules) == {"code_word": "Har du set min blå kuglepen?",
                                 "way_out": "Vi står altid mellem borgeren og døren.",
                                 "sms_rule": "Sms til makker, når vi går fra et hjemmebesøg.",
                                 "checkin_low": 45, "checkin_moderate": 20, "checkin_high": 10,
                                 "score_keep": 90, "escalate_after": 5, "checkin_code": True}
    assert by == logged_in.session()["user"]["id"]
    resp = logged_in.client.get("/api/team/rules")
    assert_matches_spec(resp, "/api/team/rules")
    assert resp.json["rules"]["code_word"] == {"value": "Har du set min blå kuglepen?", "default": False}
    assert resp.json["rules"]["checkin_high"] == {"value": 10, "default": False}
    assert resp.json["updated_at"]
    section = logged_in.client.get("/team").get_data(as_text=True).split('id="aftaler"')[1].split("</section>")[0]
    assert "Har du set min blå kuglepen?" in section
    assert section.count("data-rule-default hidden") == len(RULES)


def test_a_worker_sees_the_rules_but_cannot_change_them(logged_in, app):
    logged_in.add_worker()
    bo = app.test_client()
    logged_in.login("bo", client=bo)
    html = bo.get("/team").get_data(as_text=True)
    assert "Jeg har glemt opladeren i bilen" in html and "Ret teamets aftaler" not in html
    resp = save_rules(logged_in, client=bo)
    assert resp.status_code == 403
    assert stored(logged_in) == []


@pytest.mark.parametrize("field, value, message", [
    ("tr-code_word", "", "Kodeord for »vi går nu«: skal udfyldes."),
    ("tr-sms_rule", "   ", "Sms – til hvem og hvornår: skal udfyldes."),
    ("tr-code_word", "x" * 61, "Kodeord for »vi går nu«: højst 60 tegn."),
    ("tr-way_out", "y" * 301, "Vejen ud: højst 300 tegn."),
    ("tr-sms_rule", "Ring til 010203-1234 hvis noget sker", "Ligner et CPR-nummer"),
    ("tr-code_word", "0102031234", "Ligner et CPR-nummer"),
    ("tr-checkin_high", "0", "Tjek-ind-tid ved høj risiko: skriv et helt antal minutter fra 1 til 720."),
    ("tr-checkin_low", "721", "Tjek-ind-tid ved lille risiko: skriv et helt antal minutter fra 1 til 720."),
    ("tr-checkin_moderate", "en halv time", "Tjek-ind-tid ved moderat risiko: skriv et helt antal minutter fra 1 til 720."),
    ("tr-checkin_moderate", "12.5", "Tjek-ind-tid ved moderat risiko: skriv et helt antal minutter fra 1 til 720."),
    ("tr-checkin_moderate", None, "Tjek-ind-tid ved moderat risiko: skriv et helt antal minutter fra 1 til 720."),
    ("tr-score_keep", "0", "En BVC-score huskes på telefonen i: skriv et helt antal minutter fra 1 til 720."),
])
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(logged_in, field, value, message):
    assert save_rules(logged_in).status_code == 302
    before = stored(logged_in)
    resp = save_rules(logged_in, **{field: value, "tr-way_out": "Noget nyt, der ikke må gemmes."}
                      if field != "tr-way_out" else {field: value})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert message in html
    assert "Not a valid" not in html                  # no English from WTForms
    # The error sits with its field: the field says it is invalid and points at the message.
    assert f'aria-describedby="{field}-hint {field}-err"' in html
    assert stored(logged_in) == before


def test_a_change_without_the_csrf_token_is_refused(logged_in):
    resp = logged_in.client.post("/team/rules", data=GOOD)
    assert resp.status_code == 400
    assert stored(logged_in) == []


def test_each_team_sees_and_sets_only_its_own_rules(logged_in, app):
    logged_in.other_team()
    ole = app.test_client()
    logged_in.login("ole", client=ole)
    assert save_rules(logged_in, client=ole, **{"tr-code_word": "Sydens kodeord"}).status_code == 302
    assert logged_in.client.get("/api/team/rules").json["rules"]["code_word"]["default"] is True
    assert "Sydens kodeord" not in logged_in.client.get("/team").get_data(as_text=True)
    assert ole.get("/api/team/rules").json["rules"]["code_word"]["value"] == "Sydens kodeord"
    assert save_rules(logged_in).status_code == 302
    assert ole.get("/api/team/rules").json["rules"]["code_word"]["value"] == "Sydens kodeord"
    assert len(stored(logged_in)) == 2


def test_the_kit_pages_carry_the_defaults_for_a_phone_that_never_logged_in(client):
    for path in ("/bvc", "/timer", "/settings"):
        html = client.get(path).get_data(as_text=True)
        assert 'data-team-rule="code_word"' in html and "Jeg har glemt opladeren i bilen" in html, path
        assert "Standard – ikke aftalt i teamet endnu" in html, path


def test_a_rule_stored_as_anything_but_an_object_is_refused_by_the_database(logged_in):
    import sqlite3
    db = logged_in.db()
    try:
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO team_rules (team_id, rules) VALUES (1, '[]')")
    finally:
        db.conn.close()
