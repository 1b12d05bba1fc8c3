// The Brøset Violence Checklist on the phone: the band for a total, and the
// /bvc scorer, which shows total and band on every change and keeps the
// score on the phone (bvc-score.js) so leaving the page, a reload or a login
// loses nothing. The bands and their cut-offs come from the content file,
// which the server renders into data-bands: they are never restated here.
// The contact form (contact-form.js) and the timer take their band from here too.
import { clearScore, handOver, loadScore, pairParts, saveScore, scoreAge } from "./bvc-score.js";

// The band for a total, given the bands from the content file.
export function bandFor(bands, total) {
  const band = bands.find((b) => b.min <= total && total <= b.max);
  if (!band) throw new RangeError(`BVC total out of range: ${total}`);
  return band;
}

// The citizen list loads after the scorer is live and the page has painted
// (see the end): nothing may delay the first paint or the first tap.
let fillCitizenOptions = () => {};
let showLastBand = () => {};

const form = document.getElementById("bvc");
if (form) {
  const $ = (id) => document.getElementById(id);
  const bands = JSON.parse(form.dataset.bands);
  const keepMinutes = Number(form.dataset.scoreKeep);
  const result = $("bvc-result");
  const totalEl = result.querySelector("[data-total]");
  const labelEl = result.querySelector("[data-band-label]");
  const riskHead = $("h-risk");
  const boxes = [...form.querySelectorAll('input[name="items"]')];
  const citizenSelect = $("bvc-citizen");
  const age = $("bvc-age");
  // Start from what the server rendered, so start-up does not repaint it.
  let shownBand = (result.className.match(/band-(\w+)/) || [])[1] || null;
  // The citizen this score is for, by id: kept while the phone's list is
  // locked or not loaded, so it still reaches the contact form.
  let citizenId = null;
  let score = null;

  const ticked = () => boxes.filter((b) => b.checked).map((b) => b.value);
  const who = () => (form.querySelector('input[name="borger"]:checked') || {}).value || null;

  function update() {
    const items = ticked();
    const total = items.length;
    const band = bandFor(bands, total);
    if (totalEl.textContent !== String(total)) totalEl.textContent = String(total);
    if (band.id !== shownBand) {
      result.className = `result bvc-bar band-${band.id}`;
      labelEl.textContent = band.name;
      result.querySelector("[data-band-full]").textContent = band.label;
      riskHead.className = `risk-head band-${band.id}`;
      riskHead.querySelector("[data-band-action]").textContent = band.action;
      for (const el of document.querySelectorAll("[data-show-for]")) {
        el.hidden = !el.dataset.showFor.split(" ").includes(band.id);
      }
      shownBand = band.id;
    }
    $("unknown-note").hidden = who() !== "ukendt";
    updateLogLink(items);
    showKnownCitizen();
    showAge();
    document.dispatchEvent(new CustomEvent("bvc:scored", { detail: { total, band: band.id, items } }));
  }

  // How old the kept score is, in the legend's second line (no layout shift).
  function showAge() {
    const text = score ? `${scoreAge(score)}.` : age.dataset.default;
    if (age.textContent !== text) age.textContent = text;
  }

  // "Gem i kontaktlog" carries what is ticked now (and the citizen, if one
  // is picked), so the contact log opens with the same score; the score is
  // also handed over on the phone, for when a login comes in between.
  const logLink = $("bvc-log");
  function updateLogLink(items) {
    const q = new URLSearchParams();
    for (const id of items) q.append("items", id);
    q.set("borger", who() || "ukendt");
    if (who() === "kendt" && citizenId) q.set("citizen", citizenId);
    // A makkerscore: the items are the pair's result; the other score goes along.
    const parts = pairParts(score && score.pair);
    if (parts) q.set("partner", parts.other.join(" "));
    logLink.href = `/log?${q}`;
  }
  logLink.addEventListener("click", () => handOver());

  // With "Kendt" chosen and the team's list on the phone: pick the citizen and
  // see the last band and how old it is before scoring anew.
  const known = $("known-citizen");
  const stageNames = JSON.parse(known.dataset.stages);
  let citizens = [];
  function showKnownCitizen() {
    known.hidden = !(who() === "kendt" && citizens.length);
    if (!known.hidden && citizenId && citizenSelect.value !== citizenId &&
        citizens.some((c) => c.id === citizenId)) citizenSelect.value = citizenId;
    const picked = known.hidden ? null : citizens.find((c) => c.id === citizenSelect.value);
    showLastBand($("bvc-last"), picked, bands, stageNames);
  }
  citizenSelect.addEventListener("change", () => { citizenId = citizenSelect.value || null; });

  async function loadCitizens() {
    if (self.gk.phoneUsed && !self.gk.phoneUsed()) return;   // never logged in: no list (app.js)
    const { changes, citizens: cache } = await import("./phone-data.js");
    ({ fillCitizenOptions, showLastBand } = await import("./citizen-info.js"));
    const refresh = async () => {
      citizens = await cache.known();
      fillCitizenOptions(citizenSelect, $("bvc-citizen-options"), citizens);
      update();
    };
    await refresh();
    changes.events.addEventListener("change", () => refresh().catch(() => {}));
  }

  // What the worker does is kept at once; what the page does by itself is not.
  // A makkerscore under way stays (pair-score.js), unless `pair` says otherwise.
  function keep(pair) {
    score = saveScore({ items: ticked(), known: who(), citizen: who() === "kendt" ? citizenId : null, pair },
                      keepMinutes);
  }

  function apply({ items, known: borger, citizen }) {
    const set = new Set(items);
    for (const b of boxes) b.checked = set.has(b.value);
    // Unknown until said otherwise, as the page opens.
    const radio = form.querySelector(`input[name="borger"][value="${borger === "kendt" ? "kendt" : "ukendt"}"]`);
    for (const r of form.querySelectorAll('input[name="borger"]')) r.checked = r === radio;
    citizenId = citizen || null;
  }

  form.addEventListener("input", () => { keep(); update(); });
  form.addEventListener("change", () => { keep(); update(); });
  // "Nulstil": done here rather than by the browser, whose reset comes only
  // after this event, so the page and the phone are cleared in one step.
  form.addEventListener("reset", (e) => {
    e.preventDefault();
    clearScore();
    score = null;
    apply({ items: [], known: null, citizen: null });   // as /bvc opens on a new phone
    citizenSelect.value = "";
    update();
    boxes[0].focus();
    window.scrollTo({ top: 0 });
  });
  // The no-JS path submits a GET; with JS the score is already live.
  form.addEventListener("submit", (e) => e.preventDefault());
  // Another tab scored or reset: show the same score here.
  addEventListener("storage", (e) => {
    if (e.key !== null && e.key !== "gk.bvc") return;
    score = loadScore();
    apply(score || { items: [], known: null, citizen: null });
    update();
  });

  // A link that carries a score or a citizen (the no-JS form, "Ny BVC" on a
  // citizen's page) starts that score; otherwise the one kept on the phone
  // comes back. The URL is then plain /bvc, so a reload restores what the
  // worker has ticked since, not what the link said.
  const params = new URLSearchParams(location.search);
  if (params.has("items") || params.has("borger") || params.has("citizen")) {
    apply({ items: params.getAll("items"), known: params.get("borger"), citizen: params.get("citizen") });
    keep(null);   // a new score of one
    history.replaceState(history.state, "", location.pathname + location.hash);
  } else {
    score = loadScore();
    if (score) apply(score);
  }
  update();
  setInterval(showAge, 30000);
  // The citizen list is a nicety: without IndexedDB the scorer works as before.
  // It waits for the first paint (app.js, which runs before this module).
  Promise.resolve(self.gk && self.gk.afterFirstPaint).then(loadCitizens)
    .catch((err) => console.warn("No citizen list on this phone:", err));
  // The timer button and the risk card's roles (timer-start.js), the
  // makkerscore and the help button come right after the first paint, too:
  // the six items are what the worker reads and taps first, and script run
  // before the paint delays it on a slow phone (page bench: LCP 1.62 → 1.21
  // times the floor page). The timer link works as the server rendered it
  // until then; the other two are hidden until their script runs, so neither
  // is ever a dead button.
  Promise.resolve(self.gk && self.gk.afterFirstPaint)
    .then(() => Promise.all([import("./timer-start.js"), import("./pair-score.js"), import("./help-button.js")]))
    .catch((err) => console.warn("No makkerscore or help button:", err));
}
