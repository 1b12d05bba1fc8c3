"""Installability as Chromium judges it, and the update offered (never forced) after a deploy."""
from playwright.sync_api import expect

from tests.browser.helpers import first_page, wait_for_offline_ready, wait_until


def test_chromium_reports_no_installability_errors(launch, server, tmp_path):
    ctx = launch(tmp_path / "profile")
    page = first_page(ctx)
    page.goto(server.url + "/")
    wait_for_offline_ready(page)
    cdp = ctx.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == []
    assert manifest["url"].endswith("/manifest.webmanifest")
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []


def cache_names(page):
    return sorted(page.evaluate("caches.keys()"))


def test_new_version_is_offered_and_applied_only_when_accepted(launch, own_server, tmp_path):
    own_server.start(ASSET_SALT="deploy-1")
    ctx = launch(tmp_path / "profile")
    page = first_page(ctx)
    page.goto(own_server.url + "/bvc")
    wait_for_offline_ready(page)
    page.evaluate("caches.open('another-app')")
    [old] = [n for n in cache_names(page) if n.startswith("gadekontakt-")]

    own_server.stop()
    own_server.start(ASSET_SALT="deploy-2")  # a deploy: same origin, new version
    page.reload()
    page.get_by_text("Forvirring", exact=True).click()  # the worker is mid-contact
    page.evaluate("window.__stillHere = true")
    banner = page.locator("#banner")
    expect(banner).to_contain_text("Ny version klar", timeout=20000)
    # Offered, not forced: the page has not reloaded and the score is intact.
    assert page.evaluate("window.__stillHere") is True
    expect(page.locator("#bvc-result [data-total]")).to_have_text("1")

    with page.expect_navigation():
        page.get_by_role("button", name="Genindlæs").click()
    wait_until(page, "navigator.serviceWorker.controller !== null")
    assert page.evaluate("window.__stillHere === undefined")
    names = cache_names(page)
    assert "another-app" in names  # only our own old cache is deleted
    ours = [n for n in names if n.startswith("gadekontakt-")]
    assert len(ours) == 1 and ours != [old]
