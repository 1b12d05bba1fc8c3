"""The help button on /bvc and /timer, on a real phone: a press held for 1.5 s raises a help alert
with no signal, which the server has the moment the signal returns; a short tap or the keyboard
only opens a confirm step; without a login the alert waits on the phone for the next one."""
import json

from playwright.sync_api import expect

from tests.browser.helpers import Db, log_in, phone_with_team, poll, wait_for_offline_ready

OFFLINE = "Uden net: hjælp-alarmen sendes, så snart telefonen har forbindelse – ring 112 ved akut fare."


def hold(page, ms):
    """Press the help button with a finger (the mouse) and keep it down for `ms`."""
    button = page.locator("#help-btn")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.wait_for_timeout(ms)
    page.mouse.up()


def queued(page):
    return json.loads(page.evaluate("localStorage.getItem('gk.alert.outbox') || '[]'"))


def test_held_offline_the_help_alert_reaches_the_server_when_the_signal_returns(launch, own_server, tmp_path):
    base = own_server.start().url
    ctx, page = phone_with_team(launch, own_server, tmp_path / "phone", timezone_id="Europe/Copenhagen")
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/timer")
    wait_for_offline_ready(page)
    page.get_by_label("Sted").fill("Banegårdsparken")
    page.get_by_role("button", name="Start timer").click()
    expect(page.locator("#t-sync")).to_have_text("Timeren er meldt til teamet.")
    page.goto(base + "/bvc")
    db = Db(own_server)

    # A short tap: a confirm step, nothing sent.
    hold(page, 200)
    expect(page.locator("#help-confirm")).to_be_visible()
    page.get_by_role("button", name="Fortryd").click()
    expect(page.locator("#help-confirm")).to_be_hidden()
    assert queued(page) == [] and db.rows("SELECT count(*) FROM alerts") == [(0,)]

    # No signal; the worker holds the button: the page says what happens now.
    ctx.set_offline(True)
    hold(page, 1700)
    expect(page.locator("#help-status")).to_have_text(OFFLINE)
    [waiting] = queued(page)
    assert waiting["kind"] == "help" and waiting["place"] == "Banegårdsparken"
    assert db.rows("SELECT count(*) FROM alerts") == [(0,)]
    # The BVC is still there to use.
    page.get_by_label("Forvirring").check()
    expect(page.locator("[data-total]")).to_have_text("1")

    ctx.set_offline(False)
    poll(page, lambda: db.rows("SELECT kind, place, state FROM alerts") == [("help", "Banegårdsparken", "open")],
         "the help alert never reached the server")
    expect(page.locator("#help-status")).to_contain_text("Hjælp-alarmen er sendt til teamet kl.")
    assert queued(page) == []
    team = ctx.new_page()
    team.goto(base + "/team")
    expect(team.locator(".alert-help")).to_contain_text("Hjælp-knappen: Anna Admin")
    expect(team.locator(".alert-help")).to_contain_text("Banegårdsparken")
    assert errors == []


def test_keyboard_confirms_and_without_a_login_the_alert_waits_for_the_next_one(launch, own_server, tmp_path):
    base = own_server.start().url
    ctx, page = phone_with_team(launch, own_server, tmp_path / "phone")
    page.goto(base + "/team")
    page.get_by_role("button", name="Log ud").click()
    page.goto(base + "/timer")
    page.locator("#help-btn").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Ja, send hjælp-alarm")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#help-status")).to_have_text(
        "Ikke logget ind: hjælp-alarmen er gemt på telefonen og sendes, når du logger ind. Ring 112 ved akut fare.")
    db = Db(own_server)
    assert len(queued(page)) == 1 and db.rows("SELECT count(*) FROM alerts") == [(0,)]

    page.goto(base + "/login")
    log_in(page)
    page.goto(base + "/timer")
    poll(page, lambda: db.rows("SELECT kind, user_id FROM alerts") == [("help", 1)], "the alert never arrived")
    poll(page, lambda: queued(page) == [], "the phone kept the alert the server has")   # after the answer
