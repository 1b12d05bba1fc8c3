"""The team's places (issue 18): the administrator's form, the pages every
worker reads, team isolation, bad input, and the figures a place's page and
the coverage show, checked against a seeded log."""
import re
from datetime import datetime, timezone

import pytest

from pwa import place_queries
from tests.helpers import csrf_from, new_encounter

HIGH = {"forvirring": 1, "irritabilitet": 1, "stoejende_adfaerd": 1, "fysiske_trusler": 0, "verbale_trusler": 0,
        "angreb_paa_ting": 0}
PARK = {"name": "Banegårdsparken", "area": "Centrum", "kind": "park", "times": ["man-aften", "maaned-start"],
        "safety_notes": "To udgange. Hunde.", "access_notes": "Indgang fra Søgade",
        "partners-0-organisation": "Kirkens Korshær", "partners-0-contact": "Lise", "partners-0-phone": "+45 12 34 56 78"}


def add_place(actions, client=None, **data):
    client = client or actions.client
    token = csrf_from(client.get("/places/new").get_data(as_text=True))
    return client.post("/places/new", data=dict(data, csrf_token=token))


def place_id(actions, name):
    return actions.db().execute("SELECT id FROM places WHERE name = ?", [name]).fetchone()[0]


def me(actions):
    return actions.session()["user"]["id"]


def test_an_admin_adds_a_place_with_times_partners_and_notes(logged_in):
    resp = add_place(logged_in, **PARK, visit_days="7")
    assert resp.status_code == 302
    row = logged_in.db().execute("SELECT name, area, kind, times, by_appointment, partners, access_notes,"
                                 " safety_notes, visit_days FROM places").fetchone()
    assert dict(row) == {"name": "Banegårdsparken", "area": "Centrum", "kind": "park",
                         "times": '["man-aften", "maaned-start"]', "by_appointment": 0,
                         "partners": '[{"organisation": "Kirkens Korshær", "contact": "Lise", '
                                     '"phone": "+45 12 34 56 78"}]',
                         "access_notes": "Indgang fra Søgade", "safety_notes": "To udgange. Hunde.", "visit_days": 7}
    page = logged_in.client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Man aften · først på måneden" in page and "To udgange. Hunde." in page
    assert 'href="tel:+4512345678"' in page
    # the contact log's picker gets it, as before
    assert logged_in.session()["places"] == ["Banegårdsparken"]


def test_the_team_pages_quick_add_is_the_same_list(logged_in):
    token = csrf_from(logged_in.client.get("/team").get_data(as_text=True))
    assert logged_in.client.post("/team/places", data={"csrf_token": token, "pl-place": "Varmestuen"}).status_code == 302
    pid = place_id(logged_in, "Varmestuen")
    page = logged_in.client.get(f"/places/{pid}").get_data(as_text=True)
    assert "<h1>Varmestuen</h1>" in page and "Andet" in page
    edit = logged_in.client.get(f"/places/{pid}/edit").get_data(as_text=True)
    token = csrf_from(edit)
    assert logged_in.client.post(f"/places/{pid}/edit", data={"csrf_token": token, "name": "Varmestuen",
                                                              "kind": "vaerested", "by_appointment": "y"}).status_code == 302
    assert tuple(logged_in.db().execute("SELECT kind, by_appointment FROM places").fetchone()) == ("vaerested", 1)


@pytest.mark.parametrize("change, field", [
    ({"name": ""}, "name"),
    ({"name": "x" * 121}, "name"),
    ({"safety_notes": "Pas på 010190-1234"}, "safety_notes"),
    ({"access_notes": "a" * 501}, "access_notes"),
    ({"area": "Født 01.01.90-1234"}, "area"),
    ({"kind": "slot"}, "kind"),
    ({"times": ["man-middag"]}, "times"),
    ({"visit_days": "0"}, "visit_days"),
    ({"visit_days": "to"}, "visit_days"),
    ({"partners-1-phone": "ring til Lise"}, "partners-1-phone"),
    ({"partners-0-contact": "010190 1234"}, "partners-0-contact"),
])
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(logged_in, change, field):
    assert add_place(logged_in, **PARK).status_code == 302
    pid = place_id(logged_in, "Banegårdsparken")
    before = logged_in.snapshot()
    for url in ("/places/new", f"/places/{pid}/edit"):
        token = csrf_from(logged_in.client.get(url).get_data(as_text=True))
        data = dict(PARK, name="Andet navn", csrf_token=token)
        data.update(change)
        resp = logged_in.client.post(url, data=data)
        assert resp.status_code == 400, url
        assert f'id="{field}-err"' in resp.get_data(as_text=True), url
    assert logged_in.snapshot() == before


