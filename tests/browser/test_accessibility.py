"""axe-core finds no violations on any page, light or dark, at 320 px; every
target is at least 48 px; nothing scrolls sideways at 320 px."""
import pytest

from pwa.kit import PAGES
from tests.browser.conftest import AXE

STATES = PAGES + ["/bvc?items=forvirring&items=irritabilitet&items=fysiske_trusler",
                  "/bvc?items=forvirring&borger=kendt", "/stages?stage=action", "/prompts?stage=relapse"]


@pytest.fixture(scope="module")
def axe_source():
    assert AXE.exists(), "axe-core missing: run `make test-deps`"
    return AXE.read_text()


@pytest.fixture(params=["light", "dark"])
def narrow_page(request, browser):
    ctx = browser.new_context(viewport={"width": 320, "height": 640}, color_scheme=request.param)
    page = ctx.new_page()
    yield page
    ctx.close()


@pytest.mark.parametrize("path", STATES)
def test_axe_finds_no_violations(narrow_page, server, axe_source, path):
    page = narrow_page
    page.goto(server.url + path)
    # Open every disclosure so hidden text is checked too.
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    page.evaluate(axe_source)  # evaluate is not subject to the page's CSP
    result = page.evaluate("""axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
        resultTypes: ['violations']})""")
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert violations == []


TARGETS = """() => {
  const small = [];
  const seen = new Set();
  for (const el of document.querySelectorAll('a, button, input, summary, select, textarea, label')) {
    if (el.closest('[hidden]') || el.closest('.sr-only') || !el.getClientRects().length) continue;
    if (el.matches('.skip')) continue;                     // off-screen until focused
    if (el.matches('p a, li > span a')) continue;          // inline links in text (WCAG 2.5.8 exception)
    let target = el;
    if (el.matches('input[type=checkbox], input[type=radio]')) target = el.closest('label') || el;
    if (el.matches('label') && !el.querySelector('input')) continue;
    if (seen.has(target)) continue;
    seen.add(target);
    const r = target.getBoundingClientRect();
    if (r.height < 47.5 || r.width < 47.5) small.push([target.outerHTML.slice(0, 80), Math.round(r.width), Math.round(r.height)]);
  }
  return small;
}"""


@pytest.mark.parametrize("path", PAGES)
def test_tap_targets_are_at_least_48px(narrow_page, server, path):
    narrow_page.goto(server.url + path)
    narrow_page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert narrow_page.evaluate(TARGETS) == []


@pytest.mark.parametrize("path", STATES)
def test_nothing_scrolls_sideways_at_320px(narrow_page, server, path):
    narrow_page.goto(server.url + path)
    assert narrow_page.evaluate("document.documentElement.scrollWidth") <= 320
