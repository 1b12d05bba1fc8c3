// What the contact form on /log shows as it is filled in: the citizen's last
// band, the risk line (total, band in words, shape and colour) with its items
// folded out on request, the place typed by hand, the note's length, and for
// each folded part a summary of what it holds, so nothing folded is hidden.
import { bandFor } from "./bvc.js";
import { showLastBand } from "./citizen-info.js";
import { clock } from "./dates.js";
import { limit } from "./rules.js";

// The makkerscore's other score carried from /bvc (the hidden field), as item ids; null if none.
export function partnerItems(form) {
  try {
    const list = JSON.parse(form.elements.bvc_partner.value || "null");
    return Array.isArray(list) ? list.filter((i) => typeof i === "string") : null;
  } catch { return null; }
}

// citizens(): the team's list as the pickers have it; session(): who is logged in.
export function contactView(form, { citizens, session }) {
  const $ = (id) => document.getElementById(id);
  const bands = JSON.parse(form.dataset.bands);
  const stageNames = JSON.parse(form.dataset.stages);
  const el = {
    citizen: $("citizen"), citizenLast: $("citizen-last"), newCitizen: $("new-citizen"), alias: $("alias"),
    citizenMore: $("citizen-more"),
    place: $("place"), placeOtherField: $("f-place-other"), bvc: $("log-bvc"), bvcResult: $("log-bvc-result"),
    bvcToggle: $("log-bvc-toggle"), bvcMore: form.querySelector("[data-risk-more]"), stage: $("stage"), stageFrom: $("stage-from"), note: $("note"),
    noteCount: $("note-count"), when: $("when"), worker1: $("worker1"), worker2: $("worker2"),
    whenSummary: form.querySelector("[data-when-summary]"),
    techniquesSummary: form.querySelector("[data-techniques-summary]"),
    followupSummary: form.querySelector("[data-followup-summary]"),
    followupStep: $("followup-step"), followupDate: $("followup-date"),
  };
  const items = [...form.querySelectorAll('input[name="items"]')];

  function showCitizen() {
    const value = el.citizen.value;
    el.newCitizen.hidden = value !== "ny";
    el.citizenMore.hidden = value !== "ny";
    showLastBand(el.citizenLast, citizens().find((c) => c.id === value), bands, stageNames);
  }

  function showBvc() {
    const done = form.elements.bvc_done.value === "ja";
    const partner = partnerItems(form);
    // With a makkerscore the pair's result is the higher of the two scores.
    const total = Math.max(items.filter((b) => b.checked).length, partner ? partner.length : 0);
    showPair(done && partner);
    const band = done ? bandFor(bands, total) : null;
    el.bvcToggle.className = `result band-${band ? band.id : "none"}`;
    el.bvcResult.querySelector("[data-score]").hidden = !done;
    el.bvcResult.querySelector("[data-total]").textContent = String(total);
    // The row is labelled "Risiko", so the band's first word is what shows
    // ("Moderat"): the line fits 320 px, total and shape beside it. A screen
    // reader hears the manual's whole name ("Moderat risiko for vold").
    const label = el.bvcResult.querySelector("[data-band-label]");
    const [first, ...rest] = band ? (band.label || band.name).split(" ") : ["Ingen BVC"];
    label.textContent = first;
    if (rest.length) {
      const more = document.createElement("span");
      more.className = "sr-only";
      more.textContent = ` ${rest.join(" ")}`;
      label.append(more);
    }
    el.bvcMore.textContent = el.bvc.hidden ? (done ? "Ret" : "Vurdér") : "Luk";
  }

  function showPair(partner) {
    const note = $("log-pair");
    note.hidden = !partner;
    if (!partner) return;
    const names = items.filter((b) => partner.includes(b.value)).map((b) => b.closest("label").textContent.trim());
    note.textContent = `Makkerscore: den anden score var ${partner.length}/${items.length}` +
      `${names.length ? ` (${names.join(", ")})` : ""}. Den højeste af de to gælder, og begge gemmes.`;
  }

  function showPlace() {
    el.placeOtherField.hidden = el.place.value !== "__andet";
  }

  function showCount() {
    el.noteCount.textContent = `${el.note.value.length}/${limit("note")} tegn`;
  }

  function showSummaries() {
    const s = session();
    const name = (select) => (select.value && s ? (s.workers.find((w) => String(w.id) === select.value) || {}).name : "");
    const when = el.when.value ? clock(new Date(el.when.value).toISOString()).replace("i dag ", "kl. ") : "";
    el.whenSummary.textContent = [when, [name(el.worker1), name(el.worker2)].filter(Boolean).join(" og ")]
      .filter(Boolean).join(" · ") || "ikke angivet";
    const n = form.querySelectorAll('input[name="techniques"]:checked').length;
    el.techniquesSummary.textContent = n ? `(${n} valgt)` : "(valgfri)";
    const followup = el.followupStep.value.trim() || el.followupDate.value;
    el.followupSummary.textContent = followup ? "(udfyldt)" : "(valgfri)";
  }

  function showAll() {
    showCitizen();
    showBvc();
    showPlace();
    showCount();
    showSummaries();
  }

  // Everything folded again, for the next contact.
  function fold() {
    el.bvc.hidden = true;
    for (const d of form.querySelectorAll("details")) d.open = false;
    stageFrom(null);
  }

  // A stage the form took over from /stages or /prompts says where it came from.
  function stageFrom(at) {
    el.stageFrom.hidden = !at;
    el.stageFrom.textContent = at ? `Valgt på Stadier/Spørgsmål ${clock(at).replace("i dag ", "kl. ")}.` : "";
  }

  $("citizen-new").addEventListener("click", () => {
    el.citizen.value = "ny";
    el.citizen.dispatchEvent(new Event("change", { bubbles: true }));
  });

  el.bvcToggle.addEventListener("click", () => {
    el.bvc.hidden = !el.bvc.hidden;
    el.bvcToggle.setAttribute("aria-expanded", String(!el.bvc.hidden));
    showBvc();
  });

  form.addEventListener("change", (e) => {
    if (e.target === el.citizen) {
      showCitizen();
      // A new citizen is named next: the keyboard comes up without another tap.
      if (el.citizen.value === "ny") el.alias.focus();
    }
    if (e.target.name === "items") {
      // Ticking an item is assessing: no separate "Vurderet" tap.
      form.querySelector('input[name="bvc_done"][value="ja"]').checked = true;
    }
    if (e.target.name === "bvc_done" || e.target.name === "items") showBvc();
    if (e.target === el.place) showPlace();
    if (e.target === el.stage) stageFrom(null);
    showSummaries();
  });
  el.note.addEventListener("input", showCount);

  return { showAll, fold, stageFrom };
}
