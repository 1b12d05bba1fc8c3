// Requests from the phone's data code to the server's /api (pwa/api.py):
// same origin, never from the HTTP cache, JSON, and a time limit, so a hung
// request becomes a retry instead of a stuck outbox. A plain script on
// self.gk (see idb.js).
(function (root) {
  "use strict";
  const gk = root.gk || (root.gk = {});
  const TIMEOUT = 30000;

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

  gk.api = { request, HttpError };
})(self);
