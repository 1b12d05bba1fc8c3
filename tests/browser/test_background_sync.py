"""Background Sync: with no page of the app open, the service worker alone
uploads the outbox when the browser hands it a 'sync' event.

Headless Chromium never loses its real network, so the browser itself will not
fire the event here; DevTools delivers the very event the browser would
(helpers.background_sync)."""
from tests.browser.helpers import (Db, background_sync, go_offline, logged_in_profile, open_log, outbox, poll,
                                   save_contact, wait_until)


def test_the_service_worker_alone_uploads_the_outbox_on_a_sync_event(launch, own_server, tmp_path):
    own_server.start()
    base, db = own_server.url, Db(own_server)
    ctx, page = logged_in_profile(launch, own_server, tmp_path / "profile")
    go_offline(ctx, own_server)
    open_log(page, base)
    save_contact(page, "Baggrund", new=True, stage="action", note="Sendt af service workeren")
    entries = outbox(page)
    deliver_sync = background_sync(ctx, page, base)

    # No page of the app is open any more: only the worker can do it.
    page.goto("about:blank")
    own_server.start()
    ctx.set_offline(False)
    assert db.encounters() == []
    deliver_sync()
    poll(page, lambda: len(db.encounters()) == 1 and len(db.citizens()) == 1, "the worker uploaded nothing")
    [(enc_id, citizen_id, _total, stage, note)] = db.encounters()
    assert {enc_id, citizen_id} == {e["id"] for e in entries}
    assert (stage, note) == ("action", "Sendt af service workeren")
    # And the phone knows: its outbox is empty when the app opens again.
    open_log(page, base)
    wait_until(page, "self.gk.outbox.list().then(l => l.length === 0)")
