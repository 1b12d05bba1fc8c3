// The upload of the outbox (outbox.js) to POST /api/sync, and what the phone
// knows of it: what waits, when it last went, whether a login is needed.
// A plain script on self.gk (see idb.js): the pages run it (sync-status.js
// has their triggers) and so does the service worker on a Background Sync.
(function (root) {
  "use strict";
  const gk = root.gk || (root.gk = {});
  const BATCH = 100;            // records per request (the server takes up to 500)
  const LOCK = "gk-outbox";
  const TAG = "gk-outbox";
  const db = () => gk.idb;
  let busy = false;

  async function status() {
    const [entries, lastSync, authNeeded, lastError] = await Promise.all([
      gk.outbox.list(), db().get("kv", "last_sync"), db().get("kv", "auth_needed"), db().get("kv", "last_error")]);
    // Counted as the worker thinks of them: contacts, plus a new citizen
    // only if no waiting contact carries it along.
    const waiting = entries.filter((e) => e.status === "waiting");
    // A contact and its waiting correction are one contact to the worker.
    const corrected = new Set(waiting.map((e) => e.meta && e.meta.amends).filter(Boolean));
    const contacts = waiting.filter((e) => e.kind === "encounter" && !corrected.has(e.id));
    const named = new Set(contacts.map((e) => e.meta && e.meta.citizen_id));
    const citizens = waiting.filter((e) => e.kind === "citizen");
    return {
      waiting: contacts.length + citizens.filter((e) => !named.has(e.id)).length,
      contacts: contacts.length,
      citizens: citizens.length,
      records: waiting.length,
      refused: entries.filter((e) => e.status === "refused").length,
      lastSync: lastSync || null,
      authNeeded: Boolean(authNeeded),
      lastError: lastError || null,
      busy,
    };
  }

  function withLock(fn) {
    // One upload at a time across tabs and the service worker. Without Web
    // Locks (older browsers) two may overlap; the server's idempotency still
    // stores each record once.
    if (root.navigator && navigator.locks) return navigator.locks.request(LOCK, fn);
    return fn();
  }

  async function failed(message) {
    await db().set("kv", "last_error", { at: new Date().toISOString(), message });
    gk.changes.notify();
    return { ok: false, retry: true, message };
  }

  async function loginNeeded() {
    await gk.session.forget({ loginNeeded: true });
    gk.changes.notify();
    return { ok: false, auth: true };
  }

  // Apply the server's answer: drop exactly the records it confirmed by id,
  // flag the refused ones with the reason, leave anything unanswered queued.
  // A conflict (the server holds other content under this id) is kept like
  // a refusal, marked, so the worker corrects or discards this copy: it is
  // never dropped as if the server had it.
  async function apply(batch, results) {
    const byId = new Map(results.filter((r) => r && typeof r.id === "string").map((r) => [r.id, r]));
    const counts = { stored: 0, duplicate: 0, refused: 0, conflict: 0 };
    await db().tx("outbox", "readwrite", (store) => {
      for (const entry of batch) {
        const r = byId.get(entry.id);
        if (!r) continue;
        if (r.status === "stored" || r.status === "duplicate") {
          store.delete(entry.seq);
          counts[r.status] += 1;
        } else if (r.status === "refused" || r.status === "conflict") {
          store.put(Object.assign({}, entry, { status: "refused", conflict: r.status === "conflict",
                                               error: r.error || { field: null, message: "Afvist af serveren" } }));
          counts[r.status] += 1;
        }
      }
    });
    return counts;
  }

  async function syncOnce() {
    const waiting = (await gk.outbox.list()).filter((e) => e.status === "waiting");
    if (!waiting.length) return { ok: true, sent: 0 };
    if (root.navigator && navigator.onLine === false) return { ok: false, offline: true };
    let session;
    try {
      session = await gk.session.refresh();
    } catch (e) {
      return failed(e.status ? `Serveren svarede ${e.status}` : "Ingen forbindelse til serveren");
    }
    if (!session.user) return loginNeeded();
    let csrf = session.csrf_token;
    let csrfRetried = false;
    const total = { ok: true, sent: 0, stored: 0, duplicate: 0, refused: 0, conflict: 0 };
    for (;;) {
      // Only records written in the team now logged in: never sent to another.
      const batch = (await gk.outbox.list()).filter((e) => e.status === "waiting" && e.team === session.team.id)
        .slice(0, BATCH);
      if (!batch.length) break;
      let resp;
      try {
        resp = await gk.api.request("/api/sync", {
          method: "POST", body: JSON.stringify({ records: batch.map((e) => e.sealed || e.record) }),
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf } });
      } catch {
        return failed("Ingen forbindelse til serveren");
      }
      if (resp.status === 401) return loginNeeded();
      let body = null;
      try { body = await resp.json(); } catch { /* not JSON: handled by status below */ }
      if (resp.status === 400 && body && body.error && body.error.field === "csrf_token" && !csrfRetried) {
        // The token lapsed (or the session was renewed): fetch a fresh one, once.
        csrfRetried = true;
        try { session = await gk.session.refresh(); } catch { return failed("Ingen forbindelse til serveren"); }
        if (!session.user) return loginNeeded();
        csrf = session.csrf_token;
        continue;
      }
      if (!resp.ok || !body || !Array.isArray(body.results)) {
        return failed((body && body.error && body.error.message) || `Serveren svarede ${resp.status}`);
      }
      const counts = await apply(batch, body.results);
      await db().set("kv", "last_sync", new Date().toISOString());
      await db().del("kv", "last_error");
      gk.changes.notify();
      total.stored += counts.stored;
      total.duplicate += counts.duplicate;
      total.refused += counts.refused;
      total.conflict += counts.conflict;
      total.sent += counts.stored + counts.duplicate;
      // An answer that settled nothing would loop forever; stop and retry later.
      if (counts.stored + counts.duplicate + counts.refused + counts.conflict === 0) {
        return failed("Serveren svarede uventet");
      }
    }
    return total;
  }

  // One upload at a time in this context; a call during an upload makes it
  // run once more at the end, so a record saved meanwhile is not left behind.
  let running = null;
  let again = false;
  function run() {
    if (running) { again = true; return running; }
    running = (async () => {
      busy = true;
      gk.changes.notify();
      let result;
      try {
        do {
          again = false;
          result = await withLock(syncOnce);
        } while (again && result.ok);
        if (result.sent) await gk.citizens.refresh().catch(() => {});
      } finally {
        busy = false;
        running = null;
        gk.changes.notify();
      }
      return result;
    })();
    return running;
  }

  // Ask the browser to run the upload when it next has a connection, even if
  // the app is closed by then (Chromium). Never the only trigger.
  async function registerBackgroundSync() {
    try {
      if (!("serviceWorker" in navigator)) return;
      const reg = await navigator.serviceWorker.ready;
      if (reg.sync) await reg.sync.register(TAG);
    } catch { /* not supported or not allowed: the page's own triggers remain */ }
  }

  gk.sync = { TAG, run, status, registerBackgroundSync };
})(self);
