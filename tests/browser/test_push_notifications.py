"""Web Push on the phone: "Slå varsler til" on /settings, the service worker's notification, and /timer.

A push reaches the service worker through DevTools (ServiceWorker.deliverPushMessage), the very
event the browser fires when its push service delivers one. Headless Chromium has no push service
of its own (Debian's build has no Google keys, and pushManager.subscribe never answers), so the
end-to-end test replaces the browser's subscribe() with one that hands out a subscription to a
push service on loopback, whose keys the test holds; everything of ours runs as it is: the page
script, the API, `flask notify-overdue`, pywebpush's encryption, the service worker.
"""
import json
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from tests.browser.helpers import (AXE, PASSWORD, TARGETS, Db, axe_violations, poll, push_message, sign_in_with_cookies,
                                   set_up_team_by_form, wait_for_offline_ready, wait_until)
from tests.helpers import PushKeys, PushService
from tests.live import ROOT

NOTIFICATIONS = ("navigator.serviceWorker.ready.then(r => r.getNotifications())"
                 ".then(ns => ns.map(n => ({title: n.title, body: n.body, tag: n.tag, data: n.data})))")


def notifications(page, count):
    # Generous: on a loaded machine (2 cores, several suites) starting the worker for the event takes a while.
    wait_until(page, f"({NOTIFICATIONS}).then(ns => ns.length === {count})", timeout=60)
    return page.evaluate(NOTIFICATIONS)


def test_a_push_becomes_a_notification_that_leads_to_the_timer_with_the_alarm(new_context, server):
    ctx = new_context()
    ctx.grant_permissions(["notifications"], origin=server.url)
    page = ctx.new_page()
    page.goto(server.url + "/settings")
    wait_for_offline_ready(page)
    deliver = push_message(ctx, page, server.url)
    timer_id = str(uuid.uuid4())

    deliver(json.dumps({"type": "overdue", "title": "Tjek ind er overskredet", "timer": timer_id, "partner": False}))
    [own] = notifications(page, 1)
    assert own["title"] == "Tjek ind er overskredet" and "Jeg er OK" in own["body"]
    assert own["tag"] == "gk-checkin"              # the page's own alarm uses it: the two never stack
    assert own["data"] == {"url": "/timer", "timer": timer_id, "push": True}

    deliver(json.dumps({"type": "overdue", "title": "Tjek ind er overskredet", "timer": timer_id, "partner": True}))
    partner = next(n for n in notifications(page, 2) if n["tag"] == "gk-partner")
    assert partner["title"] == "Din makkers tjek-ind er overskredet" and "Ring til makkeren" in partner["body"]
    assert partner["data"]["url"] == "/timer?makker=1"

    # A push that cannot be read still shows (a browser requires it), as the worker's own alarm.
    deliver("ikke json")
    assert [n["title"] for n in notifications(page, 2) if n["tag"] == "gk-checkin"] == ["Tjek ind er overskredet"]

    # The tap. DevTools cannot click a notification, and a click made up in the worker may not open a
    # window (Chromium allows that only for a real click); what it can show: the handler closes the
    # notification and goes for the URL in its data, checked above. Then those URLs, as the tap opens them:
    [worker] = ctx.service_workers
    worker.evaluate("self.registration.getNotifications({tag: 'gk-partner'}).then(([n]) =>"
                    " self.dispatchEvent(new NotificationEvent('notificationclick', {notification: n})))")
    assert [n["tag"] for n in notifications(page, 1)] == ["gk-checkin"]

    # /timer with a check-in missed on this phone: the alarm and the SMS ready.
    page.evaluate("""() => localStorage.setItem('gk.timer', JSON.stringify({id: crypto.randomUUID(), status: 'running',
        started: Date.now() - 20 * 60000, due: Date.now() - 5 * 60000, minutes: 15, place: '', band: null,
        alarmed: false}))""")
    page.goto(server.url + "/timer")
    assert page.locator("#t-alarm").is_visible()
    assert page.locator("#t-sms-alarm a").first.get_attribute("href").startswith("sms:")
    wait_until(page, "document.getElementById('t-alert').textContent.includes('Tiden er gået')")

    # The partner's: their timer is on their phone; this one says it at the top, with a call button.
    page.evaluate("""() => localStorage.setItem('gk.pair', JSON.stringify({me: {id: 1, name: 'Anna'},
        partner: {id: 2, name: 'Bo Berg', phone: '+4512345678'}, talker: 'me', date: '2026-01-01'}))""")
    page.goto(server.url + "/timer?makker=1")
    alert = page.locator("#t-partner")
    assert alert.is_visible() and "Din makkers tjek-ind er overskredet" in alert.inner_text()
    assert page.get_by_role("link", name="Ring til Bo Berg").get_attribute("href") == "tel:+4512345678"
    page.goto(server.url + "/timer")
    assert page.locator("#t-partner").is_hidden()


def stub_push_manager(ctx, subscription):
    """The browser's subscribe(), replaced: it hands out a subscription to the test's push service,
    made with the key the page passes (checked by the server's answer later: the push is signed with it)."""
    ctx.add_init_script("""(() => {
      const sub = %s;
      let current = null;
      const make = (key) => ({ endpoint: sub.endpoint, options: { applicationServerKey: key.buffer },
        toJSON: () => sub, unsubscribe: async () => { current = null; return true; } });
      PushManager.prototype.subscribe = async function (opts) {
        if (!opts || !opts.userVisibleOnly || !(opts.applicationServerKey instanceof Uint8Array)
            || opts.applicationServerKey.length !== 65) throw new DOMException("bad options", "InvalidAccessError");
        current = make(opts.applicationServerKey);
        return current;
      };
      PushManager.prototype.getSubscription = async function () { return current; };
    })();""" % json.dumps(subscription))


