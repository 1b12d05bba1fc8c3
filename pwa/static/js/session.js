// Who is logged in on this phone, with the team's workers and places, cached
// in IndexedDB so the contact form fills in without a signal (and /bvc and
// /timer show a place's safety notes and partners at the door: no citizen
// data, so plain like the rest of the session; docs/security.md says why). Who is logged
// in decides what the phone may keep: logged out, or logged in to another
// team, the team's citizen list leaves the phone at once (least data); the
// sealed outbox stays for the next login. A plain script on self.gk (see
// idb.js), so the service worker's upload checks the session the same way.
(function (root) {
  "use strict";
  const gk = root.gk || (root.gk = {});
  const db = () => gk.idb;

  // The tab bar shows a logged-in worker's own places (app.js reads this on
  // every page, precached or not). Pages only: the worker has no localStorage.
  function note(signedIn) {
    try {
      if (signedIn && gk.markPhoneUsed) gk.markPhoneUsed();   // app.js: this phone has been logged in
      if (signedIn) localStorage.setItem("gk.signedIn", "1"); else localStorage.removeItem("gk.signedIn");
      root.document.documentElement.classList.toggle("signed-in", signedIn);
    } catch { /* the service worker, or storage blocked */ }
  }

  function cached() {
    return db().get("kv", "session");
  }

  // The cached session and the citizen list go; `loginNeeded` also tells the
  // pages that what waits in the outbox needs a login first.
  async function forget({ loginNeeded = false } = {}) {
    if (loginNeeded) await db().set("kv", "auth_needed", true);
    await db().del("kv", "session");
    await db().del("kv", "rounds");   // today's round (round.js): the team's places and who ticked them
    note(false);
    if (gk.vault) await gk.vault.wipe();
  }

  // Ask the server (GET /api/session) and cache its answer. A phone reported
  // lost hands in its outbox and wipes itself instead (handin.js).
  async function refresh() {
    const device = await gk.device.known();
    const resp = await gk.api.request("/api/session",
      device ? { headers: { Accept: "application/json", "X-Device-Id": device } } : {});
    if (!resp.ok) throw new gk.api.HttpError(resp.status);
    const s = await resp.json();
    if (s.device_lost) {
      await gk.handin.handInAndWipe(device);
      return s;
    }
    if (s.user) {
      const before = await cached();
      if (before && before.team && before.team.id !== s.team.id && gk.vault) await gk.vault.wipe();
      await db().set("kv", "session", {
        user: { id: s.user.id, name: s.user.name }, team: s.team, device: s.device, workers: s.workers,
        places: s.places, place_details: s.place_details || [], at: new Date().toISOString() });
      if (s.seal_key) await db().set("kv", "seal_key", s.seal_key);
      if (s.phone_policy) await db().set("kv", "policy", s.phone_policy);
      await db().del("kv", "auth_needed");
      note(true);
    } else if (await cached()) {
      await forget();
    } else {
      note(false);
    }
    gk.changes.notify();
    return s;
  }

  gk.session = { refresh, cached, forget };
})(self);
