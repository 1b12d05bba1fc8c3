"""The check-in timer on a phone with no network and a stopped server, under Playwright's clock:
started from a high BVC it runs 15 minutes; it runs out and alerts with an SMS holding the name,
the place and the time; "+15 min" works; "Jeg er OK" checks in and starts the same interval
again; only "Jeg har forladt adressen" or "Stop timeren" end it; a running timer survives a
reload and a browser restart. Online, with a login, the timer reaches the team page and an
offline check-in follows when the signal returns."""
import json
import re
from datetime import datetime, timedelta
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (AXE, PASSWORD, TARGETS, Db, axe_violations, fill_settings, first_page, freeze,
                                   go_offline, poll, set_up_team_by_form, wait_for_offline_ready, wait_until)

ZONE = ZoneInfo("Europe/Copenhagen")
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)
PLACE = "Opgang, Nørregade 12, 2. th."

# Records what the page asks of the platform (vibration, sound); the calls still go through.
SPIES = """
window.__vibrations = [];
const vibrate = navigator.vibrate && navigator.vibrate.bind(navigator);
navigator.vibrate = (p) => { window.__vibrations.push(p); return vibrate ? vibrate(p) : false; };
window.__beeps = 0;
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...a) { window.__beeps += 1; return start.apply(this, a); };
"""


def phone(launch, profile, **kw):
    """A phone in Copenhagen's time zone, recording vibration and sound, and
    the page errors it meets."""
    ctx = launch(profile, timezone_id="Europe/Copenhagen", **kw)
    ctx.add_init_script(SPIES)
    page = first_page(ctx)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    return ctx, page, errors


def set_up_phone(page, base):
    """First visit with network: the kit is cached, and the worker fills in the settings (no login)."""
    page.goto(base + "/settings")
    wait_for_offline_ready(page)
    fill_settings(page)
    expect(page.locator("#settings-status")).to_have_text("Gemt på telefonen: Anna og Bo, koordinatorens nummer.")


def sms_parts(href):
    """An Android-style link (this Chromium's user agent): one number, then ?body=."""
    m = re.fullmatch(r"sms:(\+\d+|)\?body=(.*)", href)
    assert m, href
    return m.group(1), unquote(m.group(2))


def alarm_links(scope):
    return [sms_parts(a.get_attribute("href")) for a in scope.locator("a[href^='sms:']").all()]


def notifications(page):
    return page.evaluate("""navigator.serviceWorker.getRegistration('/')
        .then(r => r.getNotifications()).then(ns => ns.map(n => n.title + ' | ' + n.body))""")


def queued(page):
    return [(e["type"], e.get("minutes")) for e in json.loads(page.evaluate("localStorage.getItem('gk.timer.outbox')"))]


