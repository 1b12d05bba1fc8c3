// The team's citizens on the phone, reduced to what a worker needs to pick
// one and see the last risk band and stage. The list lives only in the PIN
// vault (vault.js): the server's list plus citizens and bands saved here and
// not yet sent. Locked, or no PIN yet, means an empty list, never a readable
// one. A plain script on self.gk (see idb.js): the service worker refreshes
// it after an upload.
(function (root) {
  "use strict";
  const gk = root.gk || (root.gk = {});

  const unlocked = async () => gk.vault && (await gk.vault.state()) === "unlocked";

  // Fetch the list (GET /api/citizens), only while logged in.
  async function refresh() {
    if (!(await gk.session.cached())) return null;
    const resp = await gk.api.request("/api/citizens");
    if (resp.status === 401) {
      await gk.session.forget();
      gk.changes.notify();
      return null;
    }
    if (!resp.ok) throw new gk.api.HttpError(resp.status);
    const body = await resp.json();
    const list = body.citizens.map((c) => ({
      id: c.id, alias: c.alias, description: c.description, last_band: c.last_band,
      last_bvc_at: c.last_bvc_at, last_stage: c.last_stage }));
    if (!(await unlocked())) return null;  // no PIN, no list
    const pending = ((await gk.vault.readList()) || []).filter((c) => c.pending && !list.some((l) => l.id === c.id));
    await gk.vault.saveList(list.concat(pending));
    gk.changes.notify();
    return list;
  }

  // Records just saved on the phone: a new citizen joins the list, marked
  // pending; an encounter brings its citizen's band (`meta[id].band`) and stage.
  async function remember(records, meta) {
    if (!(await unlocked())) return;
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

  // The list in the order a worker looks for a name.
  async function known() {
    if (!(await gk.session.cached()) || !gk.vault) return [];
    const list = (await gk.vault.readList()) || [];
    return list.slice().sort((a, b) => a.alias.localeCompare(b.alias, "da"));
  }

  gk.citizens = { refresh, remember, known };
})(self);
