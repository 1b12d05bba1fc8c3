// Shell behaviour on every page: network state, the service worker's
// "ready offline" and "new version" messages. An update is offered, never
// forced: a reload mid-contact could lose what the worker is looking at.
document.documentElement.classList.add("js");

const net = document.getElementById("net");
const banner = document.getElementById("banner");
const bannerText = document.getElementById("banner-text");
const bannerAction = document.getElementById("banner-action");

function showNetwork() {
  const online = navigator.onLine;
  document.documentElement.classList.toggle("is-offline", !online);
  net.textContent = online ? "" : "Uden net – feltværktøjet virker stadig";
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
  if (!hadController) {
    // "ready" resolves once a worker has installed, i.e. the whole kit is cached.
    navigator.serviceWorker.ready.then(() => {
      showBanner("Klar til brug uden net");
      setTimeout(() => { banner.hidden = true; }, 8000);
    });
  }
  // A worker left open all shift should still notice a deploy.
  setInterval(() => reg.update().catch(() => {}), 30 * 60 * 1000);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && navigator.onLine) reg.update().catch(() => {});
  });
}

registerWorker().catch((err) => console.warn("Service worker not registered:", err));

// The sync status and its outbox load once the page has painted: they must
// never delay the field kit.
addEventListener("load", () => {
  setTimeout(() => import("./sync-status.js").catch((err) => console.warn("No sync status:", err)), 0);
});

// The idle lock, only where there is a citizen list to lock, loaded after the
// page so it never delays the BVC.
try {
  if (localStorage.getItem("gk.vault") || document.body.hasAttribute("data-citizen-data")) {
    import("./lock.js").then((m) => m.startIdleLock()).catch(() => {});
  }
} catch { /* storage blocked: nothing to lock either */ }