def overdue_timer(ctx, base, minutes_ago=20):
    token = ctx.request.get(base + "/api/session").json()["csrf_token"]
    at = (datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)).isoformat(timespec="milliseconds")
    timer_id = str(uuid.uuid4())
    resp = ctx.request.post(base + "/api/timers/events", headers={"X-CSRFToken": token}, data={"events": [
        {"id": str(uuid.uuid4()), "timer_id": timer_id, "type": "start", "at": at.replace("+00:00", "Z"),
         "minutes": 15, "place": "Parken", "band": "high"}]})
    assert resp.json()["results"][0]["status"] == "stored"
    return timer_id


def test_slaa_varsler_til_subscribes_and_a_missed_checkin_arrives_as_a_notification(new_context, own_server):
    own_server.start(PUSH_ALLOW_HTTP_LOOPBACK="true")
    base, db = own_server.url, Db(own_server)
    service = PushService()
    try:
        keys = PushKeys(service, "phone")
        ctx = new_context()
        ctx.grant_permissions(["notifications"], origin=base)
        stub_push_manager(ctx, keys.subscription)
        page = ctx.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        set_up_team_by_form(page, base)
        page.goto(base + "/settings")
        wait_until(page, "document.getElementById('push-state').textContent.includes('ikke slået til')")
        assert "Uden net kan serveren ikke nå telefonen" in page.locator("#varsler").inner_text()
        page.get_by_role("button", name="Slå varsler til").click()
        # "… ikke slået til på denne telefon" (before the tap) contains the same words: wait for the new state.
        wait_until(page, "document.getElementById('push-state').textContent.startsWith('Varsler er slået til')")
        expect(page.get_by_role("button", name="Slå varsler fra")).to_be_visible()
        assert db.rows("SELECT endpoint FROM push_subscriptions") == [(keys.subscription["endpoint"],)]

        timer_id = overdue_timer(ctx, base)
        env = own_server._env()
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "pwa", "notify-overdue"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "1 sent" in done.stdout, done.stdout + done.stderr
        [request] = service.to(keys.path)
        payload = keys.decrypt(request)
        assert payload == {"type": "overdue", "title": "Tjek ind er overskredet", "timer": timer_id, "partner": False}

        # What the push service hands the phone is what it got: the body, decrypted by the browser.
        wait_for_offline_ready(page)
        push_message(ctx, page, base)(json.dumps(payload))
        [shown] = notifications(page, 1)
        assert shown["title"] == "Tjek ind er overskredet" and shown["data"]["timer"] == timer_id

        page.get_by_role("button", name="Slå varsler fra").click()
        wait_until(page, "document.getElementById('push-state').textContent.includes('ikke slået til')")
        assert db.rows("SELECT * FROM push_subscriptions") == []
        assert errors == []
    finally:
        service.close()


def test_the_push_setup_and_the_partner_alert_pass_axe_and_48px_targets_light_and_dark(new_context, own_server):
    own_server.start()
    axe = AXE.read_text()
    first = new_context()
    set_up_team_by_form(first.new_page(), own_server.url)
    for scheme in ("light", "dark"):
        ctx = new_context(viewport={"width": 320, "height": 640}, color_scheme=scheme)
        sign_in_with_cookies(ctx, first.cookies())
        page = ctx.new_page()
        page.goto(own_server.url + "/settings#varsler")
        wait_until(page, "!document.getElementById('push-on').hidden")
        assert axe_violations(page, axe) == []
        assert page.evaluate(TARGETS) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        page.evaluate("""() => localStorage.setItem('gk.pair', JSON.stringify({me: {id: 1, name: 'Anna'},
            partner: {id: 2, name: 'Bo Berg', phone: '+4512345678'}, talker: 'me'}))""")
        page.goto(own_server.url + "/timer?makker=1")
        assert page.locator("#t-partner").is_visible()
        assert axe_violations(page, axe) == []
        assert page.evaluate(TARGETS) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_the_partner_chosen_from_the_team_list_rides_on_the_timers_start(new_context, own_server):
    own_server.start()
    base, db = own_server.url, Db(own_server)
    ctx = new_context()
    page = ctx.new_page()
    set_up_team_by_form(page, base)
    token = ctx.request.get(base + "/api/session").json()["csrf_token"]
    ctx.request.post(base + "/team/workers", form={"csrf_token": token, "name": "Bo Berg", "username": "bo",
                                                   "password": PASSWORD})
    bo = next(w["id"] for w in ctx.request.get(base + "/api/session").json()["workers"] if w["name"] == "Bo Berg")
    page.goto(base + "/settings")
    page.locator("#pair-me-list").get_by_label("Anna Admin").check()
    page.locator("#pair-partner-list").get_by_label("Bo Berg").check()
    page.get_by_label("Makkerens mobilnummer").fill("12 34 56 78")
    page.get_by_role("button", name="Gem", exact=True).click()
    page.goto(base + "/timer")
    page.get_by_role("radio", name="Andet antal minutter").check()
    page.get_by_label("Minutter", exact=True).fill("30")
    page.get_by_role("button", name="Start timer (30 min)").click()
    poll(page, lambda: db.rows("SELECT partner_user_id FROM checkin_events WHERE type = 'start'") == [(bo,)],
         "the start did not name Bo as the partner")
