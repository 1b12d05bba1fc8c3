"""What the browser tests do as a worker would, shared by every test module
(no test module imports from another): open a phone, set up a team, log in,
choose the PIN, fill in and save a contact, go offline, and read what reached
the server's SQLite file. Fixtures (which open and close browsers and
servers) are in conftest.py."""
import json
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect

from tests.live import wait_until  # noqa: F401 (one poll for every test)

CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium tries Google's services, which this network refuses.
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic"]
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"

PASSWORD = "en lang nok adgangskode"
PIN = "482913"
FORM_READY = ("document.getElementById('log-form')?.dataset.ready === 'true'"
              " && !document.getElementById('log-form').hidden"
              " && document.getElementById('worker1').options.length > 0")

# --- the browser ------------------------------------------------------------------


def launch_persistent(pw, user_data_dir, **kw):
    """A phone: a Chromium profile on disk, kept across a browser restart.
    Tests get these from the `launch` fixture, which closes them."""
    return pw.chromium.launch_persistent_context(
        str(user_data_dir), executable_path=CHROMIUM, args=ARGS,
        viewport={"width": 360, "height": 740}, locale="da-DK", **kw)


def first_page(ctx):
    return ctx.pages[0] if ctx.pages else ctx.new_page()


def wait_for_offline_ready(page):
    """Wait until the service worker has precached the kit and controls the page."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    try:
        wait_until(page, "navigator.serviceWorker.controller !== null", timeout=5)
    except AssertionError:
        # A page that began loading while the worker activated can miss clients.claim() and stay
        # uncontrolled until its next navigation, as on a phone: give it that navigation.
        page.reload()
        wait_until(page, "navigator.serviceWorker.controller !== null")


def go_offline(ctx, server):
    """No signal: the browser's network off, and the server stopped, so nothing can come from it."""
    server.stop()
    ctx.set_offline(True)


def freeze(page, at):
    """The page's clock at `at`, standing still: only run_for moves it, so every figure is exact."""
    page.clock.install(time=at - timedelta(seconds=10))
    page.clock.pause_at(at)


def offline_phone(launch, server, profile, at, path="/"):
    """A phone in Copenhagen (from the `launch` fixture) that has cached the kit from `path`,
    then lost its signal (the server stopped too), its clock frozen at `at`."""
    server.start()
    ctx = launch(profile, timezone_id="Europe/Copenhagen")
    page = first_page(ctx)
    page.goto(server.url + path)
    wait_for_offline_ready(page)
    go_offline(ctx, server)
    freeze(page, at)
    return ctx, page


def fill_settings(page, me="Anna", partner="Bo", partner_phone="12 34 56 78", coordinator="+45 87 65 43 21"):
    """Today's pair and the numbers, typed into /settings (open) as a worker does, then "Gem"."""
    page.get_by_label("Dit navn").fill(me)
    page.get_by_label("Makkerens navn").fill(partner)
    page.get_by_label("Makkerens mobilnummer").fill(partner_phone)
    page.get_by_label("Koordinatorens mobilnummer").fill(coordinator)
    page.get_by_role("button", name="Gem", exact=True).click()


def background_sync(ctx, page, base):
    """Ask for a Background Sync the way the page does (an upload that fails offline), and
    return what the browser would do when the signal returns: deliver the 'sync' event to the
    service worker. Headless Chromium never loses its real network, so DevTools'
    ServiceWorker.dispatchSyncEvent delivers it, to the registration the page asked for."""
    page.evaluate("document.dispatchEvent(new Event('gk:sync'))")
    wait_until(page, "navigator.serviceWorker.ready.then(r => r.sync.getTags())"
                     ".then(tags => tags.includes('gk-outbox'))")
    cdp, registration = devtools_registration(ctx, page, base)

    def deliver():
        cdp.send("ServiceWorker.dispatchSyncEvent", {"origin": base, "registrationId": registration,
                                                     "tag": "gk-outbox", "lastChance": False})
    return deliver


