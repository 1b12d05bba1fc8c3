// A phone an administrator reported lost hands its sealed outbox to the
// server's quarantine (pwa/quarantine.py), so nothing is lost, then deletes
// everything it keeps about the team: the outbox, the cached session and
// citizen list, the team's rules, its workers and their phone numbers,
// today's pair, the timer and the device id. The field kit stays: its cached
// pages, and the stage last chosen on them, which says nothing about anyone.
// A plain script on self.gk (see idb.js); session.js calls it when
// /api/session says this phone is lost.
(function (root) {
  "use strict";
  const gk = root.gk || (root.gk = {});
  const BATCH = 100;                 // records per request, as sync.js sends them
  const KIT_KEYS = ["gk.stage"];     // localStorage the field kit keeps on a wiped phone
  const PENDING = "wipe_pending";    // kv: the service worker wiped, a page must finish

  // localStorage and sessionStorage, except the field kit's own choice.
  // Throws where there is none (the service worker).
  function clearWebStorage() {
    for (const key of Object.keys(localStorage)) {
      if (!KIT_KEYS.includes(key)) localStorage.removeItem(key);
    }
    sessionStorage.clear();
  }

  async function wipeLocal() {
    if (gk.vault) await gk.vault.wipe();
    let cleared = false;
    try { clearWebStorage(); cleared = true; } catch { /* the service worker has no localStorage */ }
    // Run by the service worker's Background Sync, the wipe cannot reach
    // localStorage (the team's rules, workers, pair): it leaves a mark, and
    // the next page the phone opens finishes the job (finishWipe, app.js).
    await gk.idb.tx(["outbox", "kv"], "readwrite", (outbox, kv) => {
      outbox.clear();
      kv.clear();
      if (!cleared) kv.put(true, PENDING);
    });
    gk.changes.notify();
  }

  // A page's part of a wipe the service worker began: true if it did one.
  async function finishWipe() {
    if (!(await gk.idb.get("kv", PENDING))) return false;
    clearWebStorage();
    await gk.idb.del("kv", PENDING);
    return true;
  }

  async function handInAndWipe(deviceId) {
    const waiting = (await gk.idb.all("outbox")).filter((e) => e.sealed);
    for (let i = 0; i < waiting.length; i += BATCH) {
      const resp = await gk.api.request("/api/quarantine", {
        method: "POST", body: JSON.stringify({ records: waiting.slice(i, i + BATCH).map((e) => e.sealed) }),
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-Device-Id": deviceId } });
      if (!resp.ok) throw new gk.api.HttpError(resp.status);
    }
    await wipeLocal();
  }

  gk.handin = { handInAndWipe, finishWipe };
})(self);