def test_timer_from_a_high_bvc_runs_out_offline_alerts_and_offers_the_sms(launch, own_server, tmp_path):
    own_server.start()
    ctx, page, errors = phone(launch, tmp_path / "profile")
    ctx.grant_permissions(["notifications"], origin=own_server.url)
    set_up_phone(page, own_server.url)
    go_offline(ctx, own_server)
    freeze(page, T0)

    page.goto(own_server.url + "/bvc")
    expect(page.locator("#timer-start")).to_have_text("Start tjek-ind-timer (60 min)")
    page.clock.run_for(100)   # the page's own timers: the timer button's script comes after the first paint
    for item in ("Forvirring", "Irritabilitet", "Fysiske trusler"):
        page.get_by_text(item, exact=True).click()
    expect(page.locator("#bvc-result")).to_contain_text("3/6 Høj risiko")
    # The high band shows the pair's roles from today's pair, and the code word: with no
    # login on this phone, the team rules' default, marked as a default.
    roles = page.locator("#risk-card")
    expect(roles.locator('[data-role="talker"]')).to_have_text("Anna")
    expect(roles.locator('[data-role="observer"]')).to_have_text("Bo")
    code = roles.locator('[data-team-rule="code_word"]')
    expect(code.locator("[data-rule-value]")).to_have_text("Jeg har glemt opladeren i bilen")
    expect(code.locator("[data-rule-default]")).to_be_visible()
    roles.get_by_role("button", name="Byt roller").click()
    expect(roles.locator('[data-role="talker"]')).to_have_text("Bo")
    assert json.loads(page.evaluate("localStorage.getItem('gk.pair')"))["talker"] == "partner"

    page.get_by_role("link", name="Start tjek-ind-timer (15 min)").click()
    expect(page).to_have_url(re.compile(r"/timer\?band=high$"))
    expect(page.get_by_role("radio", name=re.compile("15 min"))).to_be_checked()
    page.get_by_label("Sted").fill(PLACE)
    page.get_by_role("button", name="Start timer (15 min)").click()

    countdown = page.get_by_role("timer")
    alert = page.locator('#t-alert[role="alert"]')     # empty (and so out of sight) until the alarm
    expect(countdown).to_have_text("15:00")
    expect(page.locator("#t-due")).to_have_text("Tjek ind senest kl. 10.15")
    expect(page.locator("#t-meta")).to_contain_text(PLACE)

    page.clock.run_for("14:59")
    expect(countdown).to_have_text("00:01")
    expect(alert).to_have_text("")
    assert page.evaluate("window.__vibrations.length") == 0 and notifications(page) == []

    page.clock.run_for(2000)                       # 10.15.01: the check-in is missed
    expect(countdown).to_have_text("00:00")
    expect(page.get_by_role("alert")).to_contain_text("Tiden er gået kl. 10.15, og du har ikke tjekket ind")
    # One link per recipient: two numbers in one sms: link are unreliable.
    sms = page.get_by_role("link", name="Send alarm-sms til Bo")
    expect(sms).to_be_visible()
    expect(page.get_by_role("link", name="Send alarm-sms til koordinatoren")).to_be_visible()
    links = alarm_links(page.locator("#t-sms-alarm"))
    assert [n for n, _ in links] == ["+4512345678", "+4587654321"] and links[0][1] == links[1][1]
    body = links[0][1]
    assert body == (f"ALARM: Anna har ikke tjekket ind (senest kl. 10.15). Sidst: {PLACE} kl. 10.00. "
                    "Ring til Anna nu. Får du ikke svar, så følg teamets aftale.")
    assert page.evaluate("window.__vibrations.length") == 1 and page.evaluate("window.__beeps") > 0
    wait_until(page, "navigator.serviceWorker.getRegistration('/').then(r => r.getNotifications())"
                     ".then(ns => ns.length === 1)")
    assert PLACE in notifications(page)[0]

    page.get_by_role("button", name="+15 min").click()
    expect(alert).to_have_text("")
    expect(countdown).to_have_text("15:00")
    expect(page.locator("#t-due")).to_have_text("Tjek ind senest kl. 10.30")
    expect(sms).to_be_hidden()

    page.clock.run_for("05:00")
    expect(countdown).to_have_text("10:00")
    # "Jeg er OK" checks in at 10.20 and starts the same 15 minutes again: the worker is
    # still at the address, and still protected.
    page.get_by_role("button", name="Jeg er OK").click()
    expect(countdown).to_have_text("15:00")
    expect(page.locator("#t-due")).to_have_text("Tjek ind senest kl. 10.35")
    expect(page.locator("#t-status")).to_have_text("Tjekket ind kl. 10.20. Næste tjek-ind senest kl. 10.35.")
    expect(page.locator("#t-meta")).to_contain_text("sidst tjekket ind kl. 10.20")
    page.clock.run_for("15:01")                     # and the next one is missed: it alarms again
    expect(alert).to_contain_text("Tiden er gået kl. 10.35")
    _, body = alarm_links(page.locator("#t-sms-alarm"))[0]
    assert f"Sidst: {PLACE} kl. 10.20." in body and "(senest kl. 10.35)" in body
    page.get_by_role("button", name="Jeg er OK").click()
    expect(countdown).to_have_text("15:00")
    expect(alert).to_have_text("")

    # Only an explicit stop (or leaving the address) ends it, and the stop asks first.
    page.get_by_role("button", name="Stop timeren").click()
    page.get_by_role("button", name="Fortryd").click()
    expect(countdown).to_be_visible()
    page.get_by_role("button", name="Stop timeren").click()
    page.get_by_role("button", name="Ja, stop timeren").click()
    expect(countdown).to_be_hidden()
    expect(page.locator("#t-status")).to_have_text("Timeren er stoppet. Der er ingen alarm, før du starter en ny.")
    expect(page.get_by_role("button", name=re.compile("^Start timer"))).to_be_visible()
    vibrations = page.evaluate("window.__vibrations.length")
    page.clock.run_for("30:00")                     # a stopped timer never alarms
    expect(alert).to_have_text("")
    assert page.evaluate("window.__vibrations.length") == vibrations == 2

    # What the server will be told when there is a signal, in order.
    assert queued(page) == [("start", 15), ("extend", 15), ("checkin", None), ("checkin", None), ("stop", None)]
    assert errors == []


