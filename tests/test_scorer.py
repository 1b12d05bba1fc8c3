"""The BVC scorer over all 64 combinations of the six items, in Python and as served."""
import itertools
import re

import pytest

from pwa import bvc

IDS = [i["id"] for i in bvc.items()]
COMBOS = [tuple(i for i, on in zip(IDS, bits) if on) for bits in itertools.product((0, 1), repeat=6)]


def expected_band(total):
    # Appendix 1A: 0 low; 1–2 moderate; > 2 high.
    return "low" if total == 0 else "moderate" if total <= 2 else "high"


def test_there_are_64_combinations():
    assert len(set(COMBOS)) == 64


@pytest.mark.parametrize("checked", COMBOS, ids=lambda combo: "+".join(combo) or "none")
def test_score(checked):
    total, band = bvc.score(checked)
    assert total == len(checked)
    assert band["id"] == expected_band(total)


@pytest.mark.parametrize("checked", COMBOS, ids=lambda combo: "+".join(combo) or "none")
def test_server_rendered_score_without_javascript(client, checked):
    resp = client.get("/bvc", query_string={"items": list(checked)})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    band = expected_band(len(checked))
    assert re.search(r'class="result bvc-bar band-(\w+)"', html).group(1) == band
    assert f'data-total>{len(checked)}<' in html
    # The band in words, in the bar; at moderate and high the card with the action, and not at low.
    shown = bvc.band_for(len(checked))
    assert re.search(r"data-band-label[^>]*>([^<]*)<", html).group(1) == shown["name"]
    assert re.search(r"data-band-full>([^<]*)<", html).group(1) == shown["label"]     # what a screen reader hears
    card = re.search(r'<section id="risk-card"[^>]*>', html).group(0)
    assert (" hidden" in card) == (band == "low")
    for item in IDS:
        box = re.search(rf'<input type="checkbox" id="item-{item}"[^>]*>', html).group(0)
        assert ("checked" in box) == (item in checked)


def test_an_item_counts_once_however_often_it_is_sent():
    assert bvc.score(["forvirring", "forvirring"])[0] == 1


@pytest.mark.parametrize("total", [-1, 7])
def test_band_for_out_of_range_total_raises(total):
    with pytest.raises(ValueError):
        bvc.band_for(total)
