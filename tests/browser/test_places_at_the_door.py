"""Places in Chromium (issue 18): the administrator adds a place on /places;
with no signal the contact log picks it, and /bvc and /timer show its safety
notes and partners from the phone's cached session; the contact reaches the
server with the place's name once the signal is back."""
from playwright.sync_api import expect

from tests.browser.helpers import (Db, add_place_by_form, go_offline, logged_in_profile, open_log, poll, save_contact,
                                   wait_until)


def test_a_place_is_picked_in_the_log_and_shown_at_the_door_with_no_signal(launch, own_server, tmp_path):
    own_server.start()
    base = own_server.url
    ctx, page = logged_in_profile(launch, own_server, tmp_path / "profile")
    add_place_by_form(page, base)
    # The phone takes the place with its session at its next sign of the server.
    open_log(page, base)
    wait_until(page, "self.gk.session.cached().then(s => (s.place_details || []).length === 1)")
    go_offline(ctx, own_server)

    page.goto(base + "/bvc")
    door = page.locator("#place-door")
    expect(door).to_be_visible()
    page.get_by_label("Hvor er I?").select_option(label="Banegårdsparken (Centrum)")
    info = page.locator("#door-info")
    expect(info).to_contain_text("Kun efter aftale / når vi er kaldt.")
    expect(info).to_contain_text("Sikkerhed: To udgange. Hunde. Handel efter kl. 20.")
    expect(info.get_by_role("link", name="+45 12 34 56 78")).to_have_attribute("href", "tel:+4512345678")
    expect(info).to_contain_text("Kirkens Korshær – Lise")
    expect(info).to_contain_text("Gode tider: Man aften")

    page.goto(base + "/timer")
    page.get_by_label("Fra teamets liste").select_option(label="Banegårdsparken (Centrum)")
    expect(page.locator("#door-info")).to_contain_text("To udgange")
    expect(page.get_by_label("Sted", exact=True)).to_have_value("Banegårdsparken")

    open_log(page, base)
    page.get_by_label("Sted", exact=True).select_option("Banegårdsparken")
    save_contact(page, None, note="Kort hej.")

    own_server.start()
    ctx.set_offline(False)
    page.goto(base + "/log")
    db = Db(own_server)
    poll(page, lambda: db.rows("SELECT place FROM encounters") == [("Banegårdsparken",)],
         "the contact never arrived with its place", timeout=60)


def test_a_phone_logged_out_shows_no_places_at_the_door(page, server):
    # Never logged in: the door's code is not even fetched (app.js, gk.phoneUsed).
    page.goto(server.url + "/bvc")
    page.evaluate("self.gk.afterFirstPaint.then(() => new Promise((r) => setTimeout(r, 300)))")
    expect(page.locator("#place-door")).to_be_hidden()
    # Logged in once, logged out now: the door runs and finds no session, so no places.
    page.evaluate("localStorage.setItem('gk.phoneUsed', '1')")
    page.goto(server.url + "/bvc")
    wait_until(page, "Boolean(self.gk && self.gk.session)")
    page.wait_for_timeout(300)
    expect(page.locator("#place-door")).to_be_hidden()