def test_a_timer_by_hand_survives_reload_and_restart_and_checks_out_by_sms(launch, own_server, tmp_path):
    own_server.start()
    profile = tmp_path / "profile"
    ctx, page, errors = phone(launch, profile)
    set_up_phone(page, own_server.url)
    go_offline(ctx, own_server)
    freeze(page, T0)

    page.goto(own_server.url + "/timer")
    page.get_by_role("radio", name="Andet antal minutter").check()
    page.get_by_label("Minutter", exact=True).fill("0")
    page.get_by_role("button", name="Start timer").click()
    expect(page.locator("#t-minutes-err")).to_have_text("Skriv et helt antal minutter fra 1 til 720.")
    expect(page.get_by_label("Minutter", exact=True)).to_be_focused()
    page.get_by_label("Minutter", exact=True).fill("45")
    page.get_by_label("Sted").fill("Bænken ved kirken")
    page.get_by_role("button", name="Start timer (45 min)").click()
    expect(page.get_by_role("timer")).to_have_text("45:00")

    page.clock.run_for("10:00")
    page.reload()
    expect(page.get_by_role("timer")).to_have_text("35:00")
    ctx.close()  # the browser quits; its profile stays on disk

    # The browser is closed and opened again 20 minutes after the start, still offline.
    ctx, page, errors2 = phone(launch, profile, offline=True)
    freeze(page, T0 + timedelta(minutes=20))
    page.goto(own_server.url + "/timer")
    expect(page.get_by_role("timer")).to_have_text("25:00")
    expect(page.locator("#t-due")).to_have_text("Tjek ind senest kl. 10.45")

    leave = page.get_by_role("link", name="Jeg har forladt adressen")
    number, body = sms_parts(leave.get_attribute("href"))
    assert number == "+4512345678"
    assert "har forladt adressen (Bænken ved kirken) kl. 10.20" in body
    page.clock.run_for("02:00")
    leave.click()
    # The link the tap followed, rewritten in the tap to hold this minute, went to the
    # partner; the coordinator gets the same text from the next link.
    number, body = sms_parts(page.locator("#t-checkout").get_attribute("href"))
    assert number == "+4512345678" and "kl. 10.22" in body and "Anna" in body
    expect(page.get_by_role("timer")).to_be_hidden()
    expect(page.locator("#t-status")).to_contain_text("forladt adressen kl. 10.22")
    assert alarm_links(page.locator("#t-more-sms")) == [("+4587654321", body)]
    expect(page.get_by_role("link", name="Send også til koordinatoren")).to_be_visible()
    page.clock.run_for("01:00:00")
    expect(page.locator("#t-alert")).to_have_text("")
    assert queued(page) == [("start", 45), ("checkout", None)]
    assert errors == [] and errors2 == []


