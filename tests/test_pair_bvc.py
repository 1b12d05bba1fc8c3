"""The makkerscore on the server (issue 16): an encounter may carry the pair's other BVC
score beside the pair's result; it is checked like the first, shown on the citizen's
timeline, and counted, per item, on the administrator's page of the team's disagreements."""
import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest

from pwa import bvc, pair_scores
from tests.helpers import assert_matches_spec, new_citizen, new_encounter

IDS = [i["id"] for i in bvc.items()]


def score(*ticked):
    return {i: int(i in ticked) for i in IDS}


def me(actions):
    return actions.session()["user"]["id"]


def stored(actions):
    db = actions.db()
    try:
        return [dict(r) for r in db.execute("SELECT id, bvc, bvc_total, bvc_band, bvc_partner FROM encounters ORDER BY id")]
    finally:
        db.conn.close()


def test_a_pair_score_is_stored_with_the_pairs_result_and_the_other_score(logged_in):
    kasper = new_citizen()
    enc = new_encounter([me(logged_in)], kasper["id"], bvc=score("forvirring", "irritabilitet", "verbale_trusler"),
                        bvc_total=3, bvc_partner=score("forvirring"))
    resp = logged_in.sync([kasper, enc])
    assert_matches_spec(resp, "/api/sync", "post")
    assert [r["status"] for r in resp.json["results"]] == ["stored", "stored"]
    [row] = stored(logged_in)
    assert (row["bvc_total"], row["bvc_band"]) == (3, "high")
    assert json.loads(row["bvc"]) == score("forvirring", "irritabilitet", "verbale_trusler")
    assert json.loads(row["bvc_partner"]) == score("forvirring")
    # The retry of the same record is a duplicate; the same id with another partner score a conflict.
    assert logged_in.sync([enc]).json["results"][0]["status"] == "duplicate"
    other = dict(enc, bvc_partner=score("irritabilitet"))
    assert logged_in.sync([other]).json["results"][0]["status"] == "conflict"
    # The API reads it back, both scores, held to the OpenAPI document.
    resp = logged_in.client.get(f"/api/citizens/{kasper['id']}")
    assert_matches_spec(resp, "/api/citizens/{citizen_id}")
    [got] = resp.json["encounters"]
    assert got["bvc_partner"] == score("forvirring") and got["bvc_total"] == 3


def test_a_record_without_a_partner_keeps_the_fingerprint_it_had_before(logged_in):
    """Stored before the makkerscore existed, a record's retry must still be a duplicate."""
    enc = new_encounter([me(logged_in)])
    logged_in.sync([enc])
    db = logged_in.db()
    row = db.execute("SELECT * FROM encounters").fetchone()
    db.conn.close()
    before = ("amends", "citizen_id", "occurred_at", "place", "worker1_id", "worker2_id", "bvc", "bvc_total",
              "bvc_band", "stage", "techniques", "note", "followup_step", "followup_date")
    old = hashlib.sha256(json.dumps({k: row[k] for k in before}, sort_keys=True,
                                    ensure_ascii=False).encode()).hexdigest()
    assert row["content_digest"] == old and row["bvc_partner"] is None


@pytest.mark.parametrize("change, field", [
    ({"bvc_partner": score("forvirring", "irritabilitet")}, "bvc_partner"),      # higher than bvc (1)
    ({"bvc_partner": dict(score(), forvirring=2)}, "bvc_partner.forvirring"),
    ({"bvc_partner": dict(score(), forvirring=True)}, "bvc_partner.forvirring"),
    ({"bvc_partner": dict(score(), forvirring="1")}, "bvc_partner.forvirring"),
    ({"bvc_partner": {k: 0 for k in IDS[:-1]}}, f"bvc_partner.{IDS[-1]}"),
    ({"bvc_partner": dict(score(), kniv=1)}, "bvc_partner.kniv"),
    ({"bvc_partner": [0, 0, 0, 0, 0, 0]}, "bvc_partner"),
    ({"bvc_partner": ["forvirring"]}, "bvc_partner"),
    ({"bvc_partner": "forvirring"}, "bvc_partner"),
    ({"bvc_partner": score(), "bvc": None, "bvc_total": None}, "bvc_partner"),  # a partner needs the first
    # The total is the pair's: the sum of bvc, the higher, not of the other score.
    ({"bvc_partner": score(), "bvc_total": 0}, "bvc_total"),
])
def test_a_bad_partner_score_is_refused_by_field_and_nothing_stored_changes(logged_in, change, field):
    first = new_encounter([me(logged_in)], bvc=score("forvirring"), bvc_partner=score("forvirring"))
    assert logged_in.sync([first]).json["results"][0]["status"] == "stored"
    before = logged_in.snapshot()
    bad = new_encounter([me(logged_in)], **{"bvc": score("forvirring"), **change})
    amend = dict(bad, amends=first["id"])
    resp = logged_in.sync([bad, amend])
    assert resp.status_code == 200
    assert_matches_spec(resp, "/api/sync", "post")
    for result in resp.json["results"]:
        assert result["status"] == "refused" and result["error"]["field"] == field, result
        assert result["error"]["message"]
    assert logged_in.snapshot() == before