def devtools_registration(ctx, page, base):
    """A DevTools session on the page and the id of the app's service worker registration, for
    delivering what the browser itself would (a sync, a push) to it."""
    cdp = ctx.new_cdp_session(page)
    registrations, versions = [], []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
    cdp.on("ServiceWorker.workerVersionUpdated", lambda e: versions.extend(e["versions"]))
    cdp.send("ServiceWorker.enable")
    poll(page, lambda: any(r["scopeURL"] == base + "/" for r in registrations), "no registration reported")
    registration = next(r for r in registrations if r["scopeURL"] == base + "/")["registrationId"]
    # Until DevTools has reported the worker itself, a message delivered to the registration can
    # be dropped (the first push was lost in 1 run of 5 before this wait).
    poll(page, lambda: any(v["registrationId"] == registration and v["status"] == "activated"
                           and v["runningStatus"] == "running" for v in versions), "no running worker reported")
    return cdp, registration


def push_message(ctx, page, base):
    """What the browser does when its push service delivers a message: a 'push' event to our
    service worker (DevTools' ServiceWorker.deliverPushMessage). Returns deliver(data: str)."""
    cdp, registration = devtools_registration(ctx, page, base)

    def deliver(data):
        cdp.send("ServiceWorker.deliverPushMessage", {"origin": base, "registrationId": registration, "data": data})
    return deliver


def poll(page, check, message, timeout=30.0):
    """Wait for a Python-side condition. Sleeping through Playwright (not
    time.sleep) lets it run route handlers meanwhile."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        page.wait_for_timeout(50)
    raise AssertionError(message)


# --- the BVC score on the phone ------------------------------------------------------------


def kept_score(page):
    """The BVC score kept on the phone for the shift (bvc-score.js), or None."""
    raw = page.evaluate("localStorage.getItem('gk.bvc')")
    return raw and json.loads(raw)


def ticked_items(page):
    """The item ids ticked on /bvc now."""
    return page.evaluate("[...document.querySelectorAll('#bvc input[name=items]:checked')].map(b => b.value)")


# --- accessibility ----------------------------------------------------------------------

# Every target a finger aims at is at least 48 px both ways (WCAG 2.5.8, our brief).
TARGETS = """() => {
  const small = [];
  const seen = new Set();
  for (const el of document.querySelectorAll('a, button, input, summary, select, textarea, label')) {
    if (el.closest('[hidden]') || el.closest('.sr-only') || !el.getClientRects().length) continue;
    if (el.matches('.skip')) continue;                     // off-screen until focused
    if (el.matches('p a, li > span a')) continue;          // inline links in text (WCAG 2.5.8 exception)
    let target = el;
    if (el.matches('input[type=checkbox], input[type=radio]')) target = el.closest('label') || el;
    if (el.matches('label') && !el.querySelector('input')) continue;
    if (seen.has(target)) continue;
    seen.add(target);
    const r = target.getBoundingClientRect();
    if (r.height < 47.5 || r.width < 47.5) small.push([target.outerHTML.slice(0, 80), Math.round(r.width), Math.round(r.height)]);
  }
  return small;
}"""


def axe_violations(page, axe_source):
    """axe-core's WCAG 2.2 AA and best-practice violations on the page as it is now."""
    page.evaluate(axe_source)  # evaluate is not subject to the page's CSP
    result = page.evaluate("""axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
        resultTypes: ['violations']})""")
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


# --- what a stolen phone's storage holds -------------------------------------------------

# Everything the phone keeps, as text: IndexedDB, Cache Storage, localStorage
# and sessionStorage. A test looks for an alias or a note in it (issue 8).
STORAGE_DUMP = r"""async () => {
  const out = [];
  const db = await new Promise((ok, no) => { const r = indexedDB.open('gadekontakt'); r.onsuccess = () => ok(r.result); r.onerror = no; });
  for (const name of db.objectStoreNames) {
    const all = await new Promise((ok) => { const r = db.transaction(name).objectStore(name).getAll(); r.onsuccess = () => ok(r.result); });
    out.push(JSON.stringify(all));
  }
  for (const key of await caches.keys()) {
    const cache = await caches.open(key);
    for (const req of await cache.keys()) out.push(req.url, await (await cache.match(req)).text());
  }
  out.push(JSON.stringify(Object.entries(localStorage)), JSON.stringify(Object.entries(sessionStorage)));
  return out.join('\n');
}"""