def test_the_bvc_page_alarms_too_while_the_worker_scores(launch, own_server, tmp_path):
    own_server.start()
    ctx, page, errors = phone(launch, tmp_path / "profile")
    set_up_phone(page, own_server.url)
    go_offline(ctx, own_server)
    freeze(page, T0)
    page.goto(own_server.url + "/timer?band=moderate")
    page.get_by_role("button", name="Start timer (30 min)").click()
    page.goto(own_server.url + "/bvc")
    page.clock.run_for(500)                # the chip comes after the first paint (a timeout, on this clock)
    expect(page.get_by_role("link", name="Tjek-ind om 30:00")).to_be_visible()     # the chip
    expect(page.locator("#timer-start")).to_have_text("Tjek-ind-timeren kører – åbn den")
    page.clock.run_for("30:01")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Tjek-ind-tiden er gået (kl. 10.30)")
    expect(page.get_by_role("link", name="Tjek ind nu")).to_be_visible()
    _, body = sms_parts(alert.get_by_role("link", name="Send alarm-sms til Bo").get_attribute("href"))
    assert "kl. 10.00" in body and "kl. 10.30" in body
    alert.get_by_role("link", name="Åbn timeren").click()
    page.get_by_role("button", name="Jeg er OK").click()
    expect(page.locator("#t-status")).to_contain_text("Tjekket ind kl. 10.30")
    assert errors == []


