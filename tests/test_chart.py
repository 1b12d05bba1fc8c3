"""The citizen's chart and timeline as a worker reads them: the page's width,
the app's own stage names, Danish dates in the team's time zone."""
import re

from pwa import chart
from pwa import content as c
from tests.helpers import new_citizen, new_encounter


def test_the_chart_labels_every_stage_row_with_the_apps_name(app):
    with app.app_context():
        encounters = [{"occurred_at": "2026-11-02T23:30:00Z", "bvc_total": 3, "bvc_band": "high", "stage": "action"},
                      {"occurred_at": "2026-11-20T08:00:00Z", "bvc_total": None, "bvc_band": None, "stage": "relapse"}]
        drawn = chart.timeline(encounters)
    assert [r["name"] for r in drawn["stage_rows"]] == [s["name"] for s in c.stages()]
    rows = {r["id"]: r["y"] for r in drawn["stage_rows"]}
    assert [p["y"] for p in drawn["stage"]] == [rows["action"], rows["relapse"]]
    assert drawn["left"] < 20 and drawn["right"] == drawn["width"] - 8   # the plot spans the width
    assert drawn["dates_y"] < drawn["height"]


def test_the_citizen_page_draws_full_names_and_danish_dates(logged_in):
    me = logged_in.session()["user"]["id"]
    citizen = new_citizen()
    logged_in.sync([citizen,
                    new_encounter([me], citizen["id"], occurred_at="2026-11-02T23:30:00Z", stage="action"),
                    new_encounter([me], citizen["id"], occurred_at="2026-11-20T08:00:00Z", stage="relapse")])
    html = logged_in.client.get(f"/citizens/{citizen['id']}").get_data(as_text=True)
    svg = html.split("<svg")[1].split("</svg>")[0]
    assert ">Forberedelse, påbegyndelse og vedligeholdelse</text>" in svg and "Handl." not in svg
    # 23:30 UTC on 2 November is 3 November in Copenhagen.
    assert "BVC-score og stadie over tid, 3.11.2026 til 20.11.2026." in svg
    assert not re.search(r"\d{4}-\d\d-\d\d", svg)
    assert "(1.12.2026)" in html       # the follow-up date too
    # "Ny BVC" carries the citizen to the BVC page.
    assert f'href="/bvc?borger=kendt&amp;citizen={citizen["id"]}"' in html