# --- a team and its worker, through the real forms ------------------------------------


def set_up_team_by_form(page, base):
    """The first team and its administrator, typed into the real /setup form
    (tests.live.set_up_team does it over HTTP, without a page)."""
    page.goto(base + "/setup")
    page.get_by_label("Teamets navn").fill("Team Nord")
    page.get_by_label("Dit navn").fill("Anna Admin")
    page.get_by_label("Brugernavn").fill("anna")
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_confirm").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Opret team").click()
    assert not page.url.endswith("/setup"), "setup failed"


def sign_in_with_cookies(context, cookies):
    """Give a browser context the session of a login made over HTTP, and what a login through
    the form also leaves on the phone: the mark that it has been logged in (app.js), without
    which a page does not load the phone's data code."""
    context.add_cookies(cookies)
    context.add_init_script("try { localStorage.setItem('gk.phoneUsed', '1'); } catch (e) {}")


def log_in(page):
    page.get_by_label("Brugernavn").fill("anna")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log ind").click()


def phone_with_team(launch, server, profile, **kw):
    """A phone (from the `launch` fixture; `kw` for the browser context) that has just set up the team:
    logged in, no PIN yet."""
    ctx = launch(profile, **kw)
    page = first_page(ctx)
    set_up_team_by_form(page, server.url)
    return ctx, page


def type_pin(page, again=False):
    """Type the PIN into the open PIN dialog (twice when choosing it) and submit."""
    page.locator("#pin").fill(PIN)
    if again:
        page.locator("#pin2").fill(PIN)
    page.locator(".pin-dialog button[type=submit]").click()


def logged_in_profile(launch, server, profile):
    """A phone (from the `launch` fixture) with the team set up, the kit
    cached, the contact log open and the PIN chosen."""
    ctx = launch(profile)
    page = first_page(ctx)
    set_up_team_by_form(page, server.url)
    # Setup navigates three times while the service worker installs; a page
    # that began loading mid-activation can miss clients.claim() and stay
    # uncontrolled until its next navigation, so give it one.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    open_log(page, server.url)
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        open_log(page, server.url)
    wait_for_offline_ready(page)
    return ctx, page


# --- the contact log ---------------------------------------------------------------------


def unlock_citizen_list(page):
    """Choose the PIN (first time) or type it (after a restart), as the worker does."""
    button = page.locator("#vault-open")
    wait_until(page, "document.getElementById('vault-open').textContent !== ''")
    if not button.is_visible():
        return
    choosing = button.text_content() == "Vælg PIN"
    button.click()
    type_pin(page, again=choosing)
    expect(page.locator("#vault-status")).to_be_hidden()


def open_log(page, base, query=""):
    page.goto(base + "/log" + query)
    wait_until(page, FORM_READY)
    unlock_citizen_list(page)


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


def open_fold(page, summary):
    """Open a folded part of the contact form (a no-op when it is open)."""
    fold = page.locator("details.fold", has=page.locator("summary", has_text=summary))
    if fold.get_attribute("open") is None:
        fold.locator("summary").click()


def score_in_form(page, items):
    """Fold out the form's risk line and tick BVC items (ticking one is assessing)."""
    if page.locator("#log-bvc").is_hidden():
        page.locator("#log-bvc-toggle").click()
    for item in items:
        page.locator(f"#log-item-{item}").check()


