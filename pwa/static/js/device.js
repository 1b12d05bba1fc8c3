// This phone's id, and the random ids it gives each record and timer event.
// A plain script on self.gk (see idb.js): the pages import it, and the
// service worker loads it with importScripts to tell the server which phone
// asks.
//
// The device id is made once, kept in localStorage and sent with the login
// form (login.js), so the team can see its phones and shut out a lost one.
// The service worker has no localStorage, so a page copies it into IndexedDB.
(function (root) {
  "use strict";
  const gk = root.gk || (root.gk = {});
  const KEY = "gk.device";

  // RFC 4122 version 4. getRandomValues stands in where randomUUID is
  // missing: older browsers, and any page not served from a secure origin.
  function uuid() {
    if (root.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function stored() {
    try { return localStorage.getItem(KEY); } catch { return null; }  // blocked, or in the service worker
  }

  // The id for the login form: made on the first login, then always the same.
  function id() {
    let value = stored();
    if (!value) {
      value = uuid();
      try { localStorage.setItem(KEY, value); } catch { /* a new id each time, then */ }
    }
    return value;
  }

  // The id the server knows this phone by, or null before its first login
  // (never made here: only a login registers a phone).
  async function known() {
    const value = stored();
    if (!value) return (await gk.idb.get("kv", "device")) || null;
    await gk.idb.set("kv", "device", value);
    return value;
  }

  gk.device = { id, known, uuid };
})(self);
