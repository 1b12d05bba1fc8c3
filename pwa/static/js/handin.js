// A phone an administrator reported lost hands its sealed outbox to the
// server's quarantine (pwa/quarantine.py), so nothing is lost, then deletes
// everything personal it keeps. The field kit's cached pages stay: it must
// still work. A plain script on self.gk (see idb.js); session.js calls it
// when /api/session says this phone is lost.
(function (root) {
  "use strict";
  const gk = root.gk || (root.gk = {});

  async function wipeLocal() {
    if (gk.vault) await gk.vault.wipe();
    await gk.idb.tx(["outbox", "kv"], "readwrite", (outbox, kv) => { outbox.clear(); kv.clear(); });
    try { localStorage.clear(); sessionStorage.clear(); } catch { /* not in a worker */ }
    gk.changes.notify();
  }

  async function handInAndWipe(deviceId) {
    const waiting = (await gk.idb.all("outbox")).filter((e) => e.sealed);
    if (waiting.length) {
      const resp = await gk.api.request("/api/quarantine", {
        method: "POST", body: JSON.stringify({ records: waiting.map((e) => e.sealed) }),
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-Device-Id": deviceId } });
      if (!resp.ok) throw new gk.api.HttpError(resp.status);
    }
    await wipeLocal();
  }

  gk.handin = { handInAndWipe };
})(self);
