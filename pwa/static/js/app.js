// Shell behaviour on every page: network state, the service worker's
// "ready offline" and "new version" messages. An update is offered, never
// forced: a reload mid-contact could lose what the worker is looking at.
document.documentElement.classList.add("js");

// Who is logged in, as far as the tab bar needs to know: a page from the
// server says so (data-signed-in), a precached one cannot, so the phone keeps
// the last word in localStorage (session.js updates it too). No citizen data.
const SIGNED_IN = "gk.signedIn";
// A phone that has never been logged in keeps no outbox, citizen list,
// places or session: the phone's data code (phone-data.js and its eleven
// scripts, about 30 KB) is not fetched for it, so a kit-only phone (the BVC,
// the stages, the timer) loads little over a weak signal. Marked at the
// first login and never unmarked: a phone logged out with records waiting
// still shows them and sends them after the next login.
// The login form (login.js) and a session the server confirms (session.js)
// mark it, through gk.markPhoneUsed.
const USED = "gk.phoneUsed";
const gk = self.gk || (self.gk = {});
gk.markPhoneUsed = () => {
  try { localStorage.setItem(USED, "1"); } catch { /* storage blocked: phoneUsed() says yes anyway */ }
};
gk.phoneUsed = () => {
  try { return localStorage.getItem(USED) === "1"; } catch { return true; }
};
try {
  const said = document.documentElement.dataset.signedIn;
  if (said === "1") localStorage.setItem(SIGNED_IN, "1");
  if (said === "0") localStorage.removeItem(SIGNED_IN);
  const signedIn = localStorage.getItem(SIGNED_IN) === "1";
  if (signedIn) gk.markPhoneUsed();
  document.documentElement.classList.toggle("signed-in", signedIn);
} catch { /* storage blocked: the field kit's tabs are there either way */ }

// Resolves once the page has shown its first content (First Contentful Paint).
// Whatever the page does not need to be read and tapped (the outbox, the
// session check, the citizen list, the idle lock) waits for it, so it can
// never delay the paint. Shared on self.gk: module scripts run in document
// order, so the page's own modules (bvc.js) find it. Without Paint Timing,
// two frames stand in for it; a page that does not paint (a hidden tab) goes
// on after a few seconds.
gk.afterFirstPaint = new Promise((resolve) => {
  // A promise settles once, so whichever signal comes first wins. The paint
  // entry's callback is itself a task after the paint, so it resolves at once
  // (no timer: a page whose timers are held, as in a frozen-clock test, would
  // otherwise wait for the 3 s fallback or forever).
  const paintTiming = typeof PerformanceObserver === "function" &&
    (PerformanceObserver.supportedEntryTypes || []).includes("paint");
  if (paintTiming) {
    const observer = new PerformanceObserver((list) => {
      if (list.getEntries().some((e) => e.name === "first-contentful-paint")) { observer.disconnect(); resolve(); }
    });
    observer.observe({ type: "paint", buffered: true });
  } else {
    requestAnimationFrame(() => requestAnimationFrame(resolve));
  }
  setTimeout(resolve, 3000);
});

const net = document.getElementById("net");
const ready = document.getElementById("ready");
const banner = document.getElementById("banner");
const bannerText = document.getElementById("banner-text");
const bannerAction = document.getElementById("banner-action");

function showNetwork() {
  const online = navigator.onLine;
  document.documentElement.classList.toggle("is-offline", !online);
  net.textContent = online ? "" : "Uden net – feltværktøjet virker stadig";
  showReady();
}

// "Klar uden net" stays in the header for as long as the service worker holds
// the kit, rather than a banner that goes after a few seconds. It is not a
// live region: a fact that stays need not be announced on every page. Its
// room in the header is kept while it is hidden, so its arrival moves nothing.
let kitCached = false;
function showReady() {
  ready.classList.toggle("is-on", kitCached && navigator.onLine);
}
addEventListener("online", showNetwork);
addEventListener("offline", showNetwork);
showNetwork();

