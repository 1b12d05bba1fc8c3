"""Setup, login, the shift-long session, and team administration."""
import re
import pytest

from tests.helpers import PASSWORD, csrf_from, new_citizen


def test_fresh_install_offers_setup_and_keeps_the_field_kit_open(client):
    assert client.get("/bvc").status_code == 200
    resp = client.get("/citizens")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    assert client.get("/login").headers["Location"] == "/setup"
    assert client.get("/setup").status_code == 200


def test_setup_creates_the_first_team_and_admin_then_closes(actions):
    resp = actions.setup()
    # The next steps, not the long team page.
    assert resp.status_code == 302 and resp.headers["Location"] == "/team/start"
    db = actions.db()
    assert [r["name"] for r in db.execute("SELECT name FROM teams")] == ["Team Nord"]
    user = db.execute("SELECT username, is_admin, password_hash FROM users").fetchone()
    assert (user["username"], user["is_admin"]) == ("anna", 1)
    assert user["password_hash"].startswith("$argon2id$v=19$m=19456,t=2,p=1$") and PASSWORD not in user["password_hash"]
    assert actions.client.get("/setup").headers["Location"] == "/login"
    other = actions.app.test_client()
    assert other.get("/setup").status_code == 302


@pytest.mark.parametrize("field, value, message", [
    ("password", "kort", "mindst 12 tegn"),
    ("password_confirm", "noget andet helt", "ikke ens"),
    ("username", "anna åse", "ingen mellemrum"),
    ("username", "anna@team", "Kun bogstaver"),
    ("team_name", "", "teamets navn"),
])
def test_setup_refuses_bad_input_and_names_the_field(actions, field, value, message):
    data = {"team_name": "T", "name": "N", "username": "anna", "password": PASSWORD, "password_confirm": PASSWORD}
    data[field] = value
    if field == "password":
        data["password_confirm"] = value
    data["csrf_token"] = csrf_from(actions.client.get("/setup").get_data(as_text=True))
    resp = actions.client.post("/setup", data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert f'id="{field}-err"' in html and message in html
    assert actions.count("users") == 0


def test_setup_states_the_username_rule_before_submitting_and_takes_danish_letters(actions):
    html = actions.client.get("/setup").get_data(as_text=True)
    assert 'id="username-hint">Bogstaver (også æ, ø og å), tal, punktum, bindestreg og understreg' in html
    assert re.search(r'<input[^>]*aria-describedby="username-hint"[^>]*autocapitalize="none"'
                     r'|<input[^>]*autocapitalize="none"[^>]*aria-describedby="username-hint"', html)
    # "søren" with an "å" typed as "a" plus a combining ring is stored composed, and logs in either way.
    assert actions.setup(username="søren-a\u030a").status_code == 302
    assert actions.db().execute("SELECT username FROM users").fetchone()[0] == "søren-\u00e5"
    assert actions.login("søren-\u00e5", client=actions.app.test_client()).status_code == 302
    assert actions.login("søren-a\u030a", client=actions.app.test_client()).status_code == 302


def test_after_setup_the_administrator_lands_on_the_next_steps(actions):
    resp = actions.setup()
    html = actions.client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Teamet er oprettet, og du er logget ind." in html
    for href in ("/team#tilfoej", "/team#aftaler", "/team#steder", "/log"):
        assert f'href="{href}"' in html
    # Only for the team's administrator.
    actions.add_worker()
    bo = actions.app.test_client()
    actions.login("bo", client=bo)
    assert bo.get("/team/start").status_code == 403


def test_a_failed_new_worker_is_summed_up_at_the_form_with_focus(logged_in):
    resp = logged_in.add_worker(name="Søren", username="søren s")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    summary = html.split('id="tilfoej-fejl"')[1].split("</div>")[0]
    assert 'role="alert" tabindex="-1" autofocus' in summary
    assert '<a href="#username">Brugernavn: Kun bogstaver' in summary
    assert html.index('id="tilfoej"') < html.index('id="tilfoej-fejl"')
    assert html.count("autofocus") == 1
    resp = logged_in.add_worker(name="Søren", username="søren")
    assert resp.status_code == 302 and resp.headers["Location"] == "/team#tilfoej"
    html = logged_in.client.get("/team").get_data(as_text=True)
    assert html.index("Søren er tilføjet.") > html.index('id="tilfoej"')
    assert "autofocus" not in html


def test_setup_without_csrf_token_is_refused(client, actions):
    resp = client.post("/setup", data={"team_name": "T", "name": "N", "username": "x",
                                       "password": PASSWORD, "password_confirm": PASSWORD})
    assert resp.status_code == 400
    assert actions.count("users") == 0


def test_login_cookie_and_session_flags(logged_in):
    client = logged_in.app.test_client()
    resp = logged_in.login(client=client)
    assert resp.status_code == 302
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "Expires=" in cookie  # lasts the shift, not just the browser session
    assert logged_in.session(client)["user"]["username"] == "anna"


def test_secure_cookie_over_https(tmp_path, monkeypatch):
    from pwa import create_app
    monkeypatch.setenv("GADEKONTAKT_INSTANCE", str(tmp_path))
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE": str(tmp_path / "d.sqlite"), "HTTPS": True})
    resp = app.test_client().get("/setup", base_url="https://localhost")
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=") and "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie


@pytest.mark.parametrize("username, password", [("anna", "forkert adgangskode"), ("ingen", PASSWORD)])
def test_failed_login_does_not_reveal_whether_the_account_exists(logged_in, username, password):
    client = logged_in.app.test_client()
    resp = logged_in.login(username, password, client=client)
    assert resp.status_code == 401
    assert "Forkert brugernavn eller adgangskode." in resp.get_data(as_text=True)
    assert logged_in.session(client)["user"] is None


# Issue 12, item 1: the reviewer's tab, and every other way to smuggle a host past a "starts with /" check.
OFF_SITE = ["//evil.example/x", "/%09/evil.example", "/%0a/evil.example", "/%0d%0a/evil.example",
            "/%5C/evil.example", "/%5Cevil.example", "%5C%5Cevil.example", "https://evil.example/",
            "http:/evil.example", "javascript:alert(1)", "/%20/evil.example", "/%E3%80%80/evil.example",
            "/%00/evil.example", "///evil.example", "evil.example", "%09/evil.example", "/​/evil.example"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_redirects_only_within_the_app(logged_in, target):
    client = logged_in.app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post(f"/login?next={target}", data={"csrf_token": token, "username": "anna", "password": PASSWORD})
    assert resp.status_code == 302 and resp.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/citizens", "/citizens?q=K%C3%A5re", "/team#steder", "/admin/access-log?user=1"])
def test_login_returns_to_the_page_that_asked_for_it(logged_in, target):
    client = logged_in.app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post("/login", query_string={"next": target},
                       data={"csrf_token": token, "username": "anna", "password": PASSWORD})
    assert resp.status_code == 302 and resp.headers["Location"] == target


def test_logout_ends_the_session(logged_in):
    assert logged_in.logout().status_code == 302
    assert logged_in.session()["user"] is None
    assert logged_in.client.get("/api/citizens").status_code == 401


def test_admin_adds_a_worker_who_can_log_in(logged_in):
    assert logged_in.add_worker().status_code == 302
    client = logged_in.app.test_client()
    assert logged_in.login("bo", client=client).status_code == 302
    me = logged_in.session(client)
    assert me["user"]["name"] == "Bo" and me["user"]["is_admin"] is False
    assert sorted(w["name"] for w in me["workers"]) == ["Anna Admin", "Bo"]


def test_taken_username_is_refused_on_its_field(logged_in):
    resp = logged_in.add_worker(username="ANNA")
    assert resp.status_code == 400
    assert "Brugernavnet er optaget." in resp.get_data(as_text=True)
    assert logged_in.count("users") == 1


def test_a_worker_cannot_administer(logged_in):
    logged_in.add_worker()
    client = logged_in.app.test_client()
    logged_in.login("bo", client=client)
    token = csrf_from(client.get("/team").get_data(as_text=True))
    resp = client.post("/team/workers", data={"csrf_token": token, "name": "X", "username": "x", "password": PASSWORD})
    assert resp.status_code == 403
    assert logged_in.count("users") == 2


def _worker_id(actions, username):
    db = actions.db()
    return db.execute("SELECT id FROM users WHERE username = ?", [username]).fetchone()[0]


def test_password_reset_ends_the_workers_live_sessions(logged_in):
    logged_in.add_worker()
    bo = logged_in.app.test_client()
    logged_in.login("bo", client=bo)
    assert bo.get("/api/citizens").status_code == 200
    token = csrf_from(logged_in.client.get("/team").get_data(as_text=True))
    resp = logged_in.client.post(f"/team/workers/{_worker_id(logged_in, 'bo')}/password",
                                 data={"csrf_token": token, "r-password": "en helt ny adgangskode"})
    assert resp.status_code == 302
    assert bo.get("/api/citizens").status_code == 401
    assert logged_in.login("bo", "en helt ny adgangskode", client=bo).status_code == 302


def test_deactivation_ends_sessions_and_blocks_login(logged_in):
    logged_in.add_worker()
    bo = logged_in.app.test_client()
    logged_in.login("bo", client=bo)
    token = csrf_from(logged_in.client.get("/team").get_data(as_text=True))
    logged_in.client.post(f"/team/workers/{_worker_id(logged_in, 'bo')}/active",
                          data={"csrf_token": token, "active": "0"})
    assert bo.get("/api/citizens").status_code == 401
    assert logged_in.login("bo", client=bo).status_code == 401


def test_admin_cannot_touch_another_teams_worker(logged_in):
    _, ole_id = logged_in.other_team()
    token = csrf_from(logged_in.client.get("/team").get_data(as_text=True))
    resp = logged_in.client.post(f"/team/workers/{ole_id}/active", data={"csrf_token": token, "active": "0"})
    assert resp.status_code == 404
    resp = logged_in.client.post(f"/team/workers/{ole_id}/password",
                                 data={"csrf_token": token, "r-password": "en helt ny adgangskode"})
    assert resp.status_code == 404
    assert logged_in.login("ole", client=logged_in.app.test_client()).status_code == 302


def test_team_page_shows_only_own_team(logged_in):
    logged_in.other_team()
    html = logged_in.client.get("/team").get_data(as_text=True)
    assert "Anna Admin" in html and "Ole Syd" not in html


def test_places_are_managed_by_the_admin_and_offered_to_the_team(logged_in):
    token = csrf_from(logged_in.client.get("/team").get_data(as_text=True))
    assert logged_in.client.post("/team/places", data={"csrf_token": token, "pl-place": "Varmestuen"}).status_code == 302
    assert logged_in.session()["places"] == ["Varmestuen"]


def test_create_team_cli(runner, logged_in):
    result = runner.invoke(args=["create-team", "Team Vest", "vera", "--name", "Vera"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert logged_in.login("vera", client=logged_in.app.test_client()).status_code == 302


def test_session_lasts_a_configurable_shift(tmp_path, monkeypatch):
    from pwa import create_app
    monkeypatch.setenv("GADEKONTAKT_INSTANCE", str(tmp_path))
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE": str(tmp_path / "d.sqlite"), "SHIFT_HOURS": 8})
    assert app.permanent_session_lifetime.total_seconds() == 8 * 3600


def _cookie(client):
    return client.get_cookie("session").value


def test_logout_revokes_the_session_on_the_server(logged_in):
    stolen = _cookie(logged_in.client)  # e.g. copied off the phone before logout
    logged_in.logout()
    replay = logged_in.app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/api/citizens").status_code == 401


def test_a_late_answer_to_the_page_before_logout_does_not_void_the_login_form(logged_in):
    """The page before logout had its session check in flight; it is answered after the
    login page. The login form must still be accepted (it was once refused as expired)."""
    before = _cookie(logged_in.client)
    logged_in.logout()
    token = csrf_from(logged_in.client.get("/login").get_data(as_text=True))
    late = logged_in.app.test_client()
    late.set_cookie("session", before)
    late.get("/api/session")                       # the old cookie: its sid is revoked and dropped
    logged_in.client.set_cookie("session", _cookie(late))   # its Set-Cookie lands last
    resp = logged_in.client.post("/login", data={"csrf_token": token, "username": "anna", "password": PASSWORD})
    assert resp.status_code == 302
    assert logged_in.client.get("/api/session").get_json()["user"]["name"] == "Anna Admin"


def test_login_renews_the_session(logged_in):
    client = logged_in.app.test_client()
    client.get("/login")
    before = _cookie(client)
    logged_in.login(client=client)
    assert _cookie(client) != before
    db = logged_in.db()
    assert db.execute("SELECT count(*) FROM sessions WHERE revoked_at IS NULL").fetchone()[0] == 2


def test_login_records_the_phones_device_id(logged_in):
    client = logged_in.app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    device = "6f1c8a4e-2b7d-4c1e-9a8b-3d2f1e0c9b8a"
    client.post("/login", data={"csrf_token": token, "username": "anna", "password": PASSWORD, "device_id": device})
    row = logged_in.db().execute("SELECT team_id, last_user_id FROM devices WHERE id = ?", [device]).fetchone()
    assert dict(row) == {"team_id": 1, "last_user_id": 1}


def test_a_device_marked_lost_ends_its_sessions_at_once(logged_in):
    logged_in.add_worker()
    phone = logged_in.app.test_client()
    token = csrf_from(phone.get("/login").get_data(as_text=True))
    device = "0b8e2c3a-1d4f-4e5a-8b6c-7d8e9f0a1b2c"
    phone.post("/login", data={"csrf_token": token, "username": "bo", "password": PASSWORD, "device_id": device})
    assert phone.get("/api/citizens").status_code == 200
    token = csrf_from(logged_in.client.get("/team").get_data(as_text=True))
    assert logged_in.client.post(f"/team/devices/{device}/lost", data={"csrf_token": token}).status_code == 302
    assert phone.get("/api/citizens").status_code == 401
    # Logging in again from the lost phone gets a fresh device id, never the lost one.
    logged_in.login("bo", client=phone)
    assert phone.get("/api/citizens").status_code == 200
    assert logged_in.db().execute("SELECT count(*) FROM devices WHERE lost_at IS NULL AND last_user_id = 2").fetchone()[0] == 1


def test_another_teams_device_cannot_be_marked_lost(logged_in):
    logged_in.other_team()
    ole = logged_in.app.test_client()
    logged_in.login("ole", client=ole)
    device = logged_in.db().execute("SELECT id FROM devices WHERE team_id = 2").fetchone()[0]
    token = csrf_from(logged_in.client.get("/team").get_data(as_text=True))
    assert logged_in.client.post(f"/team/devices/{device}/lost", data={"csrf_token": token}).status_code == 404
    assert ole.get("/api/citizens").status_code == 200


def _fail_login(actions, username, client):
    return actions.login(username, "helt forkert adgangskode", client=client)


def test_the_wait_is_per_account_and_a_success_clears_it(logged_in):
    logged_in.add_worker()
    client = logged_in.app.test_client()
    for _ in range(4):
        _fail_login(logged_in, "anna", client)
    assert logged_in.login("anna", client=client).status_code == 302
    for _ in range(5):
        _fail_login(logged_in, "bo", client)
    assert logged_in.login("bo", client=client).status_code == 429
    assert logged_in.login("anna", client=logged_in.app.test_client()).status_code == 302


def test_a_legacy_scrypt_hash_is_upgraded_at_login(logged_in):
    from werkzeug.security import generate_password_hash
    db = logged_in.db()
    with db.conn:
        db.execute("UPDATE users SET password_hash = ? WHERE username = 'anna'", [generate_password_hash(PASSWORD)])
    assert logged_in.login(client=logged_in.app.test_client()).status_code == 302
    assert logged_in.db().execute("SELECT password_hash FROM users").fetchone()[0].startswith("$argon2id$")


def test_login_answer_already_carries_the_new_sessions_csrf_secret(logged_in):
    """So a page and its concurrent /api/session call never race to mint two."""
    client = logged_in.app.test_client()
    logged_in.login(client=client)
    with client.session_transaction() as sess:
        assert "csrf_token" in sess and "sid" in sess


def test_form_fields_render_only_real_attributes_and_passwords_stay_hidden(client, actions):
    # Found by axe on the pages behind the login: the field macro passed None
    # through, which WTForms writes out as "None" — type="None" showed every
    # password in clear text on /setup, /login and /team.
    pages = {"/setup": client.get("/setup").get_data(as_text=True)}
    assert actions.setup().status_code == 302
    pages["/team"] = client.get("/team").get_data(as_text=True)
    actions.logout()
    pages["/login"] = client.get("/login").get_data(as_text=True)
    for path, html in pages.items():
        assert '="None"' not in html, path
        passwords = re.findall(r'<input[^>]*name="password[^"]*"[^>]*>', html)
        assert passwords and all('type="password"' in i for i in passwords), path


@pytest.mark.parametrize("path", ["/api/session", "/bvc", "/static/css/app.css", "/citizens"])
def test_answers_after_login_leave_the_session_cookie_alone(logged_in, path):
    # A parallel answer that re-sent the cookie could overwrite a newer one
    # (after a login or a flash) with the one the request came with.
    resp = logged_in.client.get(path)
    assert resp.status_code == 200
    assert "Set-Cookie" not in resp.headers


# --- issue 12, item 11: a session nobody uses ends on the server

def _idle_for(actions, minutes):
    """As if the last request a person made on this session was `minutes` ago."""
    db = actions.db()
    with db.conn:
        db.execute("UPDATE sessions SET last_seen = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?)", [f"-{minutes} minutes"])
    return lambda: db.execute("SELECT last_seen FROM sessions WHERE revoked_at IS NULL").fetchone()[0]


@pytest.mark.parametrize("idle, logged_in_still", [(119, True), (121, False)])
def test_a_session_ends_after_two_hours_without_a_request(logged_in, idle, logged_in_still):
    _idle_for(logged_in, idle)
    assert (logged_in.session()["user"] is not None) is logged_in_still
    resp = logged_in.client.get("/citizens")
    assert resp.status_code == (200 if logged_in_still else 302)
    assert logged_in.client.get("/api/citizens").status_code == (200 if logged_in_still else 401)


def test_the_idle_time_is_configurable(app, logged_in):
    app.config["SESSION_IDLE_MINUTES"] = 5
    _idle_for(logged_in, 6)
    assert logged_in.session()["user"] is None
    assert logged_in.client.get("/team").status_code == 302


def test_what_the_phone_does_by_itself_does_not_keep_the_session_alive(logged_in):
    # An open tab on a phone left behind polls /api/session, refreshes its lists and checks for updates:
    # none of that is a person, so the session still ends two hours after the last thing a person did.
    last_seen = _idle_for(logged_in, 100)
    before = last_seen()
    for path in ("/api/session", "/api/citizens", "/api/team/rules", "/api/version", "/sw.js", "/bvc", "/log",
                 "/static/css/app.css"):
        assert logged_in.client.get(path).status_code == 200, path
    assert last_seen() == before
    # A page behind the login is a person.
    assert logged_in.client.get("/citizens").status_code == 200
    assert last_seen() > before
    # So is an upload of what the worker saved.
    before = _idle_for(logged_in, 100)()
    assert logged_in.sync([new_citizen()]).status_code == 200
    assert last_seen() > before