def test_a_name_the_team_has_is_refused_on_the_name(logged_in):
    assert add_place(logged_in, **PARK).status_code == 302
    before = logged_in.snapshot()
    resp = add_place(logged_in, **PARK)
    assert resp.status_code == 400 and 'id="name-err"' in resp.get_data(as_text=True)
    assert logged_in.snapshot() == before


def test_a_worker_reads_but_does_not_edit(logged_in):
    assert add_place(logged_in, **PARK).status_code == 302
    pid = place_id(logged_in, "Banegårdsparken")
    logged_in.add_worker()
    bo = logged_in.app.test_client()
    logged_in.login("bo", client=bo)
    for url in ("/places", f"/places/{pid}", "/places/mapping", "/places/coverage"):
        assert bo.get(url).status_code == 200, url
    assert "To udgange" in bo.get("/places/mapping").get_data(as_text=True)
    before = logged_in.snapshot()
    token = csrf_from(bo.get("/team").get_data(as_text=True))
    assert bo.get("/places/new").status_code == 403
    assert bo.post(f"/places/{pid}/edit", data=dict(PARK, csrf_token=token, name="Nyt")).status_code == 403
    assert bo.post(f"/places/{pid}/delete", data={"csrf_token": token}).status_code == 403
    assert logged_in.snapshot() == before


def test_another_teams_places_do_not_exist_here(logged_in):
    assert add_place(logged_in, **PARK).status_code == 302
    pid = place_id(logged_in, "Banegårdsparken")
    logged_in.other_team()
    ole = logged_in.app.test_client()
    logged_in.login("ole", client=ole)
    before = logged_in.snapshot()
    for url in (f"/places/{pid}", f"/places/{pid}/edit"):
        assert ole.get(url).status_code == 404, url
    for url in ("/places", "/places/mapping", "/places/coverage"):
        assert "Banegårdsparken" not in ole.get(url).get_data(as_text=True), url
    token = csrf_from(ole.get("/places/new").get_data(as_text=True))
    assert ole.post(f"/places/{pid}/edit", data=dict(PARK, csrf_token=token)).status_code == 404
    assert ole.post(f"/places/{pid}/delete", data={"csrf_token": token}).status_code == 404
    # the same name in another team is another place
    assert add_place(logged_in, client=ole, **PARK).status_code == 302
    assert logged_in.count("places") == 2
    assert {k: v for k, v in logged_in.snapshot().items() if k != "places"} == {
        k: v for k, v in before.items() if k != "places"}
    assert logged_in.session()["places"] == ["Banegårdsparken"] and logged_in.session(ole)["places"] == [
        "Banegårdsparken"]


def test_without_a_csrf_token_nothing_is_stored(logged_in):
    resp = logged_in.client.post("/places/new", data=PARK)
    assert resp.status_code == 400 and logged_in.count("places") == 0


def test_an_admin_removes_a_place_and_its_contacts_keep_the_name(logged_in):
    assert add_place(logged_in, **PARK).status_code == 302
    logged_in.sync([new_encounter([me(logged_in)])])
    pid = place_id(logged_in, "Banegårdsparken")
    token = csrf_from(logged_in.client.get(f"/places/{pid}").get_data(as_text=True))
    assert logged_in.client.post(f"/places/{pid}/delete", data={"csrf_token": token}).status_code == 302
    assert logged_in.count("places") == 0
    page = logged_in.client.get("/places").get_data(as_text=True)
    # offered back as a new place, with its name filled in
    assert "Skrevet i kontaktloggen" in page and "/places/new?navn=Baneg%C3%A5rdsparken" in page
    assert 'value="Banegårdsparken"' in logged_in.client.get("/places/new?navn=Banegårdsparken").get_data(as_text=True)


