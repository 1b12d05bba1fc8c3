"""Login throttling (issue 12, item 4): a guesser is slowed per (account, client) first, an address only far
later and never for a worker's own phone, an account locked hard only after 50 failures and unlocked on /team;
and the same answers whether or not the account exists.

Time is moved by backdating rows in login_failures, as if the wait had passed."""
import logging
import re
import sqlite3

import pytest

from pwa import throttle
from tests.helpers import PASSWORD, csrf_from

WRONG = "helt forkert adgangskode"
PHONE = "5d7f1c2e-8a9b-4c3d-9e0f-1a2b3c4d5e6f"
STRANGER, WORKPLACE, PROXY = "198.51.100.7", "203.0.113.5", "192.0.2.1"


def test_the_numbers_are_the_documented_ones():
    # docs/security.md, "Guessing passwords", states these; a change must change both.
    assert throttle.DEFAULTS == {
        "LOGIN_FREE_FAILURES": 5, "LOGIN_FIRST_DELAY_SECONDS": 30, "LOGIN_MAX_DELAY_MINUTES": 15,
        "LOGIN_ADDRESS_FAILURES": 100, "LOGIN_ADDRESS_WINDOW_MINUTES": 15, "LOGIN_ACCOUNT_LOCK_FAILURES": 50,
        "LOGIN_KNOWN_DEVICE_DAYS": 30}


def client_at(actions, address):
    client = actions.app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(client, username="anna", password=WRONG, device=""):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"csrf_token": token, "username": username, "password": password,
                                       "device_id": device})


def answer(resp):
    """What the person (or a script) learns from an answer."""
    html = resp.get_data(as_text=True)
    box = html.split('role="alert">')[1].split("</p>")[0] if 'role="alert">' in html else None
    return resp.status_code, box, resp.headers.get("Retry-After")


def pass_time(actions, seconds):
    conn = sqlite3.connect(actions.app.config["DATABASE"])
    with conn:
        conn.execute("UPDATE login_failures SET at = strftime('%Y-%m-%dT%H:%M:%SZ', at, ?)", [f"-{seconds} seconds"])
    conn.close()


@pytest.fixture
def known_phone(logged_in):
    """Anna's own phone: it has held a session of hers, so it is a known device of her account."""
    phone = client_at(logged_in, WORKPLACE)
    assert attempt(phone, password=PASSWORD, device=PHONE).status_code == 302
    return phone


@pytest.mark.parametrize("username", ["anna", "findes-ikke"])
def test_a_pair_waits_longer_after_each_failure_the_same_for_any_name(logged_in, username):
    stranger = client_at(logged_in, STRANGER)
    for _ in range(5):
        assert attempt(stranger, username).status_code == 401
    seen = []
    for delay in (30, 60, 120, 240, 480, 900, 900):
        status, message, retry = answer(attempt(stranger, username, PASSWORD))  # even the right password waits
        assert status == 429 and delay - 2 <= int(retry) <= delay, (delay, retry)
        seen.append(message)
        pass_time(logged_in, delay)
        assert attempt(stranger, username).status_code == 401
    assert all(re.fullmatch(r"For mange forkerte forsøg\. Prøv igen om \d+ (sekunder|minut|minutter)\.", m) for m in seen)
    assert seen[-1] == "For mange forkerte forsøg. Prøv igen om 15 minutter."
    # A day later the pair starts again with five free tries.
    pass_time(logged_in, 24 * 3600)
    assert attempt(stranger, username).status_code == 401


def test_delays_answer_alike_whether_or_not_the_account_exists(logged_in):
    answers = {}
    for username, address in (("anna", STRANGER), ("findes-ikke", "198.51.100.8")):
        client = client_at(logged_in, address)
        answers[username] = [answer(attempt(client, username))[:2] for _ in range(7)]
    assert answers["anna"] == answers["findes-ikke"]
    assert [s for s, _ in answers["anna"]] == [401] * 5 + [429] * 2


def test_a_stranger_elsewhere_never_keeps_the_worker_out(logged_in, known_phone):
    stranger = client_at(logged_in, STRANGER)
    for _ in range(20):
        assert attempt(stranger).status_code in (401, 429)
    assert attempt(stranger, password=PASSWORD).status_code == 429       # the guesser waits
    assert attempt(client_at(logged_in, WORKPLACE), password=PASSWORD).status_code == 302  # the worker does not
    assert attempt(known_phone, password=PASSWORD, device=PHONE).status_code == 302


def test_a_stranger_behind_the_same_address_does_not_keep_the_workers_phone_out(logged_in, known_phone):
    # Without TRUSTED_PROXIES every client has the proxy's address: the pair is then shared, but a known
    # phone is its own client.
    stranger = client_at(logged_in, WORKPLACE)
    for _ in range(8):
        attempt(stranger)
    assert attempt(stranger, password=PASSWORD).status_code == 429
    assert attempt(known_phone, password=PASSWORD, device=PHONE).status_code == 302


def test_a_device_reported_lost_is_no_longer_known(logged_in, known_phone):
    token = csrf_from(logged_in.client.get("/team").get_data(as_text=True))
    assert logged_in.client.post(f"/team/devices/{PHONE}/lost", data={"csrf_token": token}).status_code == 302
    thief = client_at(logged_in, WORKPLACE)
    for _ in range(5):
        attempt(thief, device=PHONE)
    assert attempt(thief, password=PASSWORD, device=PHONE).status_code == 429


