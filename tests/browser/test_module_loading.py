"""Each module a page loads is fetched once: the modulepreload names the very
URL the import resolves to (a preload under another URL, say with ?v=, is a
second download and a second module), and nothing the page imports
statically is left to wait for its importer."""
from urllib.parse import urlsplit

import pytest

from tests.live import wait_until


@pytest.mark.parametrize("path", ["/log", "/bvc", "/timer", "/settings", "/stages"])
def test_each_module_is_fetched_once_at_the_url_its_preload_names(page, server, path):
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
