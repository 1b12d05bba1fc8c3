"""Issue 12, item 6, on the phone: when the server already holds other content
under a record's id, the phone keeps its copy, flagged "Konflikt" with the
server's reason, and the worker corrects or discards it. Before, the server
said "duplicate" and the phone dropped the worker's version without a word."""
import re
from datetime import datetime, timezone

from playwright.sync_api import expect

from tests.browser.helpers import (PASSWORD, Db, logged_in_profile, outbox, poll, save_contact, wait_outbox_len,
                                   wait_until)


def other_version_on_the_server(pw, base, record_id):
    """Another version of the same contact reaches the server first (plain JSON, Anna's own login)."""
    http = pw.request.new_context(base_url=base)
    try:
        token = http.get("/login").text().split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        http.post("/login", form={"csrf_token": token, "username": "anna", "password": PASSWORD})
        session = http.get("/api/session").json()
        resp = http.post("/api/sync", headers={"X-CSRFToken": session["csrf_token"]}, data={"records": [{
            "kind": "encounter", "id": record_id, "citizen_id": None, "worker_ids": [session["user"]["id"]],
            "occurred_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "note": "Serverens udgave"}]})
        assert resp.json()["results"][0]["status"] == "stored"
    finally:
        http.dispose()


def test_a_conflict_stays_on_the_phone_flagged_and_the_worker_corrects_it(launch, own_server, tmp_path, pw):
    own_server.start()
    base, db = own_server.url, Db(own_server)
    ctx, page = logged_in_profile(launch, own_server, tmp_path / "profile")
    ctx.set_offline(True)
    save_contact(page, None, note="Telefonens udgave")
    [entry] = outbox(page)
    other_version_on_the_server(pw, base, entry["id"])

    ctx.set_offline(False)
    page.evaluate("self.gk.sync.run()")
    wait_until(page, "self.gk.outbox.list().then(l => l.length === 1 && l[0].status === 'refused')")
    [kept] = outbox(page)
    assert kept["conflict"] is True and kept["error"]["field"] == "id"
    item = page.locator(f'#outbox-list li[data-id="{entry["id"]}"]')
    expect(item).to_contain_text("Konflikt")
    expect(item).to_contain_text("Id: en anden udgave af kontakten med samme id er allerede gemt")
    expect(item.get_by_role("button", name=re.compile("^Kassér"))).to_be_visible()
    # Nothing on the server changed.
    assert db.rows("SELECT note FROM encounters") == [("Serverens udgave",)]

    # The worker's version is the right one: "Ret" replaces the flagged copy
    # with a correction of what the server holds under that id.
    item.get_by_role("button", name=re.compile("^Ret")).click()
    expect(page.locator("#log-title")).to_have_text("Ret kontakt")
    page.get_by_label("Borger", exact=True).select_option("ukendt")
    page.get_by_label("Kort note").fill("Telefonens udgave, rettet")
    page.get_by_role("button", name="Gem rettelsen").click()
    poll(page, lambda: len(db.rows("SELECT id FROM encounters")) == 2, "the correction did not arrive", timeout=60)
    wait_outbox_len(page, 0)
    assert db.rows("SELECT note, amends IS NOT NULL, superseded_by IS NOT NULL FROM encounters ORDER BY received_at, "
                   "rowid") == [("Serverens udgave", 0, 1), ("Telefonens udgave, rettet", 1, 0)]
    assert db.rows("SELECT amends FROM encounters WHERE note LIKE 'Telefonens%'") == [(entry["id"],)]
