"""Each module a page loads is fetched once: the modulepreload names the very
URL the import resolves to (a preload under another URL, say with ?v=, is a
second download and a second module), and nothing the page imports
statically is left to wait for its importer."""
from urllib.parse import urlsplit

import pytest

from tests.live import wait_until


@pytest.mark.parametrize("path", ["/log", "/bvc", "/timer", "/settings", "/stages"])
def test_each_module_is_fetched_once_at_the_url_its_preload_names(page, server, path):
    page.goto(server.url + "/about")
    page.evaluate("localStorage.setItem('gk.phoneUsed', '1')")    # a phone that has been logged in
    page.evaluate("self.gk.afterFirstPaint.then(() => import('/static/js/timer-chip.js'))")  # done here
    fetched = []
    page.on("request", lambda r: "/static/js/" in r.url and fetched.append(r.url))
    page.goto(server.url + path)  # module scripts run before "load"
    preloads = page.eval_on_selector_all('link[rel="modulepreload"]', "links => links.map(l => l.href)")
    scripts = page.eval_on_selector_all('script[type="module"]', "s => s.map(e => e.src)")
    # The header's sync status loads after the first paint; by then every
    # module of the page has been asked for.
    wait_until(page, "Boolean(self.gk && self.gk.sync)")
    assert preloads, "this page imports modules"
    assert set(preloads) <= set(fetched)
    assert set(scripts) <= set(fetched)
    paths = [urlsplit(u).path for u in fetched]
    assert len(paths) == len(set(paths)), f"fetched twice: {sorted(paths)}"


def test_a_phone_never_logged_in_does_not_fetch_the_phones_data_code(page, server):
    """A kit-only phone has no outbox, citizen list or places: on a weak signal it downloads
    the kit, not the ~30 KB that would show them (app.js, gk.phoneUsed)."""
    fetched = []
    page.on("request", lambda r: fetched.append(urlsplit(r.url).path))
    for path in ["/", "/bvc", "/stages", "/timer"]:
        page.goto(server.url + path)
        wait_until(page, "document.readyState === 'complete'")
        page.evaluate("self.gk.afterFirstPaint.then(() => new Promise((r) => setTimeout(r, 300)))")
    assert "/static/js/bvc.js" in fetched and "/static/js/timer-core.js" in fetched   # the kit itself came
    data = {"/static/js/phone-data.js", "/static/js/sync-status.js", "/static/js/place-door.js", "/api/session",
            "/api/team/rules"}
    assert data.isdisjoint(fetched), sorted(data & set(fetched))
    # Once the phone has been logged in, the same page fetches it (here: marked by hand).
    page.evaluate("localStorage.setItem('gk.phoneUsed', '1')")
    page.goto(server.url + "/bvc")
    wait_until(page, "Boolean(self.gk && self.gk.sync)")
    assert {"/static/js/phone-data.js", "/static/js/sync-status.js", "/static/js/place-door.js"} <= set(fetched)
