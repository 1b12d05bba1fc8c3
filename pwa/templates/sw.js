// Gadekontakt service worker, version {{ version }}.
// Precaches the whole field kit on install (bypassing the HTTP cache, inside
// waitUntil, so an install succeeds whole or not at all), serves it cache-
// first, and never stores anything under /api or any page not in the list:
// citizens' data must not sit in Cache Storage.
const VERSION = {{ version | tojson }};
const PREFIX = "gadekontakt-";
const CACHE = PREFIX + VERSION;
const PRECACHE = {{ precache | tojson }};
const PAGES = new Set(PRECACHE.filter((u) => !u.includes("?") && !u.includes(".")));

// The phone's data code (the outbox, its upload, the session), the same
// files the pages load through js/phone-data.js. A classic importScripts
// (not a module worker) so every browser with service workers runs it.
importScripts(...{{ worker_scripts() | tojson }});

// Background Sync (Chromium): the browser wakes us when it has a connection,
// even with the app closed. The pages have their own triggers too.
self.addEventListener("sync", (event) => {
  if (event.tag !== self.gk.sync.TAG) return;
  event.waitUntil(self.gk.sync.run().then((result) => {
    // A rejection asks the browser to try again later with its own backoff;
    // only a finished upload, or one that needs a login first, settles it.
    if (result.retry || result.offline) throw new Error(result.message || "upload not finished");
  }));
});

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload", credentials: "same-origin" })));
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    // Delete only our own old caches; other apps on the origin keep theirs.
    const keys = await caches.keys();
    await Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k)));
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") self.skipWaiting();
  if (event.data && event.data.type === "VERSION") event.source.postMessage({ type: "VERSION", version: VERSION });
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  if (req.mode === "navigate") {
    if (!PAGES.has(url.pathname)) {
      // Not part of the kit: always the network, with a helpful page offline.
      event.respondWith(fetch(req).catch(() => caches.match("/offline", { cacheName: CACHE })));
      return;
    }
    event.respondWith((async () => {
      const cached = await caches.match(url.pathname, { cacheName: CACHE });
      return cached || fetch(req);
    })());
    return;
  }
  // Module imports name files without the ?v= hash; the cache holds exactly
  // one copy of each file for this version, so the path alone is enough.
  const ignoreSearch = url.pathname.startsWith("/static/");
  event.respondWith((async () => {
    const cached = await caches.match(req, { cacheName: CACHE, ignoreSearch });
    return cached || fetch(req);
  })());
});

// A push from the server (pwa/push.py): a check-in is overdue, this
// worker's own or the partner's. The payload holds no name or place (it is
// shown on a lock screen); the text is written here. Every push must show a
// notification (userVisibleOnly), even one that cannot be read. The own one
// shares its tag with the page's alarm (timer-alarm.js), so the two never
// stack; a tap opens /timer, where the alarm and the SMS are waiting.
const PUSH_TEXTS = {
  own: { title: "Tjek ind er overskredet", tag: "gk-checkin", url: "/timer",
         body: "Tryk for at åbne timeren: tryk »Jeg er OK«, eller send alarm-sms'en." },
  partner: { title: "Din makkers tjek-ind er overskredet", tag: "gk-partner", url: "/timer?makker=1",
             body: "Din makker har ikke tjekket ind. Ring til makkeren nu, og følg teamets aftaler." },
  // The partner's help button and duress code (pwa/overdue.py push_to_pair):
  // pushed only to the partner, never to the phone that raised it.
  help: { title: "Din makker har bedt om hjælp", tag: "gk-partner-help", url: "/timer?makker=1",
          body: "Din makker har holdt hjælp-knappen inde. Find eller ring til makkeren nu." },
  duress: { title: "Stille alarm fra din makker", tag: "gk-partner-help", url: "/timer?makker=1",
            body: "Din makker har tjekket ind med tvangskoden. Ring ikke op – følg teamets aftaler." },
};

// Another kind of push (an alert of issue 16's escalation, say) adds its words
// here under its "type"; anything unknown or unreadable rings as the own alarm.
function pushNotice(data) {
  const kind = !data ? "own" : data.type === "overdue" ? (data.partner === true ? "partner" : "own")
    : Object.prototype.hasOwnProperty.call(PUSH_TEXTS, data.type) ? data.type : "own";
  const text = PUSH_TEXTS[kind];
  const timer = data && typeof data.timer === "string" ? data.timer : null;
  return [text.title, { body: text.body, tag: text.tag, renotify: true, requireInteraction: true, lang: "da",
                        vibrate: [400, 200, 400, 200, 800], data: { url: text.url, timer, push: true } }];
}

self.addEventListener("push", (event) => {
  let data = null;
  try { data = event.data ? event.data.json() : null; } catch { data = null; }
  event.waitUntil(self.registration.showNotification(...pushNotice(data)));
});

// The missed check-in alarm: a tap on its notification brings the timer to
// the front: its open tab if there is one, else a new one (never navigating
// another tab away, which could lose a half-written log entry).
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || "/timer", location.origin);
  event.waitUntil((async () => {
    const open = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const tab = open.find((c) => new URL(c.url).pathname === url.pathname);
    if (!tab) return self.clients.openWindow(url.href);
    const focused = await tab.focus();
    // The partner's alarm is said at the top of /timer (?makker); the timer lives in localStorage, so reloading it loses nothing.
    return new URL(tab.url).search === url.search ? focused : focused.navigate(url.href);
  })());
});
