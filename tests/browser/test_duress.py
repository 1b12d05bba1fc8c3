"""The duress code, on a real phone with no signal: where the team checks in with a code, the
check-in code checks in; the duress code checks in too, and the page after it has the same
visible text and looks the same (its screenshot) as after the normal one, while a duress alert
waits on the phone and reaches the server when the signal returns, shown to the team but never
to the worker it is about. A wrong code checks in nothing."""
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.helpers import Db, phone_with_team, poll, wait_for_offline_ready, wait_until

ZONE = ZoneInfo("Europe/Copenhagen")
OK_CODE, DURESS_CODE = "2468", "1357"


def events(page):
    return json.loads(page.evaluate("localStorage.getItem('gk.timer.outbox') || '[]'"))


def alerts(page):
    return json.loads(page.evaluate("localStorage.getItem('gk.alert.outbox') || '[]'"))


def check_in_with(page, code):
    """Tap "Jeg er OK", type the code, "Tjek ind"; wait until the check-in is queued."""
    before = len(events(page))
    page.get_by_role("button", name="Jeg er OK").click()
    page.get_by_label("Din tjek-ind-kode").fill(code)
    page.get_by_role("button", name="Tjek ind", exact=True).click()
    wait_until(page, "(n) => JSON.parse(localStorage.getItem('gk.timer.outbox') || '[]').length > n", before)
    expect(page.locator("#t-code")).to_be_hidden()


def test_a_duress_ok_looks_like_an_ok_and_the_alert_arrives_with_the_signal(launch, own_server, tmp_path):
    base = own_server.start().url
    ctx, page = phone_with_team(launch, own_server, tmp_path / "phone", timezone_id="Europe/Copenhagen")
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # The administrator turns on "Tjek ind med kode" for the team.
    page.goto(base + "/team")
    page.get_by_text("Ret teamets aftaler").click()
    page.get_by_label("Tjek ind med kode").check()
    page.get_by_role("button", name="Gem aftalerne").click()
    expect(page.locator("[data-team-rule=checkin_code] [data-rule-value]").first).to_have_text("Til")

    # The worker chooses the two codes on the phone.
    page.goto(base + "/settings")
    wait_for_offline_ready(page)
    expect(page.locator("#code-state")).to_contain_text("Teamet tjekker ind med kode.")
    page.get_by_label("Din tjek-ind-kode").fill(OK_CODE)
    page.get_by_label("Din tvangskode").fill(OK_CODE)
    page.get_by_role("button", name="Vælg koderne").click()
    expect(page.locator("#code-err")).to_have_text("Tvangskoden skal være en anden end tjek-ind-koden.")
    page.get_by_label("Din tvangskode").fill(DURESS_CODE)
    page.get_by_role("button", name="Vælg koderne").click()
    expect(page.locator("#code-status")).to_contain_text("Koderne er gemt på telefonen.")
    stored = page.evaluate("localStorage.getItem('gk.checkin-codes')")
    assert OK_CODE not in stored and DURESS_CODE not in stored      # hashes only

    # A timer with the clock standing still, so both check-ins happen at the same moment.
    now = datetime.now(ZONE).replace(microsecond=0)
    page.clock.install(time=now)
    page.goto(base + "/timer")
    page.clock.pause_at(now + timedelta(seconds=30))
    page.get_by_label("Sted").fill("Opgang, Nørregade 12")
    page.get_by_role("button", name="Start timer").click()
    expect(page.locator("#t-sync")).to_have_text("Timeren er meldt til teamet.")
    ctx.set_offline(True)

    # A wrong code checks in nothing.
    before = len(events(page))
    page.get_by_role("button", name="Jeg er OK").click()
    page.get_by_label("Din tjek-ind-kode").fill("0000")
    page.get_by_role("button", name="Tjek ind", exact=True).click()
    expect(page.locator("#t-code-err")).to_have_text("Forkert kode – du er ikke tjekket ind. Prøv igen.")
    assert len(events(page)) == before
    page.get_by_role("button", name="Fortryd").click()

    check_in_with(page, OK_CODE)
    text_ok, shot_ok = page.inner_text("body"), page.screenshot(full_page=True)
    assert "Tjekket ind kl." in text_ok and alerts(page) == []

    check_in_with(page, DURESS_CODE)
    text_duress, shot_duress = page.inner_text("body"), page.screenshot(full_page=True)
    assert text_duress == text_ok
    assert shot_duress == shot_ok, "the page after the duress code looks different"
    [waiting] = alerts(page)
    assert waiting["kind"] == "duress" and waiting["place"] == "Opgang, Nørregade 12"
    db = Db(own_server)
    assert db.rows("SELECT count(*) FROM alerts") == [(0,)]

    ctx.set_offline(False)
    poll(page, lambda: db.rows("SELECT kind, place, state FROM alerts") ==
         [("duress", "Opgang, Nørregade 12", "open")], "the duress alert never reached the server")
    poll(page, lambda: db.rows("SELECT count(*) FROM checkin_events WHERE type = 'checkin'") == [(2,)],
         "the check-ins never reached the server")
    assert alerts(page) == []
    # The worker's own team page says nothing of it.
    team = ctx.new_page()
    team.goto(base + "/team")
    expect(team.locator("#alarmer")).to_contain_text("Ingen åbne alarmer")
    expect(team.locator("body")).not_to_contain_text("tvangskode")
    assert errors == []
