"""The phone checks typed text with the server's rules (static/js/rules.js, fed
by <html data-rules>): the same CPR case list as tests/test_rules.py, the same
limits, and a timer whose place looks like a CPR number starts without it."""
from playwright.sync_api import expect

from pwa import rules
from tests.helpers import LOOKS_LIKE_CPR, NOT_CPR

CASES = [(text, True) for text in LOOKS_LIKE_CPR] + [(text, False) for text in NOT_CPR]


def test_the_phone_takes_the_same_texts_for_cpr_numbers_as_the_server(page, server):
    page.goto(server.url + "/bvc")
    found = page.evaluate("""async (texts) => {
        const rules = await import('/static/js/rules.js');
        return texts.map((text) => rules.looksLikeCpr(text));
    }""", [text for text, _ in CASES])
    assert [(text, got) for (text, want), got in zip(CASES, found) if got != want] == []


def test_the_phone_has_the_servers_limits(page, server):
    page.goto(server.url + "/log")
    got = page.evaluate("""async () => {
        const rules = await import('/static/js/rules.js');
        return { limits: rules.RULES.limits, hours: rules.RULES.max_future_hours, alias: rules.limit('alias'),
                 noteMax: document.getElementById('note').maxLength };
    }""")
    assert got == {"limits": rules.LIMITS, "hours": 24, "alias": rules.LIMITS["alias"],
                   "noteMax": rules.LIMITS["note"]}


def test_a_timer_starts_but_keeps_no_place_that_looks_like_a_cpr_number(page, server):
    page.goto(server.url + "/timer?band=high")
    page.get_by_label("Sted").fill("Opgang 4, 01.01.90\u20131234")
    page.get_by_role("button", name="Start timer (15 min)").click()
    expect(page.get_by_role("timer")).to_be_visible()
    expect(page.locator("#t-status")).to_have_text(
        "Timeren kører. Stedet blev ikke gemt, fordi det lignede et CPR-nummer.")
    stored = page.evaluate("[localStorage.getItem('gk.timer'), localStorage.getItem('gk.timer.outbox')]")
    assert "1234" not in "".join(stored) and '"place":""' in stored[0]
