"""Risk first, one glance (issue 13): on a 360×740 phone (and a 320×640 one) all six BVC items
are on the first screen, between the sticky result bar and the tab bar, and the timer button
comes right after them; at moderate and high one card, whole on one screen, says what to do, who
talks and who watches (by name), the team's code word and the way out; the pair rules are folded
below, in one place."""
import json

import pytest
from playwright.sync_api import expect

from pwa import bvc, content as c

PAIR = {"me": {"id": None, "name": "Anna"}, "partner": {"id": None, "name": "Bo", "phone": "+4512345678"},
        "talker": "me", "date": "2026-11-23"}
RULES = {"team": {"id": 1, "name": "Team Nord"}, "updated_at": None, "fetched_at": 0, "rules": {
    "code_word": {"value": "Har du set min blå kuglepen?", "default": False},
    "way_out": {"value": "Vi står altid mellem borgeren og døren. Siger en af os kodeordet, går vi begge.",
                "default": False}}}
SCREEN = """sel => {
  const bar = document.getElementById('bvc-result').getBoundingClientRect();
  const tabs = document.querySelector('nav.tabs').getBoundingClientRect();
  return [...document.querySelectorAll(sel)].map(el => {
    const r = el.getBoundingClientRect();
    return r.top >= bar.bottom - 1 && r.bottom <= tabs.top + 1;
  });
}"""


@pytest.mark.parametrize("width, height", [(360, 740), (320, 640)])
def test_all_six_items_are_on_the_first_screen_and_the_timer_comes_after_them(new_context, server, width, height):
    page = new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(server.url + "/bvc")
    assert page.evaluate(SCREEN, "#bvc .item") == [True] * len(bvc.items())
    # A score kept from earlier shows its age in the same line as the hint: nothing moves down.
    page.get_by_text("Forvirring", exact=True).click()
    page.reload()
    expect(page.locator("#bvc-age")).to_contain_text("Scoret")
    assert page.evaluate(SCREEN, "#bvc .item") == [True] * len(bvc.items())
    order = page.evaluate("""() => ['#bvc-result', '#bvc .items', '#timer-start', '#risk-card', '#bvc-log']
        .map(s => document.querySelector(s).getBoundingClientRect().top)""")
    assert order == sorted(order)


@pytest.mark.parametrize("items", [["forvirring"], ["forvirring", "irritabilitet", "fysiske_trusler"]])
def test_one_card_on_one_screen_says_what_to_do_now(new_context, server, items):
    page = new_context().new_page()
    page.goto(server.url + "/bvc")
    page.evaluate("([pair, rules]) => { localStorage.setItem('gk.pair', JSON.stringify(pair));"
                  " localStorage.setItem('gk.team-rules', JSON.stringify(rules)); }", [PAIR, RULES])
    page.goto(server.url + "/bvc?" + "&".join(f"items={i}" for i in items))
    band = bvc.band_for(len(items))
    card = page.locator("#risk-card")
    card.evaluate("el => el.scrollIntoView({block: 'start'})")
    assert page.evaluate(SCREEN, "#risk-card") == [True], card.bounding_box()
    expect(card.get_by_role("heading")).to_contain_text(band["action"])
    expect(card.locator('[data-role="talker"]')).to_have_text("Anna")
    expect(card.locator('[data-role="observer"]')).to_have_text("Bo")
    expect(card).to_contain_text("Har du set min blå kuglepen?")
    expect(card).to_contain_text("Vi står altid mellem borgeren og døren.")
    for label in ("Manualen Bilag 1A", "Manualen 4.3.1", "Teamets aftaler"):
        expect(card.get_by_text(label, exact=True)).to_be_visible()
    # Everything else is folded below it; the pair rules once, and only there.
    assert page.evaluate("[...document.querySelectorAll('main details')].every(d => !d.open)")
    unrest = next(r["text"] for r in c.content()["bvc"]["pair_rules"] if r.get("id") == "unrest")
    assert page.content().count(unrest) == 1
    assert json.loads(page.evaluate("localStorage.getItem('gk.bvc')"))["items"] == items
