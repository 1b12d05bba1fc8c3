"""Correcting a contact on the phone (issue 8): a saved record is sealed, so it
is never edited in place. A correction is a new record that amends the saved
one — which may already be on the server — and a refused one is replaced.
Checked the way the team sees it: rows in the server's SQLite file."""
import json
import re

from playwright.sync_api import expect

from tests.browser.helpers import (FORM_READY, Db, go_offline, logged_in_profile, open_log, outbox, poll,
                                   save_contact, spoil, wait_outbox_len, wait_until)


def rows(db):
    return db.rows("SELECT id, citizen_id, stage, note, amends, superseded_by FROM encounters ORDER BY received_at, rowid")


def test_a_contact_corrected_offline_arrives_as_one_contact_in_its_corrected_form(launch, own_server, tmp_path):
    own_server.start()
    base, db = own_server.url, Db(own_server)
    ctx, page = logged_in_profile(launch, own_server, tmp_path / "profile")
    go_offline(ctx, own_server)
    open_log(page, base)
    save_contact(page, "Rettes", new=True, stage="contemplation", note="Forkert note")
    [citizen, original] = outbox(page)

    # Right after saving, the form comes back filled in, from the page's memory.
    page.get_by_role("button", name="Ret kontakten").click()
    expect(page.locator("#log-title")).to_have_text("Ret kontakt")
    expect(page.locator("#log-amending")).to_be_focused()
    expect(page.get_by_label("Kort note")).to_have_value("Forkert note")
    expect(page.locator("#citizen")).to_have_value(citizen["id"])
    expect(page.locator("#stage")).to_have_value("contemplation")
    page.get_by_label("Kort note").fill("Rigtig note")
    page.locator("#stage").select_option("action")
    page.get_by_role("button", name="Gem rettelsen").click()
    wait_outbox_len(page, 3)
    expect(page.locator("#log-title")).to_have_text("Ny kontakt")
    expect(page.locator("#log-done")).to_contain_text("rettelse – Rettes")
    correction = outbox(page)[2]
    assert correction["meta"]["amends"] == original["id"]
    # Counted as the one contact it is; the list says which is which.
    expect(page.locator("#sync-status")).to_have_text("1 venter")
    expect(page.locator(f'#outbox-list li[data-id="{original["id"]}"]')).to_contain_text("Rettet: rettelsen sendes")
    expect(page.locator(f'#outbox-list li[data-id="{correction["id"]}"]')).to_contain_text("Rettelse af kontakt")

    # After a reload the page remembers nothing: the sealed record cannot be
    # shown, so the form opens with only the citizen and time it kept in clear.
    page.reload()
    wait_until(page, FORM_READY)
    page.locator(f'#outbox-list li[data-id="{correction["id"]}"]').get_by_role("button", name=re.compile("^Ret")).click()
    expect(page.locator("#log-amending")).to_contain_text("krypteret og kan ikke vises")
    expect(page.locator("#citizen")).to_have_value(citizen["id"])
    expect(page.get_by_label("Kort note")).to_have_value("")
    page.get_by_label("Kort note").fill("Tredje udgave")
    page.locator("#stage").select_option("action")
    page.get_by_role("button", name="Gem rettelsen").click()
    wait_outbox_len(page, 4)
    second = outbox(page)[3]
    assert second["meta"]["amends"] == correction["id"]
    # Nothing readable about the citizen was stored to make this possible.
    assert "Rigtig note" not in json.dumps(outbox(page)) and "Rettes" not in json.dumps(outbox(page))

    own_server.start()
    ctx.set_offline(False)
    page.evaluate("document.dispatchEvent(new Event('gk:sync'))")
    poll(page, lambda: len(rows(db)) == 3, "the three versions did not arrive", timeout=60)
    wait_outbox_len(page, 0)
    assert rows(db) == [
        (original["id"], citizen["id"], "contemplation", "Forkert note", None, correction["id"]),
        (correction["id"], citizen["id"], "action", "Rigtig note", original["id"], second["id"]),
        (second["id"], citizen["id"], "action", "Tredje udgave", correction["id"], None)]
    page.goto(f"{base}/citizens/{citizen['id']}")
    timeline = page.locator(".timeline li")
    expect(timeline).to_have_count(1)
    expect(timeline).to_contain_text("Tredje udgave")
    expect(timeline).to_contain_text("Rettet på telefonen")


def test_a_refused_contact_is_corrected_by_a_record_that_replaces_it(launch, own_server, tmp_path):
    own_server.start()
    db = Db(own_server)
    ctx, page = logged_in_profile(launch, own_server, tmp_path / "profile")
    spoiled = []

    def spoil_the_first_upload(route):
        body = json.loads(route.request.post_data)
        if not spoiled:
            spoil(body["records"][-1])
        spoiled.append(body)
        route.continue_(post_data=json.dumps(body))

    ctx.route("**/api/sync", spoil_the_first_upload)
    save_contact(page, None, stage="relapse", note="Bliver afvist")
    refused = page.locator("#outbox-list li.is-refused")
    expect(refused).to_have_count(1)
    [entry] = outbox(page)
    refused.get_by_role("button", name=re.compile("^Ret")).click()
    expect(page.get_by_label("Kort note")).to_have_value("Bliver afvist")
    page.get_by_label("Kort note").fill("Rettet og sendt")
    page.get_by_role("button", name="Gem rettelsen").click()
    poll(page, lambda: len(rows(db)) == 1, "the correction did not arrive", timeout=60)
    wait_outbox_len(page, 0)
    [(enc_id, citizen_id, stage, note, amends, superseded)] = rows(db)
    assert enc_id != entry["id"] and (citizen_id, stage, note, amends, superseded) == \
        (None, "relapse", "Rettet og sendt", None, None)
    expect(page.locator("#outbox-summary")).to_contain_text("Intet venter")
