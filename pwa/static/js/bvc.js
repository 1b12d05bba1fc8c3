// BVC scorer: total and band on every change, from the bands the server
// rendered out of the content file (the cut-offs are never restated here).
import { bandFor } from "./score.js";

const form = document.getElementById("bvc");
if (form) {
  const bands = JSON.parse(form.dataset.bands);
  const result = document.getElementById("bvc-result");
  const totalEl = result.querySelector("[data-total]");
  const labelEl = result.querySelector("[data-band-label]");
  const actionEl = result.querySelector("[data-band-action]");
  const boxes = [...form.querySelectorAll('input[name="items"]')];
  let shownBand = null;

  function update() {
    const total = boxes.filter((b) => b.checked).length;
    const band = bandFor(bands, total);
    totalEl.textContent = String(total);
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
    document.dispatchEvent(new CustomEvent("bvc:scored", {
      detail: { total, band: band.id, items: boxes.filter((b) => b.checked).map((b) => b.value) },
    }));
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
}
