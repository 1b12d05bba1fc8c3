"""Browser fixtures: Debian's Chromium driven by Playwright for Python.

One server serves the whole session where tests only read; tests that set up
a team, stop or redeploy the server get their own. Every browser, context and
phone profile a test opens is closed here, after the test, whether it passed
or failed. Chromium must be the system one — the Makefile installs it; a
missing browser fails the run rather than skipping. What the tests do with
them is in helpers.py.
"""
import pytest
from playwright.sync_api import sync_playwright

from tests.browser.helpers import ARGS, CHROMIUM, launch_persistent
from tests.live import LiveServer


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
    # Tests that read what the whole run left behind go last (a stable sort keeps the rest in order).
    items.sort(key=lambda item: item.get_closest_marker("after_browser_flows") is not None)


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
def new_context(browser):
    """Opens contexts in the shared browser (a fresh profile each, in memory)."""
    opened = []

    def new_context(**kw):
        kw = {"viewport": {"width": 360, "height": 740}, "locale": "da-DK", **kw}
        opened.append(browser.new_context(**kw))
        return opened[-1]
    yield new_context
    for ctx in opened:
        ctx.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    yield page
    assert errors == [], f"browser errors: {errors}"


@pytest.fixture
def launch(pw):
    """Opens phones: persistent profiles (helpers.launch_persistent), each
    its own browser. A test may close one itself to restart the browser."""
    opened = []

    def launch(profile, **kw):
        opened.append(launch_persistent(pw, profile, **kw))
        return opened[-1]
    yield launch
    for ctx in opened:
        ctx.close()
