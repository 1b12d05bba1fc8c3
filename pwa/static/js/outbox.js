// The outbox: records made on the phone wait here, in IndexedDB, until the
// server has confirmed each one. A plain script on self.gk (see idb.js) so
// the pages and the service worker's Background Sync run the same upload.
//
// The rules that keep a record from being lost or doubled:
// - every record gets its UUID on the phone, once, and the server stores by
//   that UUID, so any retry is harmless;
// - a record leaves the outbox only when the server answered "stored" or
//   "duplicate" for its id; "refused" keeps it, flagged, until the worker
//   discards it;
// - one upload at a time across tabs and the service worker (Web Locks),
//   in creation order, so a new citizen reaches the server before the
//   encounters that name it.
(function (root) {
  "use strict";
  const gk = root.gk || (root.gk = {});
  const BATCH = 100;            // records per request (the server takes up to 500)
  const TIMEOUT = 30000;        // a hung request becomes a retry, not a stuck outbox
  const LOCK = "gk-outbox";
  const TAG = "gk-outbox";
  // Six digits, an optional dash or space, four digits: the shape of a CPR
  // number, as the server checks it. No lookbehind, for older Safari.
  const CPR = /(^|\D)\d{6}[- ]?\d{4}(?!\d)/;

  const events = new EventTarget();
  const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("gk-outbox") : null;
  if (channel) channel.onmessage = () => events.dispatchEvent(new Event("change"));
  let busy = false;

  const db = () => gk.idb;

  function notify() {
    events.dispatchEvent(new Event("change"));
    if (channel) channel.postMessage("change");
  }

  function newId() {
    if (root.crypto && crypto.randomUUID) return crypto.randomUUID();
    // RFC 4122 version 4 from getRandomValues, for browsers before randomUUID.
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function looksLikeCpr(text) {
    return CPR.test(text || "");
  }

  // --- the queue -----------------------------------------------------------

  // Queue records in one transaction: a new citizen and its first encounter
  // are saved together or not at all. A record whose id is already queued is
  // skipped, so saving the same form twice still queues it once.
  // `replaces` names a refused entry the new records correct: it leaves in
  // the same transaction, so the correction and the refusal never both wait
  // and never both vanish. (A waiting or sent record is corrected instead by
  // a record that `amends` it: it may already be stored on the server.)
  async function add(records, { team, meta = {}, replaces = null } = {}) {
    const now = new Date().toISOString();
    // Sealed before it touches storage: the phone cannot read it back, only
    // the server can (issue 8). What stays in clear is what the outbox list
    // needs: the kind, the time, the (random) citizen id and, for a
    // correction, the (random) id of the record it amends.
    // The server's public key outlives a logout: a contact saved after the
    // session lapsed must still be sealed and kept for the next login.
    let sealKey = await db().get("kv", "seal_key");
    if (!sealKey) {
      // First save right after login, before the page's session check ran.
      await refreshSession().catch(() => {});
      sealKey = await db().get("kv", "seal_key");
    }
    const sealed = [];
    for (const record of records) sealed.push(await gk.seal(record, sealKey));
    await rememberInVault(records, meta);
    const added = await db().tx("outbox", "readwrite", (store) => {
      let count = 0;
      if (replaces) deleteIfRefused(store, replaces);
      records.forEach((record, i) => {
        const summary = { occurred_at: record.occurred_at || null, citizen_id: record.citizen_id || null,
                          amends: record.amends || null };
        const req = store.add({ id: record.id, kind: record.kind, sealed: sealed[i], team, created_at: now,
                                status: "waiting", error: null, meta: summary });
        req.onsuccess = () => { count += 1; };
        req.onerror = (e) => {
          if (req.error && req.error.name === "ConstraintError") e.preventDefault();
        };
      });
      return () => count;
    });
    notify();
    askToPersist();
    return added;
  }

  function list() {
    return db().all("outbox");
  }

  // Only a refused record can be discarded or replaced, and only on purpose:
  // a waiting one may already be on the server, so it is amended instead.
  function deleteIfRefused(store, id) {
    const req = store.index("id").get(id);
    req.onsuccess = () => {
      if (req.result && req.result.status === "refused") store.delete(req.result.seq);
    };
  }

  async function discard(id) {
    await db().tx("outbox", "readwrite", (store) => deleteIfRefused(store, id));
    notify();
  }

  async function status() {
    const [entries, lastSync, authNeeded, lastError] = await Promise.all([
      list(), db().get("kv", "last_sync"), db().get("kv", "auth_needed"), db().get("kv", "last_error")]);
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

  // Storage the browser may not evict: asked once, on the first save, since
  // that is when there is something worth keeping.
  async function askToPersist() {
    try {
      const storage = root.navigator && navigator.storage;
      if (!storage || !storage.persist || await db().get("kv", "persist_asked")) return;
      await db().set("kv", "persist_asked", true);
      if (!(await storage.persisted())) await storage.persist();
    } catch { /* not granted is fine: the outbox works either way */ }
  }

  // --- session and the team's lists, cached for use offline ----------------

  async function request(url, options = {}) {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), TIMEOUT);
    try {
      return await fetch(url, Object.assign({ credentials: "same-origin", cache: "no-store",
                                              headers: { Accept: "application/json" } }, options,
                                            { signal: ctrl.signal }));
    } finally {
      clearTimeout(timer);
    }
  }

  class HttpError extends Error {
    constructor(status, message) { super(message || `HTTP ${status}`); this.status = status; }
  }

  // Who is logged in, with the team's workers and places. Logged out means
  // the team's citizen list leaves the phone at once (least data).
  async function deviceId() {
    let id = null;
    try { id = localStorage.getItem("gk.device"); } catch { /* in the service worker */ }
    if (id) await db().set("kv", "device", id); else id = await db().get("kv", "device");
    return id;
  }

  async function refreshSession() {
    const device = await deviceId();
    const resp = await request("/api/session", device ? { headers: { Accept: "application/json", "X-Device-Id": device } } : {});
    if (!resp.ok) throw new HttpError(resp.status);
    const s = await resp.json();
    if (s.device_lost) {
      await handInAndWipe(device);
      return s;
    }
    if (s.user) {
      const before = await cachedSession();
      if (before && before.team && before.team.id !== s.team.id && gk.vault) await gk.vault.wipe();
      await db().set("kv", "session", {
        user: { id: s.user.id, name: s.user.name }, team: s.team, workers: s.workers, places: s.places,
        at: new Date().toISOString() });
      if (s.seal_key) await db().set("kv", "seal_key", s.seal_key);
      if (s.phone_policy) await db().set("kv", "policy", s.phone_policy);
      await db().del("kv", "auth_needed");
    } else if (await cachedSession()) {
      // Logged out: the citizen list goes; the sealed outbox stays for the next login.
      await db().del("kv", "session");
      if (gk.vault) await gk.vault.wipe();
    }
    notify();
    return s;
  }

  function cachedSession() {
    return db().get("kv", "session");
  }

  // The team's citizens, reduced to what the phone needs to pick one and see
  // the last risk band. Only while logged in.
  async function refreshCitizens() {
    const session = await cachedSession();
    if (!session) return null;
    const resp = await request("/api/citizens");
    if (resp.status === 401) {
      await db().del("kv", "session");
      if (gk.vault) await gk.vault.wipe();
      notify();
      return null;
    }
    if (!resp.ok) throw new HttpError(resp.status);
    const body = await resp.json();
    const list = body.citizens.map((c) => ({
      id: c.id, alias: c.alias, description: c.description, last_band: c.last_band,
      last_bvc_at: c.last_bvc_at, last_stage: c.last_stage }));
    if (!gk.vault || (await gk.vault.state()) !== "unlocked") return null;  // no PIN, no list
    const pending = ((await gk.vault.readList()) || []).filter((c) => c.pending && !list.some((l) => l.id === c.id));
    await gk.vault.saveList(list.concat(pending));
    notify();
    return list;
  }

  // What the phone knows of the team's citizens lives only in the PIN vault:
  // the server's list plus citizens and bands saved here and not yet sent.
  // Locked (or no PIN yet) means an empty list, never a readable one.
  async function rememberInVault(records, meta) {
    if (!gk.vault || (await gk.vault.state()) !== "unlocked") return;
    const list = (await gk.vault.readList()) || [];
    const byId = new Map(list.map((c) => [c.id, c]));
    for (const r of records) {
      if (r.kind === "citizen") {
        byId.set(r.id, { id: r.id, alias: r.alias, description: r.description || "", last_band: null,
                         last_bvc_at: null, last_stage: null, pending: true });
      } else if (r.citizen_id && byId.has(r.citizen_id)) {
        const c = byId.get(r.citizen_id);
        const band = (meta[r.id] || {}).band;
        if (band && (!c.last_bvc_at || r.occurred_at > c.last_bvc_at)) {
          c.last_band = band;
          c.last_bvc_at = r.occurred_at;
        }
        if (r.stage) c.last_stage = r.stage;
      }
    }
    await gk.vault.saveList([...byId.values()]);
  }

  async function knownCitizens() {
    const session = await cachedSession();
    if (!session || !gk.vault) return [];
    const list = (await gk.vault.readList()) || [];
    return list.slice().sort((a, b) => a.alias.localeCompare(b.alias, "da"));
  }

  // Everything personal leaves the phone: on logout, and after a lost phone
  // has handed in its outbox. The field kit's cached pages stay: it must work.
  async function wipeLocal() {
    if (gk.vault) await gk.vault.wipe();
    await db().tx(["outbox", "kv"], "readwrite", (outbox, kv) => { outbox.clear(); kv.clear(); });
    try { localStorage.clear(); sessionStorage.clear(); } catch { /* not in a worker */ }
    notify();
  }

  // A phone an administrator reported lost hands its sealed outbox to the
  // server's quarantine (nothing is lost), then deletes all local data.
  async function handInAndWipe(deviceId) {
    const waiting = (await list()).filter((e) => e.sealed);
    if (waiting.length) {
      const resp = await request("/api/quarantine", {
        method: "POST", body: JSON.stringify({ records: waiting.map((e) => e.sealed) }),
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-Device-Id": deviceId } });
      if (!resp.ok) throw new HttpError(resp.status);
    }
    await wipeLocal();
    events.dispatchEvent(new Event("wiped"));
    if (channel) channel.postMessage("wiped");
  }

  // --- upload --------------------------------------------------------------

  function withLock(fn) {
    // Without Web Locks (older browsers) two uploads may overlap; the server's
    // idempotency still stores each record once.
    if (root.navigator && navigator.locks) return navigator.locks.request(LOCK, fn);
    return fn();
  }

  async function failed(message) {
    await db().set("kv", "last_error", { at: new Date().toISOString(), message });
    notify();
    return { ok: false, retry: true, message };
  }

  async function loginNeeded() {
    await db().set("kv", "auth_needed", true);
    await db().del("kv", "session");
    if (gk.vault) await gk.vault.wipe();
    notify();
    return { ok: false, auth: true };
  }

  // Apply the server's answer: drop exactly the records it confirmed by id,
  // flag the refused ones with the reason, leave anything unanswered queued.
  async function apply(batch, results) {
    const byId = new Map(results.filter((r) => r && typeof r.id === "string").map((r) => [r.id, r]));
    const counts = { stored: 0, duplicate: 0, refused: 0 };
    await db().tx("outbox", "readwrite", (store) => {
      for (const entry of batch) {
        const r = byId.get(entry.id);
        if (!r) continue;
        if (r.status === "stored" || r.status === "duplicate") {
          store.delete(entry.seq);
          counts[r.status] += 1;
        } else if (r.status === "refused") {
          store.put(Object.assign({}, entry, { status: "refused",
                                               error: r.error || { field: null, message: "Afvist af serveren" } }));
          counts.refused += 1;
        }
      }
    });
    return counts;
  }

  async function syncOnce() {
    const waiting = (await list()).filter((e) => e.status === "waiting");
    if (!waiting.length) return { ok: true, sent: 0 };
    if (root.navigator && navigator.onLine === false) return { ok: false, offline: true };
    let session;
    try {
      session = await refreshSession();
    } catch (e) {
      return failed(e.status ? `Serveren svarede ${e.status}` : "Ingen forbindelse til serveren");
    }
    if (!session.user) return loginNeeded();
    let csrf = session.csrf_token;
    let csrfRetried = false;
    const total = { ok: true, sent: 0, stored: 0, duplicate: 0, refused: 0 };
    for (;;) {
      const batch = (await list()).filter((e) => e.status === "waiting" && e.team === session.team.id).slice(0, BATCH);
      if (!batch.length) break;
      let resp;
      try {
        resp = await request("/api/sync", {
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
        try { session = await refreshSession(); } catch { return failed("Ingen forbindelse til serveren"); }
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
      notify();
      total.stored += counts.stored;
      total.duplicate += counts.duplicate;
      total.refused += counts.refused;
      total.sent += counts.stored + counts.duplicate;
      // An answer that settled nothing would loop forever; stop and retry later.
      if (counts.stored + counts.duplicate + counts.refused === 0) return failed("Serveren svarede uventet");
    }
    return total;
  }

  // One upload at a time in this context; a call during an upload makes it
  // run once more at the end, so a record saved meanwhile is not left behind.
  let running = null;
  let again = false;
  function sync() {
    if (running) { again = true; return running; }
    running = (async () => {
      busy = true;
      notify();
      let result;
      try {
        do {
          again = false;
          result = await withLock(syncOnce);
        } while (again && result.ok);
        if (result.sent) await refreshCitizens().catch(() => {});
      } finally {
        busy = false;
        running = null;
        notify();
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

  gk.outbox = { TAG, events, newId, looksLikeCpr, add, list, discard, status, sync, refreshSession,
                cachedSession, refreshCitizens, knownCitizens, registerBackgroundSync, wipeLocal };
})(self);
