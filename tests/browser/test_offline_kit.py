"""First visit online; then the whole field kit with the network off, after a
reload and after a browser restart. The server is stopped too, so nothing
can come from it."""
import re

from playwright.sync_api import expect

from tests.browser.helpers import first_page, wait_for_offline_ready


def score_bvc_by_tap_and_keyboard(page, base):
    page.goto(base + "/bvc")
    result = page.locator("#bvc-result")
    expect(page.locator("#net")).to_have_text(re.compile("Uden net"))
    expect(result).to_contain_text("Lille risiko for vold")
    page.get_by_text("Forvirring", exact=True).click()          # tap
    expect(result.locator("[data-total]")).to_have_text("1")
    expect(result).to_contain_text("Moderat risiko for vold")
    card = page.locator("#risk-card")
    expect(card).to_contain_text("Deeskalering igangsættes.")
    expect(page.get_by_text("Deeskalering", exact=True)).to_be_visible()     # the folded tips
    expect(page.locator("#h-plan")).to_be_hidden()
    page.focus("#item-irritabilitet")                            # keyboard
    page.keyboard.press("Space")
    page.keyboard.press("Tab")     # the definition button
    page.keyboard.press("Tab")     # Støjende adfærd
    page.keyboard.press("Space")
    expect(result.locator("[data-total]")).to_have_text("3")
    expect(result).to_contain_text("Høj risiko for vold")
    expect(card).to_contain_text("Deeskalering SKAL igangsættes")
    expect(page.locator("#h-plan")).to_be_visible()
    page.get_by_role("button", name="Nulstil til næste kontakt").click()
    expect(result.locator("[data-total]")).to_have_text("0")
    expect(result).to_contain_text("Lille risiko for vold")
    expect(page.locator("#item-forvirring")).not_to_be_checked()


def pick_stage_and_see_prompts(page, base):
    page.goto(base + "/stages")
    page.get_by_role("radio", name="Overvejelse (middelhøj parathed)").check()
    detail = page.locator("#stage-contemplation")
    expect(detail).to_be_visible()
    expect(page.locator("#stage-action")).to_be_hidden()
    detail.get_by_role("link", name="Alle spørgsmål til overvejelse").click()
    expect(page).to_have_url(re.compile(r"/prompts\?stage=contemplation$"))
    expect(page.locator("#filter-status")).to_have_text("Spørgsmål til overvejelse – vælg en teknik.")
    expect(page.locator("#t-spejling")).to_be_visible()
    expect(page.locator("#t-maal")).to_be_hidden()
    # The choice carries over to a plain visit of /prompts.
    page.goto(base + "/prompts")
    expect(page.get_by_role("radio", name="Overvejelse (middelhøj parathed)")).to_be_checked()
    expect(page.locator("#t-maal")).to_be_hidden()
    page.get_by_role("radio", name="Alle stadier").check()          # showing all is one tap
    expect(page.locator("#t-maal")).to_be_visible()
    expect(page.locator("#filter-status")).to_have_text("Alle teknikker – vælg en.")
    page.get_by_role("radio", name=re.compile("^Forberedelse")).check()
    expect(page.locator("#t-spejling")).to_be_hidden()
    expect(page.locator("#t-skalaspoergsmaal")).to_be_visible()
    # The scaling ruler and its follow-ups, one tap away.
    page.get_by_role("heading", name=re.compile("^Skalaspørgsmål")).click()
    page.focus("#scale-value")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#scale-out")).to_have_text("7")
    expect(page.locator('[data-followup="lower"]')).to_contain_text("7")
    expect(page.locator('[data-followup="lower"]')).to_contain_text("5")
    expect(page.locator('[data-followup="higher"]')).to_contain_text("8")


def open_checklists(page, base):
    page.goto(base + "/manual")
    expect(page.get_by_role("heading", name="Fase 2: Motivationsarbejde")).to_be_visible()
    box = page.locator("#f1t1-1")
    box.check()
    expect(box).to_be_checked()
    page.get_by_text("Trin 3: Plan for det videre forløb").click()
    expect(page.locator("#f2t3-1")).to_be_visible()


def search_and_land_on_the_card(page, base):
    page.goto(base + "/")
    page.get_by_role("link", name="Søg", exact=True).click()
    page.get_by_label("Søg i kort, stadier, spørgsmål og tjeklister").fill("udebliver")
    expect(page.locator("#search-status")).to_have_text("1 resultat for »udebliver«.")
    page.get_by_role("link", name="Borgeren udebliver fra behandling").click()
    card = page.locator("#c-udebliver")
    expect(card).to_have_attribute("open", "")           # opened where it lands, inside its checklist step
    expect(card).to_contain_text("klar aftale")
    expect(card).to_contain_text("Manualen 3.5.2")
    expect(card).to_be_in_viewport()
    # A search link sent by a colleague answers with no network too.
    page.goto(base + "/search?q=skala")
    results = page.locator("#search-results")
    expect(results.get_by_role("link").first).to_have_text("Skalaspørgsmål")
    results.get_by_role("link", name="Skalaspørgsmål", exact=True).click()
    expect(page.locator("#t-skalaspoergsmaal")).to_be_visible()
    expect(page.locator("#t-skalaspoergsmaal")).to_be_in_viewport()


def use_the_kit_offline(page, base):
    score_bvc_by_tap_and_keyboard(page, base)
    page.reload()
    expect(page.locator("#bvc-result")).to_contain_text("Lille risiko for vold")
    pick_stage_and_see_prompts(page, base)
    open_checklists(page, base)
    search_and_land_on_the_card(page, base)
    page.goto(base + "/")
    expect(page.get_by_role("heading", name="Feltværktøj")).to_be_visible()
    page.goto(base + "/about")
    expect(page.locator("#main")).to_contain_text("Journal of Interpersonal Violence")
    page.goto(base + "/borgere/123")  # not part of the kit
    expect(page.get_by_role("heading", name="Denne side kræver net")).to_be_visible()


def test_field_kit_works_offline_after_one_visit_reload_and_restart(launch, own_server, tmp_path):
    own_server.start()
    base = own_server.url
    profile = tmp_path / "profile"

    ctx = launch(profile)
    page = first_page(ctx)
    page.goto(base + "/")
    # Ready offline is said quietly and stays (not a banner that goes).
    expect(page.locator("#ready")).to_be_visible()
    expect(page.locator("#ready")).to_have_text("klar uden net")
    wait_for_offline_ready(page)
    page.goto(base + "/bvc")      # and on every page after it, where the old banner never came
    expect(page.locator("#ready")).to_be_visible()
    expect(page.locator("#banner")).to_be_hidden()

    own_server.stop()
    ctx.set_offline(True)
    use_the_kit_offline(page, base)
    ctx.close()  # the browser quits; its profile stays on disk

    ctx = launch(profile, offline=True)
    page = first_page(ctx)
    use_the_kit_offline(page, base)


def test_offline_bvc_restores_a_scored_url(launch, own_server, tmp_path):
    """A link like /bvc?items=… (sent by a colleague, or bookmarked) still scores offline."""
    own_server.start()
    ctx = launch(tmp_path / "p")
    page = first_page(ctx)
    page.goto(own_server.url + "/bvc")
    wait_for_offline_ready(page)
    own_server.stop()
    ctx.set_offline(True)
    page.goto(own_server.url + "/bvc?items=fysiske_trusler&items=verbale_trusler&borger=kendt")
    expect(page.locator("#bvc-result [data-total]")).to_have_text("2")
    expect(page.locator("#item-fysiske_trusler")).to_be_checked()
    expect(page.locator("#unknown-note")).to_be_hidden()