def test_pair_from_the_team_list_in_two_taps_then_timer_on_the_team_page(launch, own_server, tmp_path):
    """Logged in with a signal: the team's workers are offered for the pair; a timer reaches the
    server; an "OK" made offline reaches it when the signal returns."""
    own_server.start()
    base = own_server.url
    ctx, page, errors = phone(launch, tmp_path / "profile")
    set_up_team_by_form(page, base)
    page.goto(base + "/team")
    page.wait_for_load_state("networkidle")      # the page's own /api/session call settles the session first
    page.get_by_label("Navn", exact=True).fill("Bo Berg")
    page.get_by_label("Brugernavn").fill("bo")
    page.get_by_label("Første adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Tilføj", exact=True).click()
    expect(page.get_by_text("Bo Berg er tilføjet.")).to_be_visible()

    page.goto(base + "/settings")
    wait_for_offline_ready(page)
    # Two taps: who I am (already ticked: the logged-in worker) and my partner.
    me = page.get_by_role("group", name="Hvem er du?").get_by_role("radio", name="Anna Admin")
    expect(me).to_be_checked()
    me.check()                                                                              # tap 1
    page.get_by_role("group", name="Din makker i dag").get_by_role("radio", name="Bo Berg").check()  # tap 2
    expect(page.locator("#settings-status")).to_have_text("Gemt på telefonen: Anna Admin og Bo Berg (uden mobilnummer).")
    pair = json.loads(page.evaluate("localStorage.getItem('gk.pair')"))
    ids = {w["name"]: w["id"] for w in page.evaluate("fetch('/api/session').then(r => r.json())")["workers"]}
    assert pair["me"] == {"id": ids["Anna Admin"], "name": "Anna Admin"}
    assert pair["partner"]["id"] == ids["Bo Berg"] and pair["partner"]["name"] == "Bo Berg"
    # Arrow keys through "Hvem er du?" keep the focus (the list is not rebuilt under the finger).
    me.focus()
    page.keyboard.press("ArrowDown")
    me_bo = page.get_by_role("group", name="Hvem er du?").get_by_role("radio", name="Bo Berg")
    expect(me_bo).to_be_focused()
    expect(page.get_by_role("group", name="Din makker i dag").get_by_role("radio", name="Bo Berg")).to_have_count(0)
    page.keyboard.press("ArrowUp")
    expect(me).to_be_focused()
    expect(page.get_by_role("group", name="Din makker i dag").get_by_role("radio", name="Bo Berg")).to_be_checked()
    # Offline the list from the last login is still offered.
    ctx.set_offline(True)
    page.reload()
    expect(page.get_by_role("group", name="Din makker i dag").get_by_role("radio", name="Bo Berg")).to_be_checked()
    ctx.set_offline(False)

    # The server judges "overdue" by its own clock, so the phone's clock runs three minutes
    # behind it: a one-minute timer is overdue on the server at once (each event says when it
    # happened on the phone).
    page.clock.install(time=datetime.now(ZONE) - timedelta(minutes=3))
    page.goto(base + "/timer")
    page.get_by_role("radio", name="Andet antal minutter").check()
    page.get_by_label("Minutter", exact=True).fill("1")
    page.get_by_label("Sted").fill(PLACE)
    page.get_by_role("button", name="Start timer (1 min)").click()
    expect(page.locator("#t-sync")).to_have_text("Timeren er meldt til teamet.")
    team = ctx.new_page()
    team.goto(base + "/team")
    overdue = team.locator(".overdue-item")
    expect(overdue).to_contain_text("Anna Admin")
    expect(overdue).to_contain_text(PLACE)

    # The check-in happens with no signal and reaches the team page when it returns. By the
    # server's clock the next one (a minute after it) is already due: still overdue, and said
    # to have checked in. Then the worker stops the timer, and the team page clears.
    ctx.set_offline(True)
    page.get_by_role("button", name="Jeg er OK").click()
    expect(page.locator("#t-sync")).to_have_text("Uden net: timeren meldes til teamet, når der er forbindelse.")
    ctx.set_offline(False)
    expect(page.locator("#t-sync")).to_have_text("Timeren er meldt til teamet.")
    team.reload()
    expect(team.locator(".overdue-item")).to_contain_text("sidst tjekket ind kl.")
    db = Db(own_server)
    assert db.rows("SELECT status, checked_in_at IS NOT NULL FROM checkin_timers") == [("running", 1)]
    page.get_by_role("button", name="Stop timeren").click()
    page.get_by_role("button", name="Ja, stop timeren").click()
    # The status line said "meldt" before the stop too: wait for the row itself.
    poll(page, lambda: db.rows("SELECT status FROM checkin_timers") == [("stopped",)], "the stop never arrived")
    team.reload()
    expect(team.locator(".overdue-item")).to_have_count(0)
    assert errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_running_and_alarm_states_pass_axe_and_fit_320px(new_context, server, scheme):
    """The accessibility suite sees /timer and /settings as first opened; this sees them in use:
    the first start's questions with an error, the running timer, the stop question, the alarm
    (on /timer and /bvc), the chip on another page, and the links left after checking out."""
    page = new_context(viewport={"width": 320, "height": 640}, color_scheme=scheme,
                       timezone_id="Europe/Copenhagen").new_page()
    freeze(page, T0)
    axe = AXE.read_text()

    def check(state):
        page.clock.resume()                          # axe waits on setTimeout; let time flow for it
        assert axe_violations(page, axe) == [], state
        assert page.evaluate(TARGETS) == [], state
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, state

    page.goto(server.url + "/timer?band=high")
    page.get_by_label("Sted").fill(PLACE)
    page.get_by_label("Dit navn").fill("Anna")
    page.get_by_label("Makkerens mobilnummer").fill("12")
    page.get_by_role("button", name="Start timer (15 min)").click()
    expect(page.locator("#t-partner-phone-err")).to_be_visible()
    check("numbers asked, one wrong")
    page.get_by_label("Makkerens mobilnummer").fill("12 34 56 78")
    page.get_by_label("Koordinatorens mobilnummer").fill("87 65 43 21")
    page.get_by_role("button", name="Start timer (15 min)").click()
    check("running")
    page.get_by_role("button", name="Stop timeren").click()
    check("asked to stop")
    page.get_by_role("button", name="Fortryd").click()
    page.clock.pause_at(T0 + timedelta(minutes=16))
    expect(page.get_by_role("alert")).to_be_visible()
    check("alarm")
    page.goto(server.url + "/bvc")
    expect(page.get_by_role("alert")).to_contain_text("Tjek-ind-tiden er gået")
    check("alarm on /bvc")
    page.goto(server.url + "/stages")
    expect(page.get_by_role("link", name="Tjek ind nu")).to_be_visible()
    check("chip")
    page.goto(server.url + "/timer")
    page.get_by_role("link", name="Jeg har forladt adressen").click()
    expect(page.get_by_role("link", name="Send også til koordinatoren")).to_be_visible()
    check("checked out")
