"""Fixtures in the style of Flask's tutorial: an app on a temporary SQLite
file, its test client and CLI runner, and small actions for logging in
(tests/helpers.py). Browser fixtures live in tests/browser/conftest.py."""
import pytest

from pwa import create_app
from tests.helpers import Actions, PushService


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("GADEKONTAKT_INSTANCE", str(tmp_path))
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE": str(tmp_path / "test.sqlite")})
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def actions(app, client):
    return Actions(app, client)


@pytest.fixture
def logged_in(actions):
    """Team Nord set up, Anna (admin) logged in; returns the actions."""
    assert actions.setup().status_code == 302
    return actions


@pytest.fixture
def push_service():
    """A local push service (tests.helpers.PushService) that keeps what it is sent."""
    service = PushService()
    yield service
    service.close()
