"""The timer follows the risk (issue 13), on a 360 px phone with no network: /timer opened from
anywhere takes the band of the last score on the phone and says so; the first start asks for the
numbers the alarm needs and keeps them; the countdown is on screen once started; a reload in the
middle keeps the timer and the band; a running timer shows as a chip on every other page (the
offline fallback page too), and the chip opens the timer."""
import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.helpers import offline_phone

ZONE = ZoneInfo("Europe/Copenhagen")
T0 = datetime(2026, 11, 23, 12, 44, tzinfo=ZONE)


def settle(page):
    """Let the page's own timeouts run (the chip waits for the first paint), a tenth of a second at
    a time, until the chip's module has run (it adds the chip, shown or not)."""
    for _ in range(40):
        page.clock.run_for(100)
        if page.evaluate("document.getElementById('timer-chip') !== null"):
            return
        page.wait_for_timeout(50)
    raise AssertionError("the timer chip's module never ran")


def in_view(page, selector):
    return page.evaluate("""s => { const r = document.querySelector(s).getBoundingClientRect();
        const tabs = document.querySelector('nav.tabs').getBoundingClientRect();
        return r.top >= 0 && r.bottom <= tabs.top; }""", selector)


def test_from_a_high_score_to_a_running_timer_and_a_chip_on_every_page(launch, own_server, tmp_path):
    ctx, page = offline_phone(launch, own_server, tmp_path / "profile", T0)

    # No score on the phone yet: the page says so and does not pretend to know the risk.
    page.goto(own_server.url + "/timer")
    expect(page.locator("#t-band-why")).to_have_text(
        "Ingen BVC-score på telefonen – lille risiko er valgt. Vælg tiden efter risikoen.")

    page.goto(own_server.url + "/bvc")
    for item in ("Forvirring", "Irritabilitet", "Fysiske trusler"):
        page.get_by_text(item, exact=True).click()
    page.clock.run_for("03:00")
    # Opened from the home tile, not from the BVC's link: the length still follows the score.
    page.goto(own_server.url + "/")
    page.get_by_role("link", name=re.compile("^Tjek-ind-timer")).click()
    expect(page).to_have_url(re.compile(r"/timer$"))
    expect(page.get_by_role("radio", name=re.compile("15 min"))).to_be_checked()
    expect(page.locator("#t-band-why")).to_have_text(
        "Valgt efter jeres seneste BVC: Høj risiko (3/6). Scoret for 3 min siden (kl. 12.44).")

    # A new phone: the first start asks for what the alarm needs, and nothing is required.
    numbers = page.get_by_role("group", name=re.compile("Hvem får alarm-sms'en"))
    expect(numbers).to_be_visible()
    page.get_by_label("Sted").fill("Banegårdsparken")
    page.get_by_label("Dit navn").fill("Mette")
    page.get_by_label("Makkerens mobilnummer").fill("1234")
    page.get_by_role("button", name="Start timer (15 min)").click()
    expect(page.locator("#t-partner-phone-err")).to_contain_text("Skriv et mobilnummer")
    expect(page.get_by_label("Makkerens mobilnummer")).to_be_focused()
    expect(page.get_by_role("timer")).to_be_hidden()
    page.get_by_label("Makkerens mobilnummer").fill("12 34 56 78")
    page.get_by_label("Koordinatorens mobilnummer").fill("87 65 43 21")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")   # the start button is far down
    page.get_by_role("button", name="Start timer (15 min)").click()

    # Started: the countdown is on screen, not scrolled half away, and "Jeg er OK" has the focus.
    countdown = page.get_by_role("timer")
    expect(countdown).to_have_text("15:00")
    assert in_view(page, "#t-face") and in_view(page, "#t-ok")
    expect(page.get_by_role("button", name="Jeg er OK")).to_be_focused()
    settings = json.loads(page.evaluate("localStorage.getItem('gk.settings')"))
    pair = json.loads(page.evaluate("localStorage.getItem('gk.pair')"))
    assert settings["name"] == "Mette" and settings["coordinator_phone"] == "+4587654321"
    assert pair["me"]["name"] == "Mette" and pair["partner"]["phone"] == "+4512345678"

    # A reload in the middle keeps the timer; when it ends, the form still offers the band.
    page.clock.run_for("05:00")
    page.reload()
    expect(countdown).to_have_text("10:00")
    expect(page.locator("#t-meta")).to_contain_text("Høj risiko")
    expect(page.get_by_role("group", name=re.compile("Hvem får alarm-sms'en"))).to_be_hidden()

    # The chip, on the pages of the kit and on the offline fallback page, opens the timer.
    for path in ("/", "/stages", "/prompts", "/bvc", "/settings", "/citizens"):
        page.goto(own_server.url + path)
        settle(page)
        chip = page.get_by_role("link", name=re.compile(r"^Tjek-ind om (10:00|09:5\d)$"))
        expect(chip).to_be_visible()
        assert in_view(page, "#timer-chip"), path
    expect(page.get_by_role("heading", name="Denne side kræver net")).to_be_visible()   # /citizens offline
    expect(page.locator("#main").get_by_role("link", name="Tjek-ind-timer")).to_be_visible()
    chip.click()
    expect(page).to_have_url(re.compile(r"/timer$"))
    expect(page.locator("#timer-chip")).to_have_count(0)         # the timer page has the big countdown

    # Overdue: the chip says so in words and a sign, not only in red.
    page.goto(own_server.url + "/stages")
    settle(page)
    page.clock.run_for("10:01")
    chip = page.locator("#timer-chip")
    expect(chip).to_have_text("⚠Tjek ind nu")
    expect(chip).to_have_class(re.compile("is-overdue"))

    page.get_by_role("link", name="Tjek ind nu").click()
    page.get_by_role("button", name="Jeg er OK").click()
    page.goto(own_server.url + "/stages")
    settle(page)
    expect(page.get_by_role("link", name=re.compile(r"^Tjek-ind om (15:00|14:5\d)$"))).to_be_visible()
    page.goto(own_server.url + "/timer")
    page.get_by_role("button", name="Stop timeren").click()
    page.get_by_role("button", name="Ja, stop timeren").click()
    expect(page.get_by_role("radio", name=re.compile("15 min"))).to_be_checked()
    page.goto(own_server.url + "/stages")
    settle(page)
    expect(page.locator("#timer-chip")).to_be_hidden()
