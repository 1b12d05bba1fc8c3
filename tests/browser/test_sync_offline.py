"""The contact log offline and its outbox: every record made on the phone reaches
the server exactly once, whatever happens on the way — a reload, a browser
restart, the server killed mid-upload, a lost acknowledgement, a double tap, a
stale CSRF token, an expired session. "Offline" is the browser's network off
*and* the server stopped. What arrived is read from the server's SQLite file."""
import json
import os
import re
import signal

from playwright.sync_api import expect

from tests.browser.helpers import (FORM_READY, PASSWORD, STORAGE_DUMP, Db, first_page, go_offline, log_in, logged_in_profile,
                                   open_fold, open_log, outbox, poll, save_contact, score_in_form, spoil,
                                   wait_for_rows, wait_outbox_len, wait_until)



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
    # The phone's records are sealed, so the check is against what the worker
    # typed (make_twenty_contacts) and the ids the phone gave them.
    phone_encounters = {e["id"] for e in entries if e["kind"] == "encounter"}
    phone_citizens = {e["id"] for e in entries if e["kind"] == "citizen"}
    encounters = db.encounters()
    assert len(encounters) == 20 and {r[0] for r in encounters} == phone_encounters
    citizens = dict(db.citizens())
    assert set(citizens) == phone_citizens and sorted(citizens.values()) == sorted(ALIASES)
    for enc_id, citizen_id, total, stage, note in encounters:
        n = int(note.split()[-1])
        assert citizens[citizen_id] == ALIASES[n % 3]
        assert (stage, total) == (STAGES[n % 5], (n % 4) or None)  # no items ticked: not scored
    assert sorted(int(r[4].split()[-1]) for r in encounters) == list(range(20))


def test_twenty_contacts_made_offline_arrive_exactly_once_after_reload_and_restart(launch, own_server, tmp_path):
    own_server.start()
    base, db, profile = own_server.url, Db(own_server), tmp_path / "profile"
    ctx, page = logged_in_profile(launch, own_server, profile)

    go_offline(ctx, own_server)
    open_log(page, base)
    entries = make_twenty_contacts(page)
    expect(page.locator("#sync-status")).to_have_text("20 venter")
    # A stolen phone reveals nothing: no alias and no note in storage (issue 8).
    stored = page.evaluate(STORAGE_DUMP)
    assert "Kontakt nr." not in stored and not any(alias in stored for alias in ALIASES)
    page.reload()
    wait_until(page, FORM_READY)
    expect(page.locator("#sync-status")).to_have_text("20 venter")
    ctx.close()  # the browser quits; its profile stays on disk

    ctx = launch(profile, offline=True)
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


def test_server_killed_mid_upload_then_restarted_stores_everything_once(launch, own_server, tmp_path):
    own_server.start()
    base, db = own_server.url, Db(own_server)
    ctx, page = logged_in_profile(launch, own_server, tmp_path / "profile")
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


def test_a_lost_acknowledgement_is_retried_and_stored_once(launch, own_server, tmp_path):
    own_server.start()
    db = Db(own_server)
    ctx, page = logged_in_profile(launch, own_server, tmp_path / "profile")
    answers = []

    def lose_the_first_answer(route):
        response = route.fetch()  # the server gets the upload and stores it ...
        answers.append([r["status"] for r in response.json()["results"]])
        if len(answers) == 1:
            route.abort("connectionreset")  # ... but the phone never hears back
        else:
            route.fulfill(response=response)

    ctx.route("**/api/sync", lose_the_first_answer)
    save_contact(page, "K.K.", new=True, items=["forvirring"], note="Svaret gik tabt")
    wait_outbox_len(page, 0)
    expect(page.locator("#log-done")).to_contain_text("Gemt og sendt")
    assert answers[0] == ["stored", "stored"]
    assert answers[-1] == ["duplicate", "duplicate"]  # the retry carried the same UUIDs
    assert len(db.encounters()) == 1 and len(db.citizens()) == 1


