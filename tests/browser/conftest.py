"""Browser fixtures: Debian's Chromium driven by Playwright for Python.

One server serves the whole session where tests only read; tests that stop
or redeploy the server get their own. Chromium must be the system one — the
Makefile installs it; a missing browser fails the run rather than skipping.
"""
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.live import LiveServer, wait_until  # noqa: F401 (re-exported for the tests)

CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium tries Google's services, which this network refuses.
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic"]
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def pw():
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(pw):
    b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield b
    b.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    s = LiveServer(tmp_path_factory.mktemp("shared-server")).start()
    yield s
    s.stop()


@pytest.fixture
def own_server(tmp_path):
    s = LiveServer(tmp_path / "server")
    yield s
    s.stop()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="da-DK")
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    yield page
    assert errors == [], f"browser errors: {errors}"


def launch_persistent(pw, user_data_dir, **kw):
    return pw.chromium.launch_persistent_context(
        str(user_data_dir), executable_path=CHROMIUM, args=ARGS,
        viewport={"width": 360, "height": 740}, locale="da-DK", **kw)


def wait_for_offline_ready(page):
    """Wait until the service worker has precached the kit and controls the page."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    wait_until(page, "navigator.serviceWorker.controller !== null")
