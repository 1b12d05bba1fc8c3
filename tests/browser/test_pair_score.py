"""The makkerscore on /bvc (issue 16), on a 360 px phone with no login: the first worker scores
and taps "Skjul og giv videre"; the partner scores on a page that holds nothing of the first
score; "Vis begge" shows both item by item and takes the higher band as the pair's result, in
either order; offline too; "Nulstil" clears both. Saved to the contact log, both scores reach
the server (a real sync, read back from the SQLite file and the citizen's timeline)."""
import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from pwa import bvc
from tests.browser.helpers import (AXE, TARGETS, Db, axe_violations, kept_score, logged_in_profile, save_contact,
                                   ticked_items, wait_for_offline_ready, wait_for_rows, wait_until)

NAMES = {i["id"]: i["name"] for i in bvc.items()}
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))


# The page's markup, every element with its attributes (in name order: the order in which
# script happened to set them is no content) and every text node, hidden or not.
CANONICAL = r"""() => {
  const out = [];
  const walk = (node, depth) => {
    if (node.nodeType === Node.TEXT_NODE) { if (node.data.trim()) out.push(' '.repeat(depth) + node.data.trim()); return; }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    const attrs = [...node.attributes].map(a => `${a.name}="${a.value}"`).sort().join(' ');
    out.push(' '.repeat(depth) + `<${node.localName} ${attrs}>` + (['input', 'select', 'textarea'].includes(node.localName)
      ? ` value=${node.value} checked=${node.checked}` : ''));
    for (const child of node.childNodes) walk(child, depth + 1);
  };
  walk(document.body, 0);
  return out.join('\n');
}"""


def score(page, items):
    for item in items:
        page.get_by_text(NAMES[item], exact=True).click()


def hand_over(page):
    page.get_by_role("button", name="Skjul og giv videre").click()
    expect(page.locator("#pair")).to_have_attribute("data-state", "partner")


def what_the_partner_can_learn(page):
    """Everything the page holds while the partner scores: its markup (all text, hidden or
    not, every attribute), what a screen reader is told, and what the screen shows."""
    return {"dom": page.evaluate(CANONICAL),
            "aria": page.locator("body").aria_snapshot(),
            "text": page.locator("body").inner_text()}


def partner_page(page, base, first):
    """/bvc after the first worker scored `first` and handed the phone over."""
    page.goto(base + "/bvc")
    page.get_by_role("button", name="Nulstil til næste kontakt").click()
    score(page, first)
    expect(page.locator("#bvc-result [data-total]")).to_have_text(str(len(first)))
    hand_over(page)
    return what_the_partner_can_learn(page)


def test_the_partners_page_holds_nothing_of_the_first_score(new_context, server):
    page = new_context().new_page()
    page.clock.set_fixed_time(T0)             # the score's age reads the same on every run
    page.goto(server.url + "/bvc")
    wait_for_offline_ready(page)              # "klar uden net" is said the same both times
    high = partner_page(page, server.url, ["forvirring", "irritabilitet", "verbale_trusler"])
    none = partner_page(page, server.url, [])
    # The page after a score of three and after a score of none is the same page: nothing in
    # it, seen or heard, tells the partner what the first worker scored.
    if high != none:   # say where they differ, not just that they do
        import difflib
        a, b = high["dom"].splitlines(), none["dom"].splitlines()
        raise AssertionError("\n".join(difflib.unified_diff(a, b, lineterm="", n=0)))
    assert high == none
    assert ticked_items(page) == []
    expect(page.locator("#bvc-result [data-total]")).to_have_text("0")
    expect(page.locator(".pair-turn")).to_contain_text("Den første score er skjult.")
    expect(page.locator(".pair-turn")).to_be_visible()
    # Half a pair is nothing to log: the link waits for "Vis begge".
    expect(page.get_by_role("link", name="Gem i kontaktlog")).to_be_hidden()
    # A reload while the partner scores: still the partner's turn, still nothing shown.
    score(page, ["forvirring"])
    page.reload()
    expect(page.locator("#pair")).to_have_attribute("data-state", "partner")
    assert ticked_items(page) == ["forvirring"]
    assert "1. score" not in page.locator("body").inner_text()