# --- figures, against a seeded log ----------------------------------------------

# UTC times; Copenhagen is UTC+1 in November, so 22:30Z is 23:30 (nat) and 23:30Z is the next day.
LOG = [
    ("Banegårdsparken", "2026-11-16T18:30:00Z", None),     # Mon 19:30 aften
    ("Banegårdsparken", "2026-11-18T08:00:00Z", HIGH),     # Wed 09:00 morgen
    ("Banegårdsparken", "2026-11-22T22:30:00Z", "none"),   # Sun 23:30 nat, still week 47
    ("Banegårdsparken", "2026-11-22T23:30:00Z", None),     # Mon 23.11 00:30 nat: week 48
    ("Varmestuen", "2026-11-17T12:00:00Z", None),          # Tue 13:00 dag
    ("Varmestuen", "2026-11-15T22:59:00Z", None),          # Sun 15.11 23:59: week 46
    ("Varmestuen", "2026-10-31T23:30:00Z", None),          # Sun 1.11 00:30: November
    ("Varmestuen", "2026-10-31T22:30:00Z", None),          # Sat 31.10 23:30: October
    ("Kirkepladsen", "2026-11-19T10:00:00Z", None),        # free text, not on the list
]


@pytest.fixture
def seeded(logged_in):
    assert add_place(logged_in, **PARK).status_code == 302
    assert add_place(logged_in, name="Varmestuen", area="Centrum", kind="vaerested").status_code == 302
    assert add_place(logged_in, name="Kirken", area="Nord", kind="andet", visit_days="3").status_code == 302
    assert add_place(logged_in, name="Torvet", area="Nord", kind="plads", visit_days="1").status_code == 302
    worker = me(logged_in)
    records = []
    for place, at, bvc in LOG:
        extra = {} if bvc is None else {"bvc": None if bvc == "none" else bvc}
        records.append(new_encounter([worker], place=place, occurred_at=at, **extra))
    records.append(new_encounter([worker], place="Torvet"))      # now: Torvet is not due
    assert all(r["status"] == "stored" for r in logged_in.sync(records).json["results"])
    return logged_in


def cells(html, place):
    row = re.search(rf'<li data-place="{place}">(.*?)</li>', html).group(1)
    return int(re.search(r'data-visits="(\d+)"', row).group(1)), dict(
        (k, int(v)) for k, v in re.findall(r'data-part="(\w+)">(\d+)<', row))


def test_the_coverage_of_a_week_is_exact(seeded):
    html = seeded.client.get("/places/coverage?periode=uge&fra=2026-11-18").get_data(as_text=True)
    assert "Uge: 16.11.2026 – 22.11.2026" in html
    assert cells(html, "Banegårdsparken") == (3, {"morgen": 1, "dag": 0, "aften": 1, "nat": 1})
    assert cells(html, "Varmestuen") == (1, {"morgen": 0, "dag": 1, "aften": 0, "nat": 0})
    assert cells(html, "Kirken") == (0, {}) and cells(html, "Torvet") == (0, {})
    assert "Besøg i alt: <strong>5</strong> · heraf 1 på steder, der ikke er på listen" in html
    # never visited, with a plan: past it; visited today with a plan of a day: not
    assert re.findall(r'data-overdue="([^"]+)"', html) == ["Kirken"]


def test_the_coverage_of_a_month_is_exact(seeded):
    html = seeded.client.get("/places/coverage?periode=maaned&fra=2026-11-30").get_data(as_text=True)
    assert "Måned: 1.11.2026 – 30.11.2026" in html
    assert cells(html, "Banegårdsparken") == (4, {"morgen": 1, "dag": 0, "aften": 1, "nat": 2})
    assert cells(html, "Varmestuen") == (3, {"morgen": 0, "dag": 1, "aften": 0, "nat": 2})
    assert cells(html, "Kirken")[0] == 0 and "heraf 1 på steder" in html
    october = seeded.client.get("/places/coverage?periode=maaned&fra=2026-10-05").get_data(as_text=True)
    assert cells(october, "Varmestuen") == (1, {"morgen": 0, "dag": 0, "aften": 0, "nat": 1})