def test_a_double_tapped_save_makes_one_record(launch, own_server, tmp_path):
    own_server.start()
    db = Db(own_server)
    ctx, page = logged_in_profile(launch, own_server, tmp_path / "profile")
    ctx.set_offline(True)  # nothing leaves the phone while we count
    page.get_by_label("Borger", exact=True).select_option("ny")
    page.get_by_label("Alias", exact=True).fill("Dobbelt")
    page.get_by_role("button", name="Gem kontakt").dblclick()
    expect(page.locator("#log-done")).to_contain_text("Gemt på telefonen")
    expect(page.get_by_role("button", name="Gem kontakt")).to_be_enabled()
    assert [e["kind"] for e in outbox(page)] == ["citizen", "encounter"]

    # Two submits in the same task, faster than any finger.
    page.get_by_label("Borger", exact=True).select_option("ukendt")
    page.evaluate("(() => { const f = document.getElementById('log-form'); f.requestSubmit(); f.requestSubmit(); })()")
    expect(page.get_by_label("Borger", exact=True)).to_have_value("")  # saved once and reset
    assert [e["kind"] for e in outbox(page)] == ["citizen", "encounter", "encounter"]

    ctx.set_offline(False)
    wait_for_rows(page, db, 2, 1)
    wait_outbox_len(page, 0)
    assert len(db.encounters()) == 2 and len(db.citizens()) == 1


def test_an_expired_session_keeps_records_until_the_next_login(launch, own_server, tmp_path):
    own_server.start()
    base, db = own_server.url, Db(own_server)
    ctx, page = logged_in_profile(launch, own_server, tmp_path / "profile")
    save_contact(page, "Før", new=True)
    wait_for_rows(page, db, 1, 1)
    wait_until(page, "self.gk.vault.readList().then(l => l !== null && l.length === 1)")

    # Logged out in another tab: the session ends on the server.
    token = ctx.request.get(base + "/api/session").json()["csrf_token"]
    ctx.request.post(base + "/logout", form={"csrf_token": token})
    assert ctx.request.get(base + "/api/session").json()["user"] is None

    save_contact(page, "Efter", new=True, note="Gemt efter logud")
    status = page.locator("#sync-status")
    expect(status).to_have_text("Log ind for at sende 1 ventende")
    assert len(outbox(page)) == 2 and len(db.encounters()) == 1
    # Logged out means the team's citizen list leaves the phone.
    assert page.evaluate("self.gk.idb.get('kv', 'vault_list')") is None
    page.reload()
    expect(status).to_have_text("Log ind for at sende 1 ventende")

    with page.expect_navigation():
        status.click()
    assert "/login" in page.url
    log_in(page)
    assert page.url.endswith("/log#outbox")
    wait_for_rows(page, db, 2, 2)
    wait_outbox_len(page, 0)
    expect(status).to_have_text(re.compile(r"^Alt er sendt"))
    assert sorted(a for _, a in db.citizens()) == ["Efter", "Før"]


def test_a_rejected_csrf_token_is_refreshed_and_the_upload_retried_at_once(launch, own_server, tmp_path):
    own_server.start()
    db = Db(own_server)
    ctx, page = logged_in_profile(launch, own_server, tmp_path / "profile")
    posts, error_before_retry = [], []

    def stale_token_first(route):
        posts.append(route.request.headers["x-csrftoken"])
        if len(posts) == 1:
            route.continue_(headers=dict(route.request.headers, **{"x-csrftoken": "stale-token"}))
        else:
            # Had the phone waited for its backoff, it would have noted a failure first.
            error_before_retry.append(page.evaluate("self.gk.idb.get('kv', 'last_error')"))
            route.continue_()

    ctx.route("**/api/sync", stale_token_first)
    save_contact(page, None, items=["irritabilitet"])
    wait_for_rows(page, db, 1, 0)
    wait_outbox_len(page, 0)
    assert len(posts) == 2 and error_before_retry == [None]