@pytest.mark.parametrize("first, second", [
    (["forvirring", "irritabilitet", "verbale_trusler"], ["forvirring"]),       # the first is higher
    (["forvirring"], ["forvirring", "irritabilitet", "verbale_trusler"]),       # the partner is higher
])
def test_vis_begge_shows_both_item_by_item_and_takes_the_higher_band(new_context, server, first, second):
    page = new_context().new_page()
    page.goto(server.url + "/bvc")
    score(page, first)
    hand_over(page)
    score(page, second)
    # The partner's own score shows while the partner scores: it is theirs to see.
    expect(page.locator("#bvc-result [data-total]")).to_have_text(str(len(second)))
    page.get_by_role("button", name="Vis begge").click()
    expect(page.locator("#pair")).to_have_attribute("data-state", "both")
    expect(page.locator("#pair-both")).to_be_focused()
    # The pair's result is the higher: the bar, the risk card and the kept score follow it.
    high = max(first, second, key=len)
    expect(page.locator("#bvc-result")).to_have_text(re.compile(r"3/6\s*Høj risiko"))
    expect(page.locator("#risk-card")).to_be_visible()
    expect(page.locator("#risk-card h2")).to_contain_text(bvc.band_for(3)["action"])
    assert ticked_items(page) == high
    stored = kept_score(page)
    assert stored["items"] == high and stored["pair"] == {"first": first, "second": second}
    # Both, item by item: agreement and difference in words and a shape, for all six.
    rows = page.locator("[data-pair-items] li")
    expect(rows).to_have_count(6)
    for item_id, name in NAMES.items():
        row = rows.filter(has_text=name)
        same = (item_id in first) == (item_id in second)
        expect(row.locator(".pair-mark")).to_have_text("=" if same else "≠")
        expect(row.locator(".pair-verdict")).to_have_text(re.compile("^Enige" if same else "^Uenige"))
    expect(rows.filter(has_text="Irritabilitet").locator(".pair-verdict")).to_have_text(
        f"Uenige: kun observeret i {'1.' if 'irritabilitet' in first else '2.'} score")
    expect(rows.filter(has_text="Forvirring").locator(".pair-verdict")).to_have_text("Enige: observeret")
    expect(rows.filter(has_text="Angreb").locator(".pair-verdict")).to_have_text("Enige: ikke observeret")
    expect(page.locator("[data-pair-summary]")).to_have_text(
        f"1. score: {len(first)} – {bvc.band_for(len(first))['name']}. "
        f"2. score: {len(second)} – {bvc.band_for(len(second))['name']}. "
        f"Enige om 4 af 6 punkter. Parrets resultat er den højeste: 3 – {bvc.band_for(3)['label']}.")
    expect(page.locator("#pair .cite-practice").filter(visible=True)).to_have_text("God praksis")
    # The log link carries the pair's result and the other score.
    other = min(first, second, key=len)
    href = page.get_by_role("link", name="Gem i kontaktlog").get_attribute("href")
    assert href.startswith("/log?" + "&".join(f"items={i}" for i in high)) and f"partner={'+'.join(other)}" in href

    # "Nulstil" clears both: a score of one again, nothing kept.
    page.get_by_role("button", name="Nulstil til næste kontakt").click()
    expect(page.locator("#pair")).to_have_attribute("data-state", "solo")
    expect(page.locator("[data-pair-items] li")).to_have_count(0)
    expect(page.locator("#bvc .items")).to_be_visible()
    assert ticked_items(page) == [] and kept_score(page) is None
    expect(page.locator("#bvc-result")).to_contain_text("0/6")


