"""Running it for a municipality: the proxy setting, /healthz and the JSON logs."""
import json
import shutil
from pathlib import Path

import pytest

from pwa import create_app
from pwa.db import connect, get_db
from tests.helpers import PASSWORD, Actions, csrf_from, new_citizen, new_encounter


def make_app(tmp_path, monkeypatch, **config):
    monkeypatch.setenv("GADEKONTAKT_INSTANCE", str(tmp_path))
    return create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE": str(tmp_path / "test.sqlite"), **config})


def failed_login_from(app, **headers):
    """A wrong password with the given headers; returns the addresses the throttle counted."""
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"csrf_token": token, "username": "anna", "password": "forkert forkert"},
                headers=headers)
    db = connect(app.config["DATABASE"])
    return [r[0] for r in db.execute("SELECT key FROM login_failures WHERE key LIKE 'addr:%'")]


@pytest.mark.parametrize("proxies, forwarded_for, counted", [
    # Reached directly: a client cannot make the throttle count someone else's address.
    (0, "203.0.113.9", "addr:127.0.0.1"),
    # Behind one proxy: the address the proxy saw, not what the client wrote before it.
    (1, "203.0.113.9", "addr:203.0.113.9"),
    (1, "6.6.6.6, 203.0.113.9", "addr:203.0.113.9"),
    (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "addr:203.0.113.9"),
])
def test_forwarded_address_is_trusted_only_from_the_configured_proxies(tmp_path, monkeypatch, proxies,
                                                                       forwarded_for, counted):
    app = make_app(tmp_path, monkeypatch, TRUSTED_PROXIES=proxies)
    Actions(app, app.test_client()).setup()
    assert failed_login_from(app, **{"X-Forwarded-For": forwarded_for}) == [counted]


@pytest.mark.parametrize("proxies, secure", [(0, False), (1, True)])
def test_forwarded_https_is_believed_only_behind_a_configured_proxy(tmp_path, monkeypatch, proxies, secure):
    # Flask-WTF checks the Referer only on HTTPS: a form posted without one is
    # refused exactly when the app believes the request came over HTTPS.
    app = make_app(tmp_path, monkeypatch, TRUSTED_PROXIES=proxies, HTTPS=True)
    client = app.test_client()
    headers = {"X-Forwarded-Proto": "https"}
    token = csrf_from(client.get("/setup", headers=headers).get_data(as_text=True))
    data = {"csrf_token": token, "team_name": "T", "name": "N", "username": "anna", "password": PASSWORD,
            "password_confirm": PASSWORD}
    resp = client.post("/setup", data=data, headers=headers)
    assert (resp.status_code == 400) is secure
    if secure:
        resp = client.post("/setup", data=data, headers=dict(headers, Referer="https://localhost/setup"))
        assert resp.status_code == 302


def test_a_negative_proxy_count_is_refused_at_start(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        make_app(tmp_path, monkeypatch, TRUSTED_PROXIES=-1)


# --- /healthz -----------------------------------------------------------------

def healthy(app):
    assert app.test_cli_runner().invoke(args=["notify-overdue"]).exit_code == 0
    return app.test_client().get("/healthz")


def test_healthz_is_200_without_login_and_shows_no_data(logged_in):
    logged_in.sync([new_citizen(alias="Kasper K.")])
    resp = healthy(logged_in.app)
    assert resp.status_code == 200
    assert resp.json == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "sealing_keys": "ok",
                                                    "push_key": "ok", "notify_overdue": "ok"}}
    assert "no-store" in resp.headers["Cache-Control"]
    assert "Kasper" not in resp.get_data(as_text=True)


def _pending_migration(app):
    db = connect(app.config["DATABASE"])
    with db.conn:
        db.execute("DELETE FROM _sqlite_migrations WHERE name = '0007_drop_users_session_version'")


def _no_keys(app):
    shutil.rmtree(Path(app.instance_path) / "keys")


def _no_push_key(app):
    (Path(app.instance_path) / "keys" / "vapid.pem").unlink()


def _stale_cron(app):
    db = connect(app.config["DATABASE"])
    with db.conn:
        db.execute("UPDATE app_meta SET value = '2020-01-01T00:00:00Z' WHERE key = 'notify_overdue_ran_at'")


def _read_only(app):
    with app.app_context():
        get_db().execute("PRAGMA query_only = 1")  # this thread's connection, as /healthz will use it