function showBanner(text, action) {
  bannerText.textContent = text;
  bannerAction.hidden = !action;
  bannerAction.onclick = action || null;
  banner.hidden = false;
}

let updateAccepted = false;

function offerUpdate(worker) {
  showBanner("Ny version klar", () => {
    updateAccepted = true;
    bannerAction.disabled = true;
    worker.postMessage({ type: "SKIP_WAITING" });
  });
  bannerAction.textContent = "Genindlæs";
}

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  const hadController = Boolean(navigator.serviceWorker.controller);
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // The first install takes control without a reload; only an accepted
    // update reloads, and only once.
    if (!updateAccepted || reloading) return;
    reloading = true;
    location.reload();
  });
  const reg = await navigator.serviceWorker.register("/sw.js", { scope: "/", updateViaCache: "none" });
  if (reg.waiting && hadController) offerUpdate(reg.waiting);
  reg.addEventListener("updatefound", () => {
    const worker = reg.installing;
    worker.addEventListener("statechange", () => {
      if (worker.state === "installed" && navigator.serviceWorker.controller) offerUpdate(worker);
    });
  });
  // "ready" resolves once a worker has installed, i.e. the whole kit is cached.
  navigator.serviceWorker.ready.then(() => {
    kitCached = true;
    showReady();
  });
  // A worker left open all shift should still notice a deploy.
  setInterval(() => reg.update().catch(() => {}), 30 * 60 * 1000);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && navigator.onLine) reg.update().catch(() => {});
  });
}

registerWorker().catch((err) => console.warn("Service worker not registered:", err));

// The sync status and its outbox (and with them /api/session) load once the
// page has painted and loaded: they must never delay the field kit.
const loaded = document.readyState === "complete" ? Promise.resolve()
  : new Promise((resolve) => addEventListener("load", resolve, { once: true }));
if (gk.phoneUsed()) {
  Promise.all([gk.afterFirstPaint, loaded]).then(() => import("./sync-status.js"))
    .catch((err) => console.warn("No sync status:", err));
}

// Safety at the door on /bvc and /timer: the team's places come from the
// session cached at a login, so only a phone that has had one has any.
if (document.getElementById("place-door") && gk.phoneUsed()) {
  import("./place-door.js").catch((err) => console.warn("No places at the door:", err));
}

// A running check-in timer, as a chip on every page (it floats: no layout shift).
gk.afterFirstPaint.then(() => import("./timer-chip.js"))
  .catch((err) => console.warn("No timer chip:", err));

// Right after a login (login.js notes it), the offer to choose a PIN.
try {
  if (sessionStorage.getItem("gk.pinOffer") === "1") {
    Promise.all([gk.afterFirstPaint, loaded]).then(() => import("./pin-offer.js")).then((m) => m.offerPin())
      .catch((err) => console.warn("No PIN offer:", err));
  }
} catch { /* storage blocked */ }

// The idle lock, only where there is a citizen list to lock. A page that
// shows citizens' data from the server loads it at once (it hides that data
// when the lock has fallen); elsewhere it waits for the first paint, so it
// never delays the BVC.
try {
  const serverData = document.body.hasAttribute("data-citizen-data");
  if (serverData || localStorage.getItem("gk.vault")) {
    (serverData ? Promise.resolve() : gk.afterFirstPaint).then(() => import("./lock.js"))
      .then((m) => m.startIdleLock()).catch(() => {});
  }
} catch { /* storage blocked: nothing to lock either */ }

// A lost phone's wipe run by the service worker could not reach localStorage
// (the team's rules, workers, pair): the first page opened afterwards
// finishes it, then reloads so nothing read from there stays on screen
// (handin.js). Only a phone that keeps something there has anything to check.
try {
  if (localStorage.length) {
    Promise.all([import("./idb.js"), import("./handin.js")]).then(() => gk.handin.finishWipe())
      .then((wiped) => { if (wiped) location.reload(); }).catch(() => {});
  }
} catch { /* storage blocked: nothing kept there to wipe */ }