def test_the_pair_scores_offline(new_context, server):
    ctx = new_context()
    page = ctx.new_page()
    page.goto(server.url + "/bvc")
    wait_for_offline_ready(page)
    ctx.set_offline(True)
    page.reload()                          # from the service worker's cache
    score(page, ["stoejende_adfaerd"])
    hand_over(page)
    score(page, ["stoejende_adfaerd", "angreb_paa_ting"])
    page.get_by_role("button", name="Vis begge").click()
    expect(page.locator("#bvc-result")).to_have_text(re.compile(r"2/6\s*Moderat risiko"))
    expect(page.locator("[data-pair-items] .pair-differ")).to_have_count(1)
    expect(page.locator("[data-pair-items] .pair-differ")).to_contain_text("Angreb på ting")
    assert page.evaluate("navigator.onLine") is False
    # The rest of the page is used as before and the pair stays; so does a reload.
    page.get_by_label("Kendt", exact=True).check()
    assert kept_score(page)["pair"] == {"first": ["stoejende_adfaerd"], "second": ["stoejende_adfaerd", "angreb_paa_ting"]}
    page.reload()
    expect(page.locator("#pair")).to_have_attribute("data-state", "both")
    expect(page.locator("[data-pair-items] .pair-differ")).to_have_count(1)
    expect(page.locator("#bvc-result")).to_contain_text("2/6")
    assert kept_score(page)["known"] == "kendt"


def test_a_pair_score_saved_to_the_log_reaches_the_server_with_both_scores(launch, own_server, tmp_path):
    own_server.start()
    ctx, page = logged_in_profile(launch, own_server, tmp_path / "phone")
    page.goto(own_server.url + "/bvc")
    score(page, ["irritabilitet"])
    hand_over(page)
    score(page, ["irritabilitet", "verbale_trusler", "fysiske_trusler"])
    page.get_by_role("button", name="Vis begge").click()
    page.get_by_role("link", name="Gem i kontaktlog").click()
    wait_until(page, "document.getElementById('log-form')?.dataset.ready === 'true'")
    # The form opened again without the link's query (the tab bar, a login between) takes
    # the handed-over score from the phone, the other score with it.
    page.goto(own_server.url + "/log")
    wait_until(page, "document.getElementById('log-form')?.dataset.ready === 'true'")
    expect(page).to_have_url(re.compile(r"/log\?items=irritabilitet&items=fysiske_trusler&items=verbale_trusler"
                                        r"&partner=irritabilitet&borger=ukendt$"))
    expect(page.locator("#log-bvc-result")).to_contain_text("Høj")
    page.locator("#log-bvc-toggle").click()
    expect(page.locator("#log-pair")).to_have_text(
        "Makkerscore: den anden score var 1/6 (Irritabilitet). Den højeste af de to gælder, og begge gemmes.")
    save_contact(page, "Kasper K.", new=True, note="Makkerscore ved bænken.")
    db = Db(own_server)
    wait_for_rows(page, db, 1, 1)
    [(total, band, first, partner, citizen)] = db.rows(
        "SELECT bvc_total, bvc_band, bvc, bvc_partner, citizen_id FROM encounters")
    assert (total, band) == (3, "high")
    assert json.loads(first) == {i: int(i in ("irritabilitet", "verbale_trusler", "fysiske_trusler")) for i in NAMES}
    assert json.loads(partner) == {i: int(i == "irritabilitet") for i in NAMES}
    # The citizen's timeline says it was a pair score and where the two differed.
    page.goto(f"{own_server.url}/citizens/{citizen}")
    expect(page.locator(".pair-line")).to_have_text(re.compile(
        r"Makkerscore: I scorede 3 og 1; den højeste gælder\.\s+≠ Uenige om: Fysiske trusler, Verbale trusler\."))


# --- accessible in every new state --------------------------------------------------

@pytest.fixture(scope="module")
def axe_source():
    return AXE.read_text()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("state", ["solo", "partner", "both"])
def test_each_pair_state_passes_axe_and_48px_targets_at_320px(new_context, server, axe_source, scheme, state):
    page = new_context(viewport={"width": 320, "height": 640}, color_scheme=scheme).new_page()
    page.goto(server.url + "/bvc")
    if state != "solo":
        score(page, ["forvirring", "irritabilitet"])
        hand_over(page)
        score(page, ["irritabilitet", "verbale_trusler", "fysiske_trusler"])
    if state == "both":
        page.get_by_role("button", name="Vis begge").click()
    expect(page.locator("#pair")).to_have_attribute("data-state", state)
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert axe_violations(page, axe_source) == []
    assert page.evaluate(TARGETS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
