"""The BVC score is never lost in the field (issue 13), on a 360 px phone: kept across the tab
bar, a reload and a browser restart with no network, shown with its age, cleared by "Nulstil"
and by the team's keeping time; carried through "Gem i kontaktlog" and a login into the contact
form; "Ny BVC" on a citizen's page starts a score for that citizen. Only the citizen's id is kept
in clear, never the alias."""
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.helpers import (FORM_READY, Db, first_page, freeze, kept_score, log_in, logged_in_profile,
                                   offline_phone, outbox, save_contact, ticked_items, wait_for_rows, wait_until)
from tests.live import set_up_team

ZONE = ZoneInfo("Europe/Copenhagen")
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)
HIGH = ("Forvirring", "Irritabilitet", "Fysiske trusler")


def tab(page, name):
    page.get_by_role("navigation", name="Genveje").get_by_role("link", name=re.compile(f"^{name}")).click()


def test_the_score_survives_the_tab_bar_a_reload_and_a_restart_offline_until_nulstil(launch, own_server, tmp_path):
    profile = tmp_path / "profile"
    ctx, page = offline_phone(launch, own_server, profile, T0, "/bvc")
    page.goto(own_server.url + "/bvc")
    for item in HIGH:
        page.get_by_text(item, exact=True).click()
    bar = page.locator("#bvc-result")
    expect(bar).to_have_text(re.compile(r"3/6\s*Høj risiko"))
    expect(page.locator("#bvc-age")).to_have_text("Scoret lige nu (kl. 10.00).")

    # Away by the tab bar and back: the same score, not 0/6.
    tab(page, "Stadier")
    expect(page).to_have_url(re.compile("/stages$"))
    tab(page, "BVC")
    expect(bar).to_have_text(re.compile(r"3/6\s*Høj risiko"))
    assert ticked_items(page) == ["forvirring", "irritabilitet", "fysiske_trusler"]
    expect(page.locator("#risk-card")).to_be_visible()

    page.clock.run_for("04:00")
    page.reload()
    expect(page.locator("#bvc-age")).to_have_text("Scoret for 4 min siden (kl. 10.00).")
    expect(bar).to_contain_text("3/6")
    score = kept_score(page)
    assert score["items"] == ["forvirring", "irritabilitet", "fysiske_trusler"] and score["citizen"] is None
    assert score["expires_at"] - score["scored_at"] == 2 * 3600 * 1000      # the team rule's default
    ctx.close()

    # The browser is closed and opened again ten minutes after scoring, still with no network.
    ctx = launch(profile, timezone_id="Europe/Copenhagen", offline=True)
    page = first_page(ctx)
    freeze(page, T0 + timedelta(minutes=10))
    page.goto(own_server.url + "/bvc")
    expect(page.locator("#bvc-result")).to_contain_text("3/6")
    expect(page.locator("#bvc-age")).to_have_text("Scoret for 10 min siden (kl. 10.00).")

    page.get_by_role("button", name="Nulstil til næste kontakt").click()
    expect(page.locator("#bvc-result")).to_have_text(re.compile(r"0/6\s*Lille risiko"))
    expect(page.locator("#bvc-age")).to_have_text("Afkryds = observeret (1).")
    assert kept_score(page) is None
    page.reload()
    assert ticked_items(page) == []


def test_the_score_expires_after_the_teams_keeping_time(new_context, server):
    page = new_context(timezone_id="Europe/Copenhagen").new_page()
    freeze(page, T0)
    page.goto(server.url + "/bvc")
    page.get_by_text("Forvirring", exact=True).click()
    page.clock.run_for("01:59:00")
    page.reload()
    assert ticked_items(page) == ["forvirring"]
    page.clock.run_for("01:01")                       # two hours and a minute: gone
    page.reload()
    assert ticked_items(page) == [] and kept_score(page) is None
    expect(page.locator("#bvc-result")).to_contain_text("0/6")

    # A team that keeps a score 30 minutes (its rules as the phone caches them).
    page.evaluate("""localStorage.setItem('gk.team-rules', JSON.stringify({team: {id: 1, name: 'Team Nord'},
        updated_at: null, fetched_at: Date.now(), rules: {score_keep: {value: 30, default: false}}}))""")
    page.get_by_text("Irritabilitet", exact=True).click()
    assert kept_score(page)["expires_at"] - kept_score(page)["scored_at"] == 30 * 60 * 1000
    page.clock.run_for("29:00")
    page.reload()
    assert ticked_items(page) == ["irritabilitet"]
    page.clock.run_for("01:01")
    page.reload()
    assert ticked_items(page) == []