def test_a_refused_record_stays_flagged_until_discarded(launch, own_server, tmp_path):
    own_server.start()
    db = Db(own_server)
    ctx, page = logged_in_profile(launch, own_server, tmp_path / "profile")
    posts = []

    def damage_the_encounter(route):
        # Records are sealed, so the only thing on the wire to spoil is the
        # ciphertext: the server must refuse that record and keep the other.
        body = json.loads(route.request.post_data)
        posts.append(body)
        spoil(body["records"][-1])  # the encounter comes after its new citizen
        route.continue_(post_data=json.dumps(body))

    ctx.route("**/api/sync", damage_the_encounter)
    save_contact(page, "Afvist", new=True, note="En helt almindelig note")
    item = page.locator("#outbox-list li.is-refused")
    expect(item).to_contain_text("Kontakt")
    expect(item).to_contain_text("kan ikke åbnes med serverens nøgle")
    expect(page.locator("#sync-status")).to_contain_text("1 afvist")
    expect(page.locator("#log-done")).to_contain_text("Serveren afviste kontakten")
    expect(page.locator("#log-done")).to_have_class(re.compile("note-warn"))
    expect(page.locator("#sync-status")).not_to_contain_text("Alt er sendt")
    assert len(db.citizens()) == 1 and db.encounters() == []
    [entry] = outbox(page)
    assert entry["status"] == "refused" and entry["error"]["field"] == "ct"

    page.reload()  # still there, and not sent again
    wait_until(page, FORM_READY)
    expect(item).to_have_count(1)
    page.get_by_role("button", name="Send nu").is_hidden()
    assert len(posts) == 1

    page.once("dialog", lambda d: d.accept())
    item.get_by_role("button", name=re.compile("Kassér")).click()
    wait_outbox_len(page, 0)
    expect(page.locator("#outbox-summary")).to_contain_text("Intet venter")
    expect(page.locator("#sync-status")).to_have_text(re.compile(r"^Alt er sendt"))


def test_the_form_refuses_a_cpr_number_before_saving(launch, own_server, tmp_path):
    own_server.start()
    ctx, page = logged_in_profile(launch, own_server, tmp_path / "profile")
    page.get_by_label("Borger", exact=True).select_option("ny")
    expect(page.locator("#text-rule")).to_have_text(re.compile("Aldrig CPR-nummer eller fulde navne"))
    page.get_by_label("Alias", exact=True).fill("0102031234")
    page.get_by_label("Kort note").fill("Født 010203 1234")
    page.get_by_role("button", name="Gem kontakt").click()
    errors = page.locator("#log-errors")
    expect(errors).to_be_visible()
    expect(errors).to_be_focused()
    expect(page.locator("#alias-err")).to_contain_text("Ligner et CPR-nummer")
    expect(page.locator("#note-err")).to_contain_text("Ligner et CPR-nummer")
    expect(page.get_by_label("Alias", exact=True)).to_have_attribute("aria-invalid", "true")
    assert outbox(page) == []
    page.get_by_label("Alias", exact=True).fill("")
    page.get_by_label("Kort note").fill("Født i firserne")
    page.get_by_role("button", name="Gem kontakt").click()
    expect(page.locator("#alias-err")).to_have_text("Skriv et alias eller initialer.")
    expect(page.locator("#note-err")).to_have_count(0)
    assert outbox(page) == []
    assert Db(own_server).citizens() == []


def test_bvc_and_stage_pages_open_the_log_prefilled_offline(launch, own_server, tmp_path):
    own_server.start()
    base = own_server.url
    ctx, page = logged_in_profile(launch, own_server, tmp_path / "profile")
    go_offline(ctx, own_server)

    page.goto(base + "/bvc")
    page.get_by_text("Forvirring", exact=True).click()
    page.get_by_text("Verbale trusler", exact=True).click()
    page.get_by_label("Ukendt", exact=True).check()
    page.get_by_role("link", name="Gem i kontaktlog").click()
    wait_until(page, FORM_READY)
    assert "items=forvirring" in page.url and "items=verbale_trusler" in page.url and "borger=ukendt" in page.url
    expect(page.get_by_label("Borger", exact=True)).to_have_value("ukendt")
    expect(page.locator('input[name="bvc_done"][value="ja"]')).to_be_checked()
    expect(page.locator("#log-item-forvirring")).to_be_checked()
    expect(page.locator("#log-item-verbale_trusler")).to_be_checked()
    expect(page.locator("#log-item-irritabilitet")).not_to_be_checked()
    expect(page.locator("#log-bvc-result")).to_have_text(re.compile(r"2/6\s*Moderat"))
    page.get_by_role("button", name="Gem kontakt").click()
    wait_outbox_len(page, 1)
    [entry] = outbox(page)
    # Sealed on the phone: only the kind, time and (here: no) citizen id are readable.
    assert "record" not in entry and entry["sealed"]["kind"] == "sealed" and entry["meta"]["citizen_id"] is None
    prefilled_id = entry["id"]
    # After saving, the form starts over for the next contact.
    assert page.url.endswith("/log")
    expect(page.locator('input[name="bvc_done"][value="nej"]')).to_be_checked()
    expect(page.locator("#log-bvc-result")).to_contain_text("Ingen BVC")
    expect(page.locator("#log-bvc-result [data-score]")).to_be_hidden()

    page.goto(base + "/stages")
    page.get_by_role("radio", name="Overvejelse (middelhøj parathed)").check()
    page.get_by_role("link", name="Gem i kontaktlog").click()
    wait_until(page, FORM_READY)
    expect(page.locator("#stage")).to_have_value("contemplation")
    # Back online, the server holds what the BVC page handed over.
    own_server.start()
    ctx.set_offline(False)
    db = Db(own_server)
    wait_for_rows(page, db, 1, 0)
    [(enc_id, citizen_id, total, _, _)] = db.encounters()
    assert (enc_id, citizen_id, total) == (prefilled_id, None, 2)


