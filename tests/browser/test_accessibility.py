"""axe-core finds no violations on any page, light or dark, at 320 px; every
target is at least 48 px; nothing scrolls sideways at 320 px."""
import pytest

from pwa.kit import PAGES
from tests.browser.conftest import AXE

STATES = PAGES + ["/bvc?items=forvirring&items=irritabilitet&items=fysiske_trusler",
                  "/bvc?items=forvirring&borger=kendt", "/stages?stage=action", "/prompts?stage=relapse",
                  "/search?q=hjemmebesøg"]


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


@pytest.mark.parametrize("path", PAGES + ["/search?q=hjemmebesøg"])
def test_tap_targets_are_at_least_48px(narrow_page, server, path):
    narrow_page.goto(server.url + path)
    narrow_page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert narrow_page.evaluate(TARGETS) == []


@pytest.mark.parametrize("path", STATES)
def test_nothing_scrolls_sideways_at_320px(narrow_page, server, path):
    narrow_page.goto(server.url + path)
    assert narrow_page.evaluate("document.documentElement.scrollWidth") <= 320


# --- the pages behind the login -------------------------------------------------

@pytest.fixture(scope="module")
def team_server(tmp_path_factory, pw):
    """A server with a team, one citizen, a corrected contact and an access log to show."""
    import uuid
    from datetime import datetime, timezone

    from tests.live import LiveServer, set_up_team
    s = LiveServer(tmp_path_factory.mktemp("team-server")).start()
    http = pw.request.new_context(base_url=s.url)
    session = set_up_team(http, s.url)
    cid, first = str(uuid.uuid4()), str(uuid.uuid4())
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    enc = {"kind": "encounter", "id": first, "citizen_id": cid, "occurred_at": now, "worker_ids": [session["user"]["id"]],
           "stage": "contemplation", "note": "Kort snak."}
    resp = http.post("/api/sync", headers={"X-CSRFToken": session["csrf_token"]}, data={"records": [
        {"kind": "citizen", "id": cid, "alias": "K.K.", "description": "Grøn jakke", "places": "Banegårdsparken"},
        enc, dict(enc, id=str(uuid.uuid4()), amends=first, stage="action")]})
    assert [r["status"] for r in resp.json()["results"]] == ["stored"] * 3
    s.citizen_id = cid
    s.cookies = http.storage_state()["cookies"]
    http.dispose()
    yield s
    s.stop()


@pytest.mark.parametrize("path", ["/citizens", "/citizens/{cid}", "/citizens/{cid}/edit", "/citizens/{cid}/edit#fejl",
                                  "/team", "/team#aftaler-fejl", "/admin/access-log", "/admin/access-log?citizen={cid}"])
def test_pages_behind_the_login_pass_axe_targets_and_320px(narrow_page, team_server, axe_source, path):
    page = narrow_page
    page.context.add_cookies(team_server.cookies)
    url = team_server.url + path.format(cid=team_server.citizen_id)
    page.goto(url.replace("#fejl", "").replace("#aftaler-fejl", ""))
    assert "/login" not in page.url  # the page itself, not the login form
    if path.endswith("#fejl"):
        page.locator("#alias").fill("")
        page.get_by_role("button", name="Gem rettelsen").click()
        assert page.locator("#alias-err").is_visible()
    if path.endswith("#aftaler-fejl"):
        # The team's rules with errors in them, as the administrator sees them.
        page.get_by_text("Ret teamets aftaler").click()
        page.locator("#tr-code_word").fill("")
        page.locator("#tr-checkin_high").fill("0")
        page.get_by_role("button", name="Gem aftalerne").click()
        assert page.locator("#tr-checkin_high-err").is_visible()
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert page.locator("#main").is_visible()
    page.evaluate(axe_source)
    result = page.evaluate("""axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
        resultTypes: ['violations']})""")
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]] == []
    assert page.evaluate(TARGETS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