def test_gem_i_kontaktlog_carries_the_score_through_the_login_into_the_form_once(pw, new_context, own_server):
    own_server.start()
    http = pw.request.new_context(base_url=own_server.url)
    set_up_team(http, own_server.url)          # another device: this phone is not logged in
    http.dispose()
    page = new_context().new_page()
    page.goto(own_server.url + "/bvc")
    page.get_by_text("Forvirring", exact=True).click()
    page.get_by_text("Verbale trusler", exact=True).click()
    page.get_by_role("link", name="Gem i kontaktlog").click()
    expect(page.locator("#log-login")).to_be_visible()
    page.locator("#log-login").get_by_role("link", name="Log ind").click()
    log_in(page)
    expect(page).to_have_url(re.compile(r"/log\?items=forvirring&items=verbale_trusler&borger=ukendt$"))
    wait_until(page, FORM_READY)
    expect(page.get_by_label("Vurderet", exact=True)).to_be_checked()
    expect(page.locator("#log-item-forvirring")).to_be_checked()
    expect(page.locator("#log-item-verbale_trusler")).to_be_checked()
    expect(page.locator("#log-item-irritabilitet")).not_to_be_checked()
    expect(page.locator("#log-bvc-result")).to_contain_text("Moderat risiko for vold")

    save_contact(page, None, note="Kort snak ved bænken.")
    wait_for_rows(page, Db(own_server), 1, 0)
    assert Db(own_server).rows("SELECT bvc_total FROM encounters") == [(2,)]
    # Saved: the next contact does not get this score again, but /bvc still shows it.
    page.goto(own_server.url + "/log")
    wait_until(page, FORM_READY)
    expect(page.get_by_label("Vurderet", exact=True)).not_to_be_checked()
    page.goto(own_server.url + "/bvc")
    expect(page.locator("#bvc-result")).to_contain_text("2/6")


def test_ny_bvc_on_a_citizens_page_carries_the_citizen_and_keeps_no_alias(launch, own_server, tmp_path):
    own_server.start()
    ctx, page = logged_in_profile(launch, own_server, tmp_path / "profile")
    save_contact(page, "K.K.", new=True)
    db = Db(own_server)
    wait_for_rows(page, db, 1, 1)
    [(cid, _)] = db.citizens()
    wait_until(page, "self.gk.outbox.list().then(l => l.length === 0)")

    page.goto(own_server.url + f"/citizens/{cid}")
    page.get_by_role("link", name="Ny BVC").click()
    expect(page).to_have_url(re.compile(r"/bvc$"))      # the link's query is taken, then dropped
    expect(page.get_by_label("Kendt", exact=True)).to_be_checked()
    expect(page.get_by_label("Hvilken borger?")).to_have_value(cid)
    page.get_by_text("Irritabilitet", exact=True).click()
    score = kept_score(page)
    assert score["citizen"] == cid and score["known"] == "kendt" and score["items"] == ["irritabilitet"]
    assert "K.K." not in page.evaluate("localStorage.getItem('gk.bvc')")

    page.get_by_role("link", name="Gem i kontaktlog").click()
    wait_until(page, FORM_READY)
    expect(page.get_by_label("Borger", exact=True)).to_have_value(cid)
    expect(page.locator("#log-item-irritabilitet")).to_be_checked()
    assert outbox(page) == []