def save_contact(page, citizen, new=False, items=(), stage=None, note=""):
    """Fill in and save one contact the way a worker does; returns after it is queued."""
    before = len(outbox(page))
    if new:
        page.get_by_label("Borger", exact=True).select_option("ny")
        page.get_by_label("Alias", exact=True).fill(citizen)
        page.get_by_label("Kort beskrivelse").fill(f"Beskrivelse af {citizen}")
    elif citizen is None:
        page.get_by_label("Borger", exact=True).select_option("ukendt")
    else:
        pick_citizen(page, citizen)
    if items:
        score_in_form(page, items)
    if stage:
        page.locator("#stage").select_option(stage)
    page.get_by_label("Kort note").fill(note)
    page.evaluate("document.getElementById('log-done').textContent = ''")
    page.get_by_role("button", name="Gem kontakt").click()
    # Saved means queued; online, the upload may already have emptied the
    # outbox again by the time we look, so the page's own word decides.
    expect(page.locator("#log-done")).to_contain_text("Gemt")
    if page.evaluate("navigator.onLine") is False:
        wait_outbox_len(page, before + (2 if new else 1))


def spoil(sealed):
    """Damage a sealed record's ciphertext the way a bad network or a bug
    would: the server can no longer open it and must refuse that record."""
    sealed["ct"] = sealed["ct"][:-8] + "AAAAAAAA"


# --- what reached the server -------------------------------------------------------------


class Db:
    """The server's SQLite file, read the way the team's pages would see it."""

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


def wait_for_rows(page, db, encounters, citizens):
    # Long enough for a few backoff rounds (2 s, 4 s, 8 s, with jitter).
    poll(page, lambda: len(db.encounters()) >= encounters and len(db.citizens()) >= citizens,
         f"timed out waiting for {encounters} encounters and {citizens} citizens", timeout=60)


# --- how far a thumb goes ------------------------------------------------------------------


class Thumb:
    """Counts what a worker's thumb does: each tap (a picker is two: open it,
    choose), and the scrolling needed first to bring the target between the
    header's top and whatever is fixed at the bottom (the tab bar, the save bar)."""

    REACH = """el => { const r = (el.closest('label') || el).getBoundingClientRect();
        let bottom = innerHeight;
        for (const f of document.querySelectorAll('.tabs, .save-bar')) {
          if (f.contains(el)) continue;
          const t = f.getBoundingClientRect().top;
          if (t < bottom && t > 0) bottom = t;
        }
        return [r.top, r.bottom, bottom]; }"""

    def __init__(self, page):
        self.page, self.taps, self.scrolled = page, 0, 0

    def _reach(self, locator):
        top, bottom, limit = locator.evaluate(self.REACH)
        dy = bottom - limit + 8 if bottom > limit else top - 8 if top < 0 else 0
        if dy:
            self.page.evaluate("dy => window.scrollBy(0, dy)", dy)
            self.scrolled += abs(dy)

    def tap(self, locator):
        self._reach(locator)
        self.taps += 1
        locator.click()

    def check(self, locator):
        self._reach(locator)
        self.taps += 1
        locator.check()

    def pick(self, locator, value):
        self._reach(locator)
        self.taps += 2
        locator.select_option(value)

    def type(self, locator, text, tapped=True):
        """Typing is not tapping; reaching the field is, unless it has the focus already."""
        self._reach(locator)
        focused = locator.evaluate("el => el === document.activeElement")
        if tapped and not focused:
            self.taps += 1
        locator.fill(text)


# --- the team's places -------------------------------------------------------------------


def add_place_by_form(page, base, name="Banegårdsparken", area="Centrum"):
    """The administrator adds a place on /places/new, with notes and a partner."""
    page.goto(base + "/places/new")
    page.get_by_label("Stedets navn").fill(name)
    page.get_by_label("Område").fill(area)
    page.get_by_label("Slags sted").select_option("park")
    page.get_by_label("Mandag aften").check()
    page.get_by_label("Kun efter aftale / når vi er kaldt").check()
    page.get_by_label("Sikkerhed på stedet").fill("To udgange. Hunde. Handel efter kl. 20.")
    page.locator("#partners-0-organisation").fill("Kirkens Korshær")
    page.locator("#partners-0-contact").fill("Lise")
    page.locator("#partners-0-phone").fill("+45 12 34 56 78")
    page.get_by_role("button", name="Gem stedet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