def test_many_failures_from_one_address_hold_new_devices_there_but_not_known_phones(app, logged_in, known_phone):
    app.config["LOGIN_ADDRESS_FAILURES"] = 10  # the default, 100, only takes longer to reach
    logged_in.add_worker()
    sprayer = client_at(logged_in, PROXY)
    for i in range(10):
        assert attempt(sprayer, f"navn{i}").status_code == 401
    status, message, retry = answer(attempt(client_at(logged_in, PROXY), "bo", PASSWORD))
    assert status == 429 and "Prøv igen om 15 minutter" in message and 14 * 60 < int(retry) <= 15 * 60
    known_phone.environ_base["REMOTE_ADDR"] = PROXY
    assert attempt(known_phone, password=PASSWORD, device=PHONE).status_code == 302
    assert attempt(client_at(logged_in, WORKPLACE), "bo", PASSWORD).status_code == 302
    pass_time(logged_in, 15 * 60)
    assert attempt(client_at(logged_in, PROXY), "bo", PASSWORD).status_code == 302


def fail_from_many_addresses(actions, username, count):
    for i in range(count):  # five per address: no pair is ever slowed, only the account counts up
        assert attempt(client_at(actions, f"198.51.100.{10 + i // 5}"), username).status_code == 401


@pytest.fixture
def lock_after_ten(app):
    # Each failure costs an argon2 check; the tests below need the lock, not fifty of them.
    # test_the_account_is_locked_hard_only_after_fifty_failures keeps the default.
    app.config["LOGIN_ACCOUNT_LOCK_FAILURES"] = 10
    return 10


def earlier_failures(actions, username, count):
    """`count` failures of the account name from as many addresses a minute ago, as the login would count them."""
    conn = sqlite3.connect(actions.app.config["DATABASE"])
    with conn:
        conn.executemany("INSERT INTO login_failures (key, at) VALUES (?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now', "
                         "'-1 minute'))", [(key,) for i in range(count) for key in (
                             f"user:{username}", f"pair:{username}|addr:198.51.100.{i}", f"addr:198.51.100.{i}")])
    conn.close()


@pytest.mark.parametrize("username", ["anna", "findes-ikke"])
def test_the_account_is_locked_hard_only_after_fifty_failures(logged_in, username):
    earlier_failures(logged_in, username, 48)
    fail_from_many_addresses(logged_in, username, 1)
    if username == "anna":
        assert attempt(client_at(logged_in, WORKPLACE), password=PASSWORD).status_code == 302
    assert attempt(client_at(logged_in, "203.0.113.98"), username).status_code == 401  # the 50th, answered as usual
    status, message, retry = answer(attempt(client_at(logged_in, "203.0.113.99"), username, PASSWORD))
    assert (status, message, retry) == (429, throttle.LOCKED, None)


def test_a_hard_lock_spares_the_workers_own_phone_and_ends_when_the_admin_unlocks(logged_in, lock_after_ten, caplog):
    logged_in.add_worker()
    fail_from_many_addresses(logged_in, "bo", lock_after_ten)
    bo_phone = client_at(logged_in, WORKPLACE)
    assert attempt(bo_phone, "bo", PASSWORD).status_code == 429
    # Anna's account is not locked, and the admin sees Bo's lock on /team.
    page = logged_in.client.get("/team").get_data(as_text=True)
    assert "Låst efter mange forkerte login-forsøg" in page and "Lås op" in page
    bo = logged_in.db().execute("SELECT id FROM users WHERE username = 'bo'").fetchone()[0]
    token = csrf_from(page)
    with caplog.at_level(logging.WARNING):
        resp = logged_in.client.post(f"/team/workers/{bo}/unlock", data={"csrf_token": token})
    assert resp.status_code == 302
    assert "kan logge ind igen" in logged_in.client.get("/team").get_data(as_text=True)
    assert f"login lock of user {bo} lifted by administrator 1" in caplog.text
    row = logged_in.db().execute("SELECT username, unlocked_by, unlocked_at IS NOT NULL FROM login_locks").fetchone()
    assert tuple(row) == ("bo", 1, 1)
    assert attempt(bo_phone, "bo", PASSWORD).status_code == 302
    # The count started again: one more failure does not lock at once.
    assert attempt(client_at(logged_in, STRANGER), "bo").status_code == 401
    assert attempt(client_at(logged_in, "203.0.113.77"), "bo", PASSWORD).status_code == 302


def test_a_hard_lock_does_not_stop_the_phone_the_worker_already_uses(logged_in, known_phone, lock_after_ten):
    fail_from_many_addresses(logged_in, "anna", lock_after_ten)
    assert attempt(client_at(logged_in, WORKPLACE), password=PASSWORD).status_code == 429
    assert attempt(known_phone, password=PASSWORD, device=PHONE).status_code == 302


def test_only_the_teams_own_admin_can_unlock(logged_in, lock_after_ten):
    logged_in.add_worker()
    fail_from_many_addresses(logged_in, "bo", lock_after_ten)
    bo = logged_in.db().execute("SELECT id FROM users WHERE username = 'bo'").fetchone()[0]
    logged_in.other_team()
    ole = logged_in.app.test_client()
    assert logged_in.login("ole", client=ole).status_code == 302
    token = csrf_from(ole.get("/team").get_data(as_text=True))
    assert ole.post(f"/team/workers/{bo}/unlock", data={"csrf_token": token}).status_code == 404
    assert ole.post(f"/team/workers/{bo}/unlock", data={}).status_code == 400  # no CSRF token
    assert logged_in.db().execute("SELECT count(*) FROM login_locks WHERE unlocked_at IS NULL").fetchone()[0] == 1