@pytest.mark.parametrize("query, field", [("periode=aar", "periode"), ("fra=igaar", "fra"),
                                          ("fra=0999-01-01", "fra"), ("periode=uge&fra=2026-13-01", "fra")])
def test_a_bad_coverage_query_is_a_400_naming_the_field(seeded, query, field):
    resp = seeded.client.get(f"/places/coverage?{query}")
    assert resp.status_code == 400 and f"{field}:" in resp.get_data(as_text=True)


def test_a_places_page_shows_last_visit_bands_and_weeks(seeded):
    pid = place_id(seeded, "Banegårdsparken")
    html = seeded.client.get(f"/places/{pid}").get_data(as_text=True)
    assert "23.11.2026 kl. 00:30" in html                  # the last visit, in Danish time
    assert "Lav risiko: 0" in html and "Moderat risiko: 2" in html and "Høj risiko: 1" in html
    assert "Ikke scoret: 1" in html and "<dd>4</dd>" in html
    db = seeded.db()
    place = place_queries.get_place(db, 1, pid)
    now = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)
    summary = place_queries.place_summary(db, 1, place, "Europe/Copenhagen", now=now, weeks=3)
    assert [(w["start"].isoformat(), w["contacts"]) for w in summary["per_week"]] == [
        ("2026-11-09", 0), ("2026-11-16", 3), ("2026-11-23", 1)]


def test_due_by_the_plan(seeded):
    db = seeded.db()
    torvet = place_queries.get_place(db, 1, place_id(seeded, "Torvet"))
    then = "2026-11-20T10:00:00Z"
    assert place_queries.due(torvet, then, datetime(2026, 11, 21, 20, tzinfo=timezone.utc).astimezone())["overdue"] is False
    assert place_queries.due(torvet, then, datetime(2026, 11, 22, 12, tzinfo=timezone.utc).astimezone())["overdue"] is True
    kirken = place_queries.get_place(db, 1, place_id(seeded, "Kirken"))
    html = seeded.client.get(f"/places/{kirken['id']}").get_data(as_text=True)
    assert "Skal besøges nu" in html


# --- the phone's copy: /api/session -------------------------------------------------

def test_the_session_carries_each_places_notes_and_partners_for_the_door(logged_in):
    from tests.helpers import assert_matches_spec
    assert add_place(logged_in, **PARK, by_appointment="y", visit_days="7").status_code == 302
    resp = logged_in.client.get("/api/session")
    assert_matches_spec(resp, "/api/session")
    [place] = resp.json["place_details"]
    assert place == {"id": place_id(logged_in, "Banegårdsparken"), "name": "Banegårdsparken", "area": "Centrum",
                     "kind": "park", "kind_name": "Park", "by_appointment": True,
                     "times": ["man-aften", "maaned-start"], "times_text": "Man aften · først på måneden",
                     "safety_notes": "To udgange. Hunde.", "access_notes": "Indgang fra Søgade",
                     "partners": [{"organisation": "Kirkens Korshær", "contact": "Lise",
                                   "phone": "+45 12 34 56 78"}], "visit_days": 7}
    assert "no-store" in resp.headers["Cache-Control"]


def test_the_session_gives_no_places_to_the_logged_out_or_another_team(logged_in):
    from tests.helpers import assert_matches_spec
    assert add_place(logged_in, **PARK).status_code == 302
    logged_in.other_team()
    ole = logged_in.app.test_client()
    logged_in.login("ole", client=ole)
    assert logged_in.session(ole)["place_details"] == []
    anonymous = logged_in.app.test_client().get("/api/session")
    assert_matches_spec(anonymous, "/api/session")
    assert anonymous.json["place_details"] == []


def test_the_error_summary_links_to_a_partners_field(logged_in):
    token = csrf_from(logged_in.client.get("/places/new").get_data(as_text=True))
    resp = logged_in.client.post("/places/new", data=dict(PARK, csrf_token=token, **{"partners-1-phone": "ring"}))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert '<li><a href="#partners-1-phone">Telefon: Kun tal, mellemrum og + forrest.</a></li>' in html
    assert html.count('<div class="error-box"') == 1
