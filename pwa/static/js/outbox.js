// The outbox: records made on the phone wait here, in IndexedDB, sealed,
// until the server has confirmed each one (sync.js uploads them). A plain
// script on self.gk (see idb.js), so the pages and the service worker's
// Background Sync share it.
//
// The rules that keep a record from being lost or doubled:
// - every record gets its UUID on the phone, once, and the server stores by
//   that UUID, so any retry is harmless;
// - a record leaves the outbox only when the server answered "stored" or
//   "duplicate" for its id; "refused" keeps it, flagged, until the worker
//   discards it;
// - one upload at a time across tabs and the service worker, in creation
//   order, so a new citizen reaches the server before the encounters that
//   name it (sync.js).
(function (root) {
  "use strict";
  const gk = root.gk || (root.gk = {});
  const db = () => gk.idb;

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
      await gk.session.refresh().catch(() => {});
      sealKey = await db().get("kv", "seal_key");
    }
    // Bound to the team it is written in and to this phone (seal.js), both
    // known offline: the session cached at the last login holds the device
    // id the server gave it, and device.js the phone's own.
    const session = await gk.session.cached();
    const device = (session && session.device && session.device.id) || await gk.device.known();
    const sealed = [];
    for (const record of records) sealed.push(await gk.seal(record, sealKey, { team, device }));
    await gk.citizens.remember(records, meta);
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
    gk.changes.notify();
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
    gk.changes.notify();
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

  gk.outbox = { add, list, discard };
})(self);
