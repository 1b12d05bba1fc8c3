// A small promise wrapper around IndexedDB, in the spirit of idb-keyval.
// Written as a plain script that hangs itself on self.gk so the same file
// serves the pages (imported for its side effect) and the service worker
// (importScripts, which every browser with a service worker supports; module
// service workers do not work everywhere yet).
(function (root) {
  "use strict";
  const NAME = "gadekontakt";
  const VERSION = 1;
  let opening = null;

  function open() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const req = indexedDB.open(NAME, VERSION);
        req.onupgradeneeded = () => {
          const db = req.result;
          // Creation order is the auto-increment key; the record's UUID is
          // unique, so the same record can never be queued twice.
          const outbox = db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
          outbox.createIndex("id", "id", { unique: true });
          db.createObjectStore("kv");
        };
        req.onsuccess = () => {
          const db = req.result;
          // Let a newer version of the app upgrade the schema in another tab.
          db.onversionchange = () => { db.close(); opening = null; };
          resolve(db);
        };
        req.onerror = () => { opening = null; reject(req.error); };
      });
    }
    return opening;
  }

  // Run `fn(store, ...)` in one transaction and resolve with what it returned
  // (an IDBRequest is replaced by its result, a function by what it returns
  // then) once the transaction has committed: a resolved write is on disk,
  // not merely queued.
  async function tx(names, mode, fn) {
    const db = await open();
    const list = [].concat(names);
    return new Promise((resolve, reject) => {
      const t = db.transaction(list, mode, { durability: mode === "readwrite" ? "strict" : "default" });
      const out = fn(...list.map((n) => t.objectStore(n)));
      t.oncomplete = () => resolve(out instanceof IDBRequest ? out.result : typeof out === "function" ? out() : out);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error || new DOMException("Transaction aborted", "AbortError"));
    });
  }

  const idb = {
    tx,
    get: (store, key) => tx(store, "readonly", (s) => s.get(key)),
    all: (store) => tx(store, "readonly", (s) => s.getAll()),
    set: (store, key, value) => tx(store, "readwrite", (s) => { s.put(value, key); }),
    del: (store, key) => tx(store, "readwrite", (s) => { s.delete(key); }),
  };

  (root.gk || (root.gk = {})).idb = idb;
})(self);
