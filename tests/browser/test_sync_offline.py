"""The contact log offline and its outbox: every record made on the phone reaches
the server exactly once, whatever happens on the way — a reload, a browser
restart, the server killed mid-upload, a lost acknowledgement, a double tap, a
stale CSRF token, an expired session. "Offline" is the browser's network off
*and* the server stopped. What arrived is read from the server's SQLite file."""
import json
import os
import re
import signal
import sqlite3
import time

from playwright.sync_api import expect

from tests.browser.conftest import launch_persistent, wait_for_offline_ready, wait_until

PASSWORD = "en lang nok adgangskode"
FORM_READY = ("document.getElementById('log-form')?.dataset.ready === 'true'"
              " && !document.getElementById('log-form').hidden"
              " && document.getElementById('worker1').options.length > 0")


def first_page(ctx):
    return ctx.pages[0] if ctx.pages else ctx.new_page()


def set_up_team(page, base):
    """The first team and its administrator, through the real /setup form."""
    page.goto(base + "/setup")
    page.get_by_label("Teamets navn").fill("Team Nord")
    page.get_by_label("Dit navn").fill("Anna Admin")
    page.get_by_label("Brugernavn").fill("anna")
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_confirm").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Opret team").click()
    assert not page.url.endswith("/setup"), "setup failed"


def log_in(page):
    page.get_by_label("Brugernavn").fill("anna")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log ind").click()


def open_log(page, base, query=""):
    page.goto(base + "/log" + query)
    wait_until(page, FORM_READY)


def outbox(page):
    return page.evaluate("self.gk.outbox.list()")


def wait_outbox_len(page, n):
    wait_until(page, f"self.gk.outbox.list().then(l => l.length === {n})")


def pick_citizen(page, alias):
    value = page.evaluate(
        """alias => [...document.querySelectorAll('#citizen-options option')]
                    .find(o => o.textContent.split(' – ')[0].replace(' (ikke sendt endnu)', '') === alias).value""",
        alias)
    page.select_option("#citizen", value)


def save_contact(page, citizen, new=False, items=(), stage=None, note=""):
    """Fill in and save one contact the way a worker does; returns after it is queued."""
    before = len(outbox(page))
    if new:
        page.get_by_label("Hvem talte I med?").select_option("ny")
        page.get_by_label("Alias eller initialer").fill(citizen)
        page.get_by_label("Kort beskrivelse").fill(f"Beskrivelse af {citizen}")
    elif citizen is None:
        page.get_by_label("Hvem talte I med?").select_option("ukendt")
    else:
        pick_citizen(page, citizen)
    if items:
        page.get_by_label("Vurderet", exact=True).check()
        for item in items:
            page.locator(f"#log-item-{item}").check()
    if stage:
        page.locator(f'input[name="stage"][value="{stage}"]').check()
    page.get_by_label("Kort note").fill(note)
    page.get_by_role("button", name="Gem kontakt").click()
    wait_outbox_len(page, before + (2 if new else 1))
    expect(page.locator("#log-done")).to_contain_text("Gemt på telefonen")


class Db:
    def __init__(self, server):
        self.path = server.instance_dir / "gadekontakt.sqlite"

    def rows(self, sql):
        conn = sqlite3.connect(self.path)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    def encounters(self):
        return self.rows("SELECT id, citizen_id, bvc_total, stage, note FROM encounters")

    def citizens(self):
        return self.rows("SELECT id, alias FROM citizens")


