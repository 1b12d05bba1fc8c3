"""The live BVC score in the browser over all 64 combinations, and what each band shows."""

import pytest
from playwright.sync_api import expect

from pwa import bvc

IDS = [i["id"] for i in bvc.items()]


def test_all_64_combinations_score_live_like_the_server(page, server):
    page.goto(server.url + "/bvc")
    seen = page.evaluate(
        """ids => {
            const out = [];
            for (let mask = 0; mask < 64; mask++) {
              ids.forEach((id, i) => {
                const box = document.getElementById('item-' + id);
                box.checked = Boolean(mask & (1 << i));
              });
              document.getElementById('bvc').dispatchEvent(new Event('change', {bubbles: true}));
              const r = document.getElementById('bvc-result');
              out.push([mask, Number(r.querySelector('[data-total]').textContent),
                        r.className, r.querySelector('[data-band-label]').textContent,
                        document.getElementById('h-plan').closest('details').hidden,
                        document.getElementById('risk-card').hidden,
                        document.querySelector('#risk-card [data-band-action]').textContent]);
            }
            return out;
        }""", IDS)
    assert len(seen) == 64
    for mask, total, cls, label, plan_hidden, card_hidden, action in seen:
        checked = [i for n, i in enumerate(IDS) if mask & (1 << n)]
        expected_total, band = bvc.score(checked)
        assert total == expected_total
        assert cls == f"result bvc-bar band-{band['id']}"
        assert label == band["name"]
        assert plan_hidden == (band["id"] != "high")
        assert card_hidden == (band["id"] == "low")
        assert action == band["action"]


def test_definition_is_one_tap_away(page, server):
    page.goto(server.url + "/bvc")
    item = bvc.items()[3]
    definition = page.get_by_text(item["definition"])
    expect(definition).to_be_hidden()
    page.locator(f".item:has(#item-{item['id']}) summary").click()
    expect(definition).to_be_visible()


@pytest.mark.parametrize("choice, note_visible", [("Kendt", False), ("Ukendt", True)])
def test_known_or_unknown_citizen(page, server, choice, note_visible):
    page.goto(server.url + "/bvc")
    page.get_by_label(choice, exact=True).check()
    expect(page.locator("#unknown-note")).to_be_visible() if note_visible else \
        expect(page.locator("#unknown-note")).to_be_hidden()


def test_band_is_shown_by_words_and_shape_not_colour_alone(page, server):
    page.goto(server.url + "/bvc")
    icons = {}
    for checked, band in (([], "low"), (IDS[:1], "moderate"), (IDS[:3], "high")):
        page.goto(server.url + "/bvc?borger=ukendt" + "".join(f"&items={i}" for i in checked))
        glyph = page.evaluate(
            "getComputedStyle(document.querySelector('.band-icon'), '::before').content")
        icons[band] = glyph
        expect(page.locator("[data-band-label]")).to_have_text(bvc.band_for(len(checked))["name"])
    assert len(set(icons.values())) == 3 and "none" not in icons.values()