def test_bvc_page_shows_a_known_citizens_last_band_and_its_age(launch, own_server, tmp_path):
    own_server.start()
    base, db = own_server.url, Db(own_server)
    ctx, page = logged_in_profile(launch, own_server, tmp_path / "profile")
    page.get_by_label("Borger", exact=True).select_option("ny")
    page.get_by_label("Alias", exact=True).fill("Lone")
    open_fold(page, "Tid og makker")
    page.get_by_label("Hvornår").fill(page.evaluate(
        "(() => { const d = new Date(Date.now() - 3 * 864e5); d.setMinutes(d.getMinutes() - d.getTimezoneOffset());"
        " return d.toISOString().slice(0, 16); })()"))
    score_in_form(page, ["irritabilitet"])
    page.get_by_role("button", name="Gem kontakt").click()
    wait_for_rows(page, db, 1, 1)

    page.goto(base + "/bvc")
    known = page.locator("#known-citizen")
    expect(known).to_be_hidden()  # only once "Kendt" is chosen
    page.get_by_label("Kendt", exact=True).check()
    expect(known).to_be_visible()
    page.get_by_label("Hvilken borger?").select_option(label="Lone")
    expect(page.locator("#bvc-last")).to_have_text(re.compile(r"Sidst: Moderat risiko, for 3 dage siden"))
    page.get_by_text("Fysiske trusler", exact=True).click()
    [cid] = [c for c, _ in db.citizens()]
    href = page.get_by_role("link", name="Gem i kontaktlog").get_attribute("href")
    assert "items=fysiske_trusler" in href and "borger=kendt" in href and f"citizen={cid}" in href
    page.get_by_role("link", name="Gem i kontaktlog").click()
    wait_until(page, FORM_READY)
    expect(page.get_by_label("Borger", exact=True)).to_have_value(cid)
    expect(page.locator("#citizen-last")).to_contain_text("Sidst: Moderat risiko, for 3 dage siden")


def test_bvc_page_keeps_the_citizen_picker_away_without_a_login(page, server):
    page.goto(server.url + "/bvc")
    page.get_by_label("Kendt", exact=True).check()
    expect(page.locator("#known-citizen")).to_be_hidden()
    expect(page.locator("#sync-status")).to_be_hidden()


def test_todays_pair_from_settings_is_the_pair_of_the_contact(launch, own_server, tmp_path):
    own_server.start()
    ctx, page = logged_in_profile(launch, own_server, tmp_path / "profile")
    token = ctx.request.get(own_server.url + "/api/session").json()["csrf_token"]
    ctx.request.post(own_server.url + "/team/workers", form={"csrf_token": token, "name": "Bo Berg", "username": "bo",
                                                            "password": PASSWORD})
    workers = ctx.request.get(own_server.url + "/api/session").json()["workers"]
    anna, bo = sorted(workers, key=lambda w: w["name"])
    page.evaluate("import('/static/js/timer-core.js').then(m => m.savePair("
                  "{me: {id: %d, name: 'Anna Admin'}, partner: {id: %d, name: 'Bo Berg'}}))" % (anna["id"], bo["id"]))
    page.evaluate("self.gk.session.refresh()")
    open_log(page, own_server.url)
    expect(page.locator("#worker1")).to_have_value(str(anna["id"]))
    expect(page.locator("#worker2")).to_have_value(str(bo["id"]))