@pytest.mark.parametrize("break_it, check, message", [
    (_pending_migration, "migrations", "pending: 0007_drop_users_session_version"),
    (_no_keys, "sealing_keys", "failed: FileNotFoundError"),
    (_no_push_key, "push_key", "failed: FileNotFoundError"),
    (_stale_cron, "notify_overdue", "minutes ago"),
    (_read_only, "database", "failed: OperationalError"),
])
def test_healthz_answers_503_naming_the_failed_check(app, break_it, check, message):
    assert healthy(app).status_code == 200
    break_it(app)
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503 and resp.json["status"] == "failed"
    assert message in resp.json["checks"][check]
    # The Web Push key lives in keys/ too, so a missing folder fails both.
    also = ["push_key"] if check == "sealing_keys" else []
    assert sorted(k for k, v in resp.json["checks"].items() if v != "ok") == sorted([check, *also])
    assert str(app.instance_path) not in resp.get_data(as_text=True)


def test_healthz_before_cron_ever_ran_says_so(app):
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503 and resp.json["checks"]["notify_overdue"] == "failed: has never run"


def test_the_cron_check_can_be_turned_off(tmp_path, monkeypatch):
    app = make_app(tmp_path, monkeypatch, HEALTH_NOTIFY_OVERDUE_MINUTES=0)
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 200 and resp.json["checks"]["notify_overdue"] == "not checked"


# --- logs -----------------------------------------------------------------------

def log_lines(capsys):
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]


def test_each_request_is_one_json_line_with_who_what_and_how_long(logged_in, capsys):
    capsys.readouterr()
    user = logged_in.session()["user"]
    resp = logged_in.client.get("/citizens")
    line = log_lines(capsys)[-1]
    assert line["msg"] == "request" and line["level"] == "info"
    assert {k: line[k] for k in ("user_id", "team_id", "method", "route", "status")} == {
        "user_id": user["id"], "team_id": 1, "method": "GET", "route": "/citizens", "status": 200}
    assert line["request_id"] == resp.headers["X-Request-Id"] and len(line["request_id"]) == 32
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0


@pytest.mark.parametrize("proxies, honoured", [(0, False), (1, True)])
def test_the_proxys_request_id_is_used_only_when_the_proxy_is_trusted(tmp_path, monkeypatch, capsys, proxies,
                                                                     honoured):
    app = make_app(tmp_path, monkeypatch, TRUSTED_PROXIES=proxies)
    capsys.readouterr()
    resp = app.test_client().get("/bvc", headers={"X-Request-Id": "caddy-0123456789"})
    assert (resp.headers["X-Request-Id"] == "caddy-0123456789") is honoured
    assert log_lines(capsys)[-1]["request_id"] == resp.headers["X-Request-Id"]
    bad = app.test_client().get("/bvc", headers={"X-Request-Id": "x" * 65})
    assert bad.headers["X-Request-Id"] != "x" * 65


def test_no_alias_note_description_or_place_reaches_the_log(logged_in, capsys):
    texts = {"alias": "Smaragdjakken", "description": "Lilla halstørklæde", "places": "Vandtårnsparken",
             "place": "Bag kiosken ved Sydhavn", "note": "Fortalte om søsteren i Aalborg",
             "followup_step": "Ringe til forsorgshjemmet"}
    citizen = new_citizen(alias=texts["alias"], description=texts["description"], places=texts["places"])
    worker = logged_in.session()["user"]["id"]
    enc = new_encounter([worker], citizen["id"], place=texts["place"], note=texts["note"],
                        followup_step=texts["followup_step"])
    assert [r["status"] for r in logged_in.sync([citizen, enc]).json["results"]] == ["stored", "stored"]
    c = logged_in.client
    for url in ("/citizens", "/citizens?q=Smaragd", f"/citizens/{citizen['id']}", "/api/citizens?q=Smaragd",
                f"/api/citizens/{citizen['id']}", f"/citizens/{citizen['id']}/export",
                f"/admin/access-log?citizen={citizen['id']}", "/admin/access-log.csv"):
        assert c.get(url).status_code == 200, url
    # A refused record too: its error names the field, never repeats the value.
    logged_in.sync([new_citizen(alias="Smaragdjakken 010190-1234")])
    lines = log_lines(capsys)
    assert len(lines) > 10
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    for field, value in texts.items():
        assert value not in text, field
    assert "Smaragd" not in text and "010190" not in text
