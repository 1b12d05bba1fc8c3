"""Today's round in Chromium (issue 18), with no signal: a round of three
places, ordered, two ticked off; a reload and a browser restart keep it;
back online it reaches the server exactly once, and the partner's phone,
logged in as Bo, shows the same round with both ticks."""
import re

from playwright.sync_api import expect

from tests.browser.helpers import (PASSWORD, Db, add_place_by_form, first_page, go_offline, logged_in_profile,
                                   open_log, poll, wait_until)

PLACES = [("Banegårdsparken", "Centrum"), ("Varmestuen", "Centrum"), ("Kirkepladsen", "Nord")]


def add_worker_bo(page, base):
    page.goto(base + "/team")
    form = page.locator("form[action='/team/workers']")
    form.get_by_label("Navn", exact=True).fill("Bo Makker")
    form.get_by_label("Brugernavn").fill("bo")
    form.get_by_label("Første adgangskode").fill(PASSWORD)
    form.get_by_role("button", name="Tilføj").click()
    expect(page.get_by_text("Bo Makker er tilføjet.")).to_be_visible()


def stops(page):
    return page.locator("#round-list .round-tick strong").all_text_contents()


def test_a_round_made_offline_survives_a_restart_and_arrives_once_for_the_partner_too(
        launch, own_server, new_context, tmp_path):
    own_server.start()
    base, profile = own_server.url, tmp_path / "profile"
    ctx, page = logged_in_profile(launch, own_server, profile)
    for name, area in PLACES:
        add_place_by_form(page, base, name, area)
    add_worker_bo(page, base)
    open_log(page, base)
    wait_until(page, "self.gk.session.cached().then(s => (s.place_details || []).length === 3)")
    go_offline(ctx, own_server)

    page.goto(base + "/round")
    expect(page.locator("#round-new")).to_be_visible()
    pick = page.locator("#round-pick")
    for name, area in PLACES:
        pick.get_by_label(f"{name} ({area})").check()
    page.get_by_role("button", name="Flyt Kirkepladsen op").click()   # Banegården, Kirkepladsen, Varmestuen
    page.get_by_role("button", name="Gem runden").click()
    expect(page.locator("#round-status")).to_have_text("Runden er gemt.")
    assert stops(page) == ["1. Banegårdsparken", "2. Kirkepladsen", "3. Varmestuen"]
    # Each stop shows the team's notes for the place, offline.
    expect(page.locator(".round-stop").first).to_contain_text("Sikkerhed: To udgange")
    page.locator(".round-stop").nth(0).get_by_role("checkbox").check()
    expect(page.locator("#round-status")).to_have_text("Banegårdsparken er krydset af.")
    page.locator(".round-stop").nth(1).get_by_role("checkbox").check()
    expect(page.locator("#round-status")).to_have_text("Kirkepladsen er krydset af.")
    summary = page.locator("#round-list .round > p.small").first
    expect(summary).to_contain_text("2 af 3 besøgt · ikke sendt endnu")
    wait_until(page, "self.gk.outbox.list().then(l => l.length === 3)")
    # Nothing readable in the outbox: sealed like a contact.
    kinds = page.evaluate("self.gk.outbox.list().then(l => l.map(e => [e.kind, typeof e.sealed.ct]))")
    assert kinds == [["round", "string"], ["round_tick", "string"], ["round_tick", "string"]]

    # The contact log's outbox says what waits, in words.
    open_log(page, base)
    expect(page.locator("#outbox")).to_contain_text("Dagens runde")
    expect(page.locator("#outbox")).to_contain_text("Sted krydset af på runden")
    page.goto(base + "/round")
    page.reload()
    expect(summary).to_contain_text("2 af 3 besøgt")
    ctx.close()
    ctx = launch(profile, offline=True)
    page = first_page(ctx)
    page.goto(base + "/round")
    expect(page.locator("#round-list .round > p.small").first).to_contain_text("2 af 3 besøgt · ikke sendt endnu")
    assert stops(page) == ["1. Banegårdsparken", "2. Kirkepladsen", "3. Varmestuen"]
    expect(page.locator(".round-stop").nth(2).get_by_role("checkbox")).not_to_be_checked()

    own_server.start()
    ctx.set_offline(False)
    page.goto(base + "/round")
    db = Db(own_server)
    poll(page, lambda: (db.rows("SELECT count(*) FROM rounds"), db.rows("SELECT count(*) FROM round_ticks"))
         == ([(1,)], [(2,)]), "the round and its two ticks never arrived", timeout=60)
    wait_until(page, "self.gk.outbox.list().then(l => l.length === 0)")
    expect(page.locator("#round-list .round > p.small").first).not_to_contain_text("ikke sendt")
    # Once: a second upload round changes nothing.
    page.evaluate("document.dispatchEvent(new Event('gk:sync'))")
    page.wait_for_timeout(1000)
    assert db.rows("SELECT count(*) FROM rounds") == [(1,)] and db.rows("SELECT count(*) FROM round_ticks") == [(2,)]

    partner = new_context().new_page()
    partner.goto(base + "/login?next=/round")
    partner.get_by_label("Brugernavn").fill("bo")
    partner.get_by_label("Adgangskode").fill(PASSWORD)
    partner.get_by_role("button", name="Log ind").click()
    partner.wait_for_url(re.compile(r"/round$"))
    expect(partner.locator("#round-list .round > p.small").first).to_contain_text(
        "Lavet af Anna Admin kl.", timeout=15000)
    expect(partner.locator("#round-list .round > p.small").first).to_contain_text("2 af 3 besøgt")
    assert stops(partner) == ["1. Banegårdsparken", "2. Kirkepladsen", "3. Varmestuen"]
    expect(partner.locator(".round-stop").nth(0)).to_contain_text("af Anna Admin")


def test_a_team_with_no_places_is_told_so_on_the_round_page_not_shown_an_empty_one(launch, own_server, tmp_path):
    own_server.start()
    ctx, page = logged_in_profile(launch, own_server, tmp_path / "profile")
    open_log(page, own_server.url)
    wait_until(page, "self.gk.session.cached().then(s => Boolean(s && s.user))")
    page.goto(own_server.url + "/round")
    expect(page.locator("#round-no-places")).to_be_visible()
    expect(page.locator("#round-no-places")).to_contain_text("ingen steder")
    expect(page.locator("#round-new")).to_be_hidden()
    expect(page.locator("#round-login")).to_be_hidden()