def poll(page, check, message, timeout=30.0):
    """Wait for a Python-side condition. Sleeping through Playwright (not
    time.sleep) lets it run route handlers meanwhile."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        page.wait_for_timeout(50)
    raise AssertionError(message)


def wait_for_rows(page, db, encounters, citizens):
    # Long enough for a few backoff rounds (2 s, 4 s, 8 s, with jitter).
    poll(page, lambda: len(db.encounters()) >= encounters and len(db.citizens()) >= citizens,
         f"timed out waiting for {encounters} encounters and {citizens} citizens", timeout=60)


ALIASES = ["K.K.", "Lone", "Store M"]
BVC = ["forvirring", "irritabilitet", "stoejende_adfaerd", "fysiske_trusler", "verbale_trusler", "angreb_paa_ting"]
STAGES = ["precontemplation", "contemplation", "action", "relapse", None]


def make_twenty_contacts(page):
    """20 encounters for 3 citizens who are themselves created on the phone."""
    for n in range(20):
        alias = ALIASES[n % 3]
        save_contact(page, alias, new=n < 3, items=BVC[:n % 4], stage=STAGES[n % 5], note=f"Kontakt nr. {n}")
    entries = outbox(page)
    assert [e["kind"] for e in entries].count("encounter") == 20
    assert [e["kind"] for e in entries].count("citizen") == 3
    return entries


def assert_arrived_exactly_once(db, entries):
    phone_encounters = {e["id"]: e["record"] for e in entries if e["kind"] == "encounter"}
    phone_citizens = {e["id"]: e["record"]["alias"] for e in entries if e["kind"] == "citizen"}
    encounters = db.encounters()
    assert len(encounters) == 20 and {r[0] for r in encounters} == set(phone_encounters)
    assert dict(db.citizens()) == phone_citizens
    for enc_id, citizen_id, total, stage, note in encounters:
        sent = phone_encounters[enc_id]
        assert (citizen_id, stage, note) == (sent["citizen_id"], sent["stage"], sent["note"])
        assert total == (sum(sent["bvc"].values()) if sent["bvc"] else None)
    # Each citizen carries its own contacts: n % 3 picks the citizen.
    per_alias = {}
    for enc_id, citizen_id, *_ in encounters:
        per_alias.setdefault(phone_citizens[citizen_id], set()).add(int(phone_encounters[enc_id]["note"].split()[-1]))
    assert per_alias == {a: {n for n in range(20) if n % 3 == i} for i, a in enumerate(ALIASES)}


def logged_in_profile(pw, server, profile):
    ctx = launch_persistent(pw, profile)
    page = first_page(ctx)
    set_up_team(page, server.url)
    open_log(page, server.url)
    wait_for_offline_ready(page)
    return ctx, page


def go_offline(ctx, server):
    server.stop()
    ctx.set_offline(True)


def test_twenty_contacts_made_offline_arrive_exactly_once_after_reload_and_restart(pw, own_server, tmp_path):
    own_server.start()
    base, db, profile = own_server.url, Db(own_server), tmp_path / "profile"
    ctx, page = logged_in_profile(pw, own_server, profile)

    go_offline(ctx, own_server)
    open_log(page, base)
    entries = make_twenty_contacts(page)
    expect(page.locator("#sync-status")).to_have_text("20 venter")
    page.reload()
    wait_until(page, FORM_READY)
    expect(page.locator("#sync-status")).to_have_text("20 venter")
    ctx.close()

    ctx = launch_persistent(pw, profile, offline=True)
    page = first_page(ctx)
    open_log(page, base)
    expect(page.locator("#sync-status")).to_have_text("20 venter")
    expect(page.locator("#outbox-summary")).to_have_text("20 kontakter og 3 nye borgere venter på at blive sendt.")
    expect(page.locator("#outbox-list li")).to_have_count(23)
    assert outbox(page) == entries
    assert db.encounters() == [] and db.citizens() == []

    own_server.start()
    ctx.set_offline(False)
    wait_for_rows(page, db, 20, 3)
    expect(page.locator("#sync-status")).to_have_text(re.compile(r"^Alt er sendt \d\d:\d\d$"))
    wait_outbox_len(page, 0)
    assert_arrived_exactly_once(db, entries)
    expect(page.locator("#outbox-summary")).to_contain_text("Intet venter på at blive sendt.")
    ctx.close()


def test_server_killed_mid_upload_then_restarted_stores_everything_once(pw, own_server, tmp_path):
    own_server.start()
    base, db = own_server.url, Db(own_server)
    ctx, page = logged_in_profile(pw, own_server, tmp_path / "profile")
    go_offline(ctx, own_server)
    open_log(page, base)
    entries = make_twenty_contacts(page)

    uploads = []

    def kill_during_upload(route):
        uploads.append(json.loads(route.request.post_data)["records"])
        if len(uploads) == 1:
            # Freeze the server so it cannot answer, send the upload into
            # its socket, then kill it: the phone's request dies in flight.
            os.kill(own_server.proc.pid, signal.SIGSTOP)
            route.continue_()
            own_server.kill()
        else:
            route.continue_()

    ctx.route("**/api/sync", kill_during_upload)
    own_server.start()
    ctx.set_offline(False)
    poll(page, lambda: uploads, "the phone never started an upload")
    assert len(uploads[0]) == 23
    assert len(outbox(page)) == 23, "a record left the outbox without the server's confirmation"

    own_server.start()
    wait_for_rows(page, db, 20, 3)
    wait_outbox_len(page, 0)
    assert_arrived_exactly_once(db, entries)
    assert len(uploads) >= 2
    ctx.close()
