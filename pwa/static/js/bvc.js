// The Brøset Violence Checklist on the phone: the band for a total, and the
// /bvc scorer, which shows total and band on every change. The bands and
// their cut-offs come from the content file, which the server renders into
// data-bands: they are never restated here. The contact form
// (contact-form.js) takes its band from here too.

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
  const bands = JSON.parse(form.dataset.bands);
  const result = document.getElementById("bvc-result");
  const totalEl = result.querySelector("[data-total]");
  const labelEl = result.querySelector("[data-band-label]");
  const actionEl = result.querySelector("[data-band-action]");
  const boxes = [...form.querySelectorAll('input[name="items"]')];
  // Start from what the server rendered, so start-up does not repaint it.
  let shownBand = (result.className.match(/band-(\w+)/) || [])[1] || null;

  function update() {
    const total = boxes.filter((b) => b.checked).length;
    const band = bandFor(bands, total);
    if (totalEl.textContent !== String(total)) totalEl.textContent = String(total);
    if (band.id !== shownBand) {
      result.className = `result band-${band.id}`;
      labelEl.textContent = band.label;
      actionEl.textContent = band.action;
      for (const el of document.querySelectorAll("[data-show-for]")) {
        el.hidden = !el.dataset.showFor.split(" ").includes(band.id);
      }
      shownBand = band.id;
    }
    const who = form.querySelector('input[name="borger"]:checked');
    document.getElementById("unknown-note").hidden = !(who && who.value === "ukendt");
    const items = boxes.filter((b) => b.checked).map((b) => b.value);
    updateLogLink(items, who ? who.value : "ukendt");
    showKnownCitizen();
    document.dispatchEvent(new CustomEvent("bvc:scored", { detail: { total, band: band.id, items } }));
  }

  // "Gem i kontaktlog" carries what is ticked now (and the citizen, if one
  // is picked), so the contact log opens with the same score.
  const logLink = document.getElementById("bvc-log");
  const citizenSelect = document.getElementById("bvc-citizen");
  function updateLogLink(items, who) {
    const q = new URLSearchParams();
    for (const id of items) q.append("items", id);
    q.set("borger", who);
    if (who === "kendt" && citizenSelect.value) q.set("citizen", citizenSelect.value);
    logLink.href = `/log?${q}`;
  }

  // With "Kendt" chosen and the team's list on the phone: pick the citizen and
  // see the last band and how old it is before scoring anew.
  const known = document.getElementById("known-citizen");
  const stageNames = JSON.parse(known.dataset.stages);
  let citizens = [];
  function showKnownCitizen() {
    const who = form.querySelector('input[name="borger"]:checked');
    known.hidden = !(who && who.value === "kendt" && citizens.length);
    const picked = known.hidden ? null : citizens.find((c) => c.id === citizenSelect.value);
    showLastBand(document.getElementById("bvc-last"), picked, bands, stageNames);
  }
  citizenSelect.addEventListener("change", () => update());

  async function loadCitizens() {
    const { changes, citizens: cache } = await import("./phone-data.js");
    ({ fillCitizenOptions, showLastBand } = await import("./citizen-info.js"));
    const refresh = async () => {
      citizens = await cache.known();
      fillCitizenOptions(citizenSelect, document.getElementById("bvc-citizen-options"), citizens);
      update();
    };
    await refresh();
    changes.events.addEventListener("change", () => refresh().catch(() => {}));
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  // "reset" fires before the controls are reset; read them on the next task.
  form.addEventListener("reset", () => {
    setTimeout(() => {
      update();
      boxes[0].focus();
      window.scrollTo({ top: 0 });
    });
  });
  // The no-JS path submits a GET; with JS the score is already live.
  form.addEventListener("submit", (e) => e.preventDefault());
  // After a reload from the URL (or the offline copy of /bvc), restore the
  // choices the query string carries, then show their score.
  const params = new URLSearchParams(location.search);
  if (params.has("items") || params.has("borger")) {
    const items = new Set(params.getAll("items"));
    for (const b of boxes) b.checked = items.has(b.value);
    const who = form.querySelector(`input[name="borger"][value="${params.get("borger")}"]`);
    if (who) who.checked = true;
  }
  update();
  // The citizen list is a nicety: without IndexedDB the scorer works as before.
  // It waits for the first paint (app.js, which runs before this module).
  Promise.resolve(self.gk && self.gk.afterFirstPaint).then(loadCitizens)
    .catch((err) => console.warn("No citizen list on this phone:", err));
}
