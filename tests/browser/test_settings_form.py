"""/settings is one form that loses nothing typed (issue 13): each field is kept on the phone
as it changes or when the worker leaves the page, "Gem" keeps all of them, and a number that is
no number is named, with everything else kept."""
import json
import re

from playwright.sync_api import expect

from tests.browser.helpers import fill_settings


def stored(page):
    return [json.loads(page.evaluate(f"localStorage.getItem('{k}') || 'null'")) for k in ("gk.settings", "gk.pair")]


def test_one_gem_keeps_the_pair_and_both_numbers(page, server):
    page.goto(server.url + "/settings")
    expect(page.get_by_role("button", name=re.compile("^Gem"))).to_have_count(1)
    page.get_by_label("Koordinatorens mobilnummer").fill("87 65 43 21")    # typed first, saved with the rest
    fill_settings(page, me="Mette", coordinator="87 65 43 21")
    expect(page.locator("#settings-status")).to_have_text("Gemt på telefonen: Mette og Bo, koordinatorens nummer.")
    settings, pair = stored(page)
    assert settings["coordinator_phone"] == "+4587654321" and settings["name"] == "Mette"
    assert pair["me"]["name"] == "Mette" and pair["partner"] == {"id": None, "name": "Bo", "phone": "+4512345678"}


def test_a_number_typed_and_then_the_tab_bar_is_kept(page, server):
    page.goto(server.url + "/settings")
    page.get_by_label("Koordinatorens mobilnummer").fill("87 65 43 21")
    # No button pressed: straight to the BVC by the tab bar, with the focus still in the field.
    page.get_by_role("navigation", name="Genveje").get_by_role("link", name=re.compile("^BVC")).click()
    expect(page).to_have_url(re.compile("/bvc$"))
    assert stored(page)[0]["coordinator_phone"] == "+4587654321"
    page.goto(server.url + "/settings")
    expect(page.get_by_label("Koordinatorens mobilnummer")).to_have_value("+4587654321")


def test_a_wrong_number_is_named_and_nothing_else_is_lost(page, server):
    page.goto(server.url + "/settings")
    fill_settings(page, me="Mette", coordinator="ring til Ole")
    expect(page.locator("#s-coordinator-err")).to_have_text("Skriv et mobilnummer, fx 12 34 56 78 eller +45 12 34 56 78.")
    expect(page.get_by_label("Koordinatorens mobilnummer")).to_be_focused()
    expect(page.get_by_label("Koordinatorens mobilnummer")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#settings-status")).to_have_text(
        "Ikke gemt: koordinatorens mobilnummer. Skriv et mobilnummer, fx 12 34 56 78. Gemt: Mette og Bo.")
    settings, pair = stored(page)
    assert pair["partner"]["phone"] == "+4512345678" and settings["coordinator_phone"] == ""
    page.get_by_label("Koordinatorens mobilnummer").fill("87654321")
    page.get_by_role("button", name="Gem", exact=True).click()
    expect(page.locator("#s-coordinator-err")).to_be_hidden()
    assert stored(page)[0]["coordinator_phone"] == "+4587654321"
