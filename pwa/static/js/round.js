// Today's round on /round: pick the team's places, put them in order, save;
// then tick each one off as it is visited. Works with no signal: the places
// come from the session cached at the last login, the rounds from this
// phone's copy (IndexedDB kv "rounds"), and each round and each tick is a
// record of its own, sealed and queued in the outbox like a contact and sent
// exactly once by sync.js. With a signal the team's rounds of the day come
// from GET /api/rounds, so the partner's ticks show here too.
import { changes, device, idb, outbox, session } from "./phone-data.js";
import { describe } from "./place-info.js";

const $ = (id) => document.getElementById(id);
const KEY = "rounds";
let places = [];
let me = null;
let chosen = [];

function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

function clock(iso) {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

async function stored() {
  const all = (await idb.get("kv", KEY)) || [];
  return all.filter((r) => r.day === today());
}

async function store(rounds) {
  await idb.set("kv", KEY, rounds);
}

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

function button(text, label, onClick) {
  const b = el("button", text, "btn btn-secondary btn-small");
  b.type = "button";
  if (label) b.setAttribute("aria-label", label);
  b.addEventListener("click", onClick);
  return b;
}

// --- the rounds of today --------------------------------------------------------

function stopItem(round, stop, index) {
  const place = places.find((p) => p.id === stop.place_id);
  const li = el("li", null, "round-stop");
  const tick = round.ticks[stop.place_id];
  const label = el("label", null, "check round-tick");
  const box = document.createElement("input");
  box.type = "checkbox";
  box.checked = Boolean(tick);
  box.disabled = Boolean(tick);
  box.dataset.place = stop.place_id;
  const name = el("span");
  name.append(el("strong", `${index + 1}. ${stop.name}`), stop.area ? ` (${stop.area})` : "");
  label.append(box, " ", name);
  li.append(label);
  li.append(el("p", tick ? `Besøgt kl. ${clock(tick.done_at)}${tick.by ? ` af ${tick.by}` : ""}` : "Ikke besøgt endnu",
               "small round-done"));
  if (place) li.append(...describe(place));
  box.addEventListener("change", () => tickOff(round, stop, box));
  return li;
}

function render(rounds) {
  const list = $("round-list");
  list.replaceChildren(...rounds.map((round) => {
    const wrap = el("div", null, "round");
    wrap.dataset.round = round.id;
    const done = round.stops.filter((s) => round.ticks[s.place_id]).length;
    wrap.append(el("p", `${round.by ? `Lavet af ${round.by} kl. ${clock(round.created_at)} · ` : ""}` +
                       `${done} af ${round.stops.length} besøgt${round.sent ? "" : " · ikke sendt endnu"}`, "small"));
    const ol = el("ol", null, "round-stops");
    ol.append(...round.stops.map((s, i) => stopItem(round, s, i)));
    wrap.append(ol);
    return wrap;
  }));
  $("round-today").hidden = rounds.length === 0;
}

async function tickOff(round, stop, box) {
  box.disabled = true;
  const done_at = new Date().toISOString();
  const record = { kind: "round_tick", id: device.uuid(), round_id: round.id, place_id: stop.place_id, done_at };
  const cached = await session.cached();
  await outbox.add([record], { team: cached.team.id });
  const rounds = await stored();
  const mine = rounds.find((r) => r.id === round.id);
  if (mine && !mine.ticks[stop.place_id]) mine.ticks[stop.place_id] = { done_at, by: me, id: record.id };
  await store(rounds);
  $("round-status").textContent = `${stop.name} er krydset af.`;
  document.dispatchEvent(new Event("gk:sync"));
  await show();
}

// --- a new round ----------------------------------------------------------------

function renderNew() {
  const pick = $("round-pick");
  pick.replaceChildren(...places.map((p) => {
    const label = el("label", null, "check");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = p.id;
    box.checked = chosen.includes(p.id);
    box.addEventListener("change", () => {
      chosen = box.checked ? [...chosen, p.id] : chosen.filter((id) => id !== p.id);
      renderOrder();
    });
    label.append(box, " ", el("span", p.area ? `${p.name} (${p.area})` : p.name));
    return label;
  }));
  renderOrder();
}

function move(i, by) {
  const j = i + by;
  if (j < 0 || j >= chosen.length) return;
  [chosen[i], chosen[j]] = [chosen[j], chosen[i]];
  renderOrder();
}

function renderOrder() {
  const ol = $("round-order");
  ol.replaceChildren(...chosen.map((id, i) => {
    const p = places.find((x) => x.id === id);
    const li = el("li", null, "round-order-item");
    // The number is text: a flex item has no list marker.
    li.append(el("span", `${i + 1}. ${p.name}`),
              button("↑", `Flyt ${p.name} op`, () => move(i, -1)),
              button("↓", `Flyt ${p.name} ned`, () => move(i, 1)));
    return li;
  }));
  $("round-order-empty").hidden = chosen.length > 0;
}

async function saveRound() {
  const error = $("round-error");
  if (!chosen.length) {
    error.textContent = "Vælg mindst ét sted til runden.";
    error.hidden = false;
    return;
  }
  error.hidden = true;
  const cached = await session.cached();
  const record = { kind: "round", id: device.uuid(), day: today(), stops: [...chosen],
                   created_at: new Date().toISOString() };
  await outbox.add([record], { team: cached.team.id });
  const rounds = await stored();
  rounds.push({ id: record.id, day: record.day, created_at: record.created_at, by: me, sent: false, ticks: {},
                stops: chosen.map((id) => {
                  const p = places.find((x) => x.id === id);
                  return { place_id: id, name: p.name, area: p.area };
                }) });
  await store(rounds);
  chosen = [];
  renderNew();
  $("round-status").textContent = "Runden er gemt.";
  document.dispatchEvent(new Event("gk:sync"));
  await show();
}

// --- what the team's server knows --------------------------------------------------

async function fetchTeamRounds() {
  const resp = await self.gk.api.request(`/api/rounds?day=${today()}`);
  if (!resp.ok) return;
  const body = await resp.json();
  const rounds = await stored();
  for (const remote of body.rounds) {
    let local = rounds.find((r) => r.id === remote.id);
    if (!local) {
      local = { id: remote.id, day: remote.day, created_at: remote.created_at, ticks: {} };
      rounds.push(local);
    }
    local.by = remote.created_by.name;
    local.stops = remote.stops.map(({ place_id, name, area }) => ({ place_id, name, area }));
    for (const s of remote.stops) {
      if (s.done_at && !local.ticks[s.place_id]) local.ticks[s.place_id] = { done_at: s.done_at, by: s.done_by };
    }
  }
  rounds.sort((a, b) => a.created_at.localeCompare(b.created_at));
  await store(rounds);
}

async function show() {
  const cached = await session.cached();
  const fresh = (cached && cached.place_details) || [];
  // The session may arrive after the page (the first visit after a login):
  // the picker follows the team's places whenever they change.
  const changed = JSON.stringify(fresh) !== JSON.stringify(places);
  places = fresh;
  chosen = chosen.filter((id) => places.some((p) => p.id === id));
  if (changed) renderNew();
  me = cached && cached.user ? cached.user.name : null;
  $("round-login").hidden = Boolean(cached && cached.user);
  $("round-new").hidden = !(cached && cached.user && places.length);
  // Logged in but the team has no places: say so, rather than an empty page.
  $("round-no-places").hidden = !(cached && cached.user && !places.length);
  // Sent is what the outbox no longer holds: the server has confirmed it.
  const waiting = new Set((await outbox.list()).map((e) => e.id));
  const rounds = cached && cached.user ? await stored() : [];
  for (const r of rounds) {
    r.sent = !waiting.has(r.id) && Object.values(r.ticks).every((t) => !waiting.has(t.id));
  }
  render(rounds);
}

async function start() {
  $("round-save").addEventListener("click", () => saveRound().catch((err) => {
    $("round-error").textContent = `Runden blev ikke gemt: ${err.message}`;
    $("round-error").hidden = false;
  }));
  await show();
  changes.events.addEventListener("change", () => show().catch(() => {}));
  const fromTeam = () => fetchTeamRounds().then(show).catch(() => { /* no signal after all: the phone's copy stands */ });
  addEventListener("online", fromTeam);
  if (navigator.onLine) await fromTeam();
}

start().catch((err) => console.warn("No round:", err));