def test_the_timeline_says_it_was_a_pair_score_and_where_they_differed(logged_in):
    kasper = new_citizen()
    pair = new_encounter([me(logged_in)], kasper["id"], occurred_at="2026-11-20T10:00:00Z",
                         bvc=score("forvirring", "irritabilitet", "verbale_trusler"),
                         bvc_partner=score("forvirring", "stoejende_adfaerd"))
    agreed = new_encounter([me(logged_in)], kasper["id"], occurred_at="2026-11-21T10:00:00Z",
                           bvc=score("forvirring"), bvc_partner=score("forvirring"))
    alone = new_encounter([me(logged_in)], kasper["id"], occurred_at="2026-11-22T10:00:00Z", bvc=score())
    logged_in.sync([kasper, pair, agreed, alone])
    html = logged_in.client.get(f"/citizens/{kasper['id']}").get_data(as_text=True)
    assert html.count("Makkerscore:") == 2
    assert "I scorede 3 og 2; den højeste gælder." in html
    assert "Uenige om: Irritabilitet, Støjende adfærd, Verbale trusler." in html
    assert "I scorede 1 og 1; den højeste gælder." in html and "Enige om alle 6 punkter." in html


# --- the team's disagreements ------------------------------------------------------

def ago(days):
    return (datetime.now(timezone.utc) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def seed_log(actions):
    """A contact log with known answers: four pair scores in the window, one outside,
    one replaced by a correction, and scores by one worker alone."""
    uid = me(actions)
    kasper = new_citizen()
    recs = [kasper,
            # differ on irritabilitet and verbale_trusler; bands high vs moderate
            new_encounter([uid], kasper["id"], occurred_at=ago(1), bvc=score("forvirring", "irritabilitet", "verbale_trusler"),
                          bvc_partner=score("forvirring")),
            # differ on irritabilitet; bands moderate vs low
            new_encounter([uid], kasper["id"], occurred_at=ago(10), bvc=score("irritabilitet"), bvc_partner=score()),
            # agree
            new_encounter([uid], kasper["id"], occurred_at=ago(30), bvc=score("fysiske_trusler"),
                          bvc_partner=score("fysiske_trusler")),
            # differ on forvirring and stoejende_adfaerd, same total, same band
            new_encounter([uid], None, occurred_at=ago(89), bvc=score("forvirring"), bvc_partner=score("stoejende_adfaerd")),
            # outside the window
            new_encounter([uid], None, occurred_at=ago(91), bvc=score("angreb_paa_ting"), bvc_partner=score()),
            # alone
            new_encounter([uid], None, occurred_at=ago(2), bvc=score("angreb_paa_ting")),
            new_encounter([uid], None, occurred_at=ago(3), bvc=None)]
    replaced = new_encounter([uid], None, occurred_at=ago(4), bvc=score("angreb_paa_ting"), bvc_partner=score())
    correction = new_encounter([uid], None, occurred_at=ago(4), bvc=score("angreb_paa_ting"),
                               bvc_partner=score("angreb_paa_ting"), amends=replaced["id"])
    results = actions.sync(recs + [replaced]).json["results"] + actions.sync([correction]).json["results"]
    assert {r["status"] for r in results} == {"stored"}


EXPECTED = {"bvcs": 6, "pairs": 5, "any": 3, "bands": 2,
            "differ": {"forvirring": 1, "irritabilitet": 2, "stoejende_adfaerd": 1, "fysiske_trusler": 0,
                       "verbale_trusler": 1, "angreb_paa_ting": 0}}


def test_the_disagreement_counts_are_exact_against_a_seeded_log(logged_in):
    seed_log(logged_in)
    db = logged_in.db()
    got = pair_scores.counts(db, logged_in.session()["team"]["id"])
    db.conn.close()
    assert {k: got[k] for k in ("bvcs", "pairs", "any", "bands")} == {k: EXPECTED[k] for k in ("bvcs", "pairs", "any", "bands")}
    assert {i["id"]: i["differ"] for i in got["items"]} == EXPECTED["differ"]
    html = logged_in.client.get("/team/makkerscore").get_data(as_text=True)
    assert "5 makkerscorer</strong>\n  af 6 risikovurderinger" in html
    assert 'data-count="any">3</strong> af 5' in html and 'data-count="bands">2</strong> af 5' in html
    assert '<tr data-item="irritabilitet"><th scope="row">Irritabilitet</th><td>2 af 5</td>' in html
    assert '<tr data-item="fysiske_trusler"><th scope="row">Fysiske trusler</th><td>0 af 5</td>' in html
    # Whose words: ours, said so; and no citizen is named.
    assert '<span class="cite cite-practice">God praksis</span>' in html and "Kasper" not in html
    assert 'href="/team/makkerscore"' in logged_in.client.get("/team").get_data(as_text=True)


def test_the_counts_are_the_teams_own_and_for_its_administrator_only(logged_in):
    seed_log(logged_in)
    logged_in.other_team()
    ole = logged_in.app.test_client()
    logged_in.login("ole", client=ole)
    html = ole.get("/team/makkerscore").get_data(as_text=True)
    assert "0 makkerscorer</strong>\n  af 0 risikovurderinger" in html and "Ingen makkerscorer endnu." in html
    assert logged_in.add_worker().status_code == 302
    bo = logged_in.phone("bo", "0b0b0b0b-0000-4000-8000-000000000000")
    assert bo.get("/team/makkerscore").status_code == 403
    assert 'href="/team/makkerscore"' not in bo.get("/team").get_data(as_text=True)
    logged_in.logout()
    assert logged_in.client.get("/team/makkerscore").status_code in (302, 401)
