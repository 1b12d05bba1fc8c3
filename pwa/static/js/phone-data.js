// The phone's data code, for the pages: the IndexedDB store, sealing, the PIN
// vault, the device id, the change signal, the server's API, the lost-phone
// hand-in, the session, the citizen list, the outbox and its upload.
//
// Each is a plain script that hangs itself on self.gk, because the service
// worker loads the same files with importScripts for Background Sync (no
// module service workers everywhere yet). So they have no imports of their
// own: this list loads them, in this order, and sw.js loads exactly this list
// (assets.worker_scripts reads it). Nothing here may touch the DOM or
// localStorage without a guard: the worker has neither.
import "./idb.js";
import "./seal.js";
import "./vault.js";
import "./device.js";
import "./changes.js";
import "./api.js";
import "./handin.js";
import "./session.js";
import "./citizen-cache.js";
import "./outbox.js";
import "./sync.js";

export const { idb, vault, device, changes, session, citizens, outbox, sync } = self.gk;
