// The contact form on /log: what it shows as it is filled in, the records it
// makes once the input is checked, and starting over. Its pickers are
// contact-lists.js's; saving is log.js's; corrections.js reopens it on a
// saved contact. It works the same with or without network.
import { device } from "./phone-data.js";
import { bandFor } from "./bvc.js";
import { showLastBand } from "./citizen-info.js";
import { contactLists } from "./contact-lists.js";
import { localInput } from "./dates.js";
import { clearErrors } from "./form-errors.js";
import { limit, looksLikeCpr, RULES } from "./rules.js";

const CPR_MESSAGE = "Ligner et CPR-nummer. Skriv aldrig CPR-nummer eller fulde navn – kun alias eller initialer.";

export function contactForm(form) {
  const $ = (id) => document.getElementById(id);
  const bands = JSON.parse(form.dataset.bands);
  const stageNames = JSON.parse(form.dataset.stages);
  const el = {
    errors: $("log-errors"), citizen: $("citizen"), citizenOptions: $("citizen-options"), citizenLast: $("citizen-last"),
    newCitizen: $("new-citizen"), alias: $("alias"), description: $("description"), places: $("places"),
    when: $("when"), place: $("place"), placeOptions: $("place-options"), placeOtherField: $("f-place-other"),
    placeOther: $("place-other"), worker1: $("worker1"), worker2: $("worker2"), bvc: $("log-bvc"),
    bvcResult: $("log-bvc-result"), note: $("note"), noteCount: $("note-count"),
    followupStep: $("followup-step"), followupDate: $("followup-date"),
  };
  const items = [...form.querySelectorAll('input[name="items"]')];

  // One id per form instance, made once: saving the same form twice (a
  // double tap, a retry after an error) can only ever queue it once.
  const newIds = () => ({ encounter: device.uuid(), citizen: device.uuid() });
  let ids = newIds();
  const lists = contactLists(form, { onFilled: () => showCitizen() });

  // --- what the form shows as it is filled in -------------------------------

  function showCitizen() {
    const value = el.citizen.value;
    el.newCitizen.hidden = value !== "ny";
    showLastBand(el.citizenLast, lists.citizens().find((c) => c.id === value), bands, stageNames);
  }

  function showBvc() {
    const done = form.elements.bvc_done.value === "ja";
    el.bvc.hidden = !done;
    const total = items.filter((b) => b.checked).length;
    const band = bandFor(bands, total);
    el.bvcResult.className = `result band-${band.id}`;
    el.bvcResult.querySelector("[data-total]").textContent = String(total);
    el.bvcResult.querySelector("[data-band-label]").textContent = band.label;
  }

  function showPlace() {
    el.placeOtherField.hidden = el.place.value !== "__andet";
  }

  function showCount() {
    el.noteCount.textContent = `${el.note.value.length} af ${limit("note")} tegn`;
  }

  function showAll() {
    showCitizen();
    showBvc();
    showPlace();
    showCount();
  }

  // "Hvornår" means now until the worker changes it: a form opened at ten and
  // saved at a quarter to eleven must not say ten.
  let whenTouched = false;
  el.when.addEventListener("input", () => { whenTouched = true; });
  const keepWhenCurrent = () => { if (!whenTouched) el.when.value = localInput(new Date()); };
  document.addEventListener("visibilitychange", keepWhenCurrent);

  form.addEventListener("change", (e) => {
    if (e.target === el.citizen) showCitizen();
    if (e.target.name === "bvc_done" || e.target.name === "items") showBvc();
    if (e.target === el.place) showPlace();
  });
  el.note.addEventListener("input", showCount);

  // --- checking and collecting ----------------------------------------------

  // The records this form makes (a new citizen, if any, then the encounter),
  // what the outbox may keep in clear about them, and the problems found.
  function collect() {
    const errors = [];
    const err = (input, message) => errors.push([input, message]);
    const text = (input) => input.value.trim();
    const records = [];
    const meta = {};
    const choice = el.citizen.value;
    let citizenId = null;
    let alias = choice === "ukendt" ? "ukendt borger" : "";
    if (!choice) err(el.citizen, "Vælg en borger, «Ukendt borger» eller «Ny borger».");
    if (choice === "ny") {
      alias = text(el.alias);
      if (!alias) err(el.alias, "Skriv et alias eller initialer.");
      else if (alias.length > limit("alias")) err(el.alias, `Højst ${limit("alias")} tegn.`);
      citizenId = ids.citizen;
      records.push({ kind: "citizen", id: citizenId, alias, description: text(el.description),
                     places: text(el.places), created_at: new Date().toISOString() });
    } else if (choice && choice !== "ukendt") {
      citizenId = choice;
      alias = (lists.citizens().find((c) => c.id === choice) || {}).alias || "";
    }
    const checkCpr = [el.note, el.placeOther, el.followupStep];
    if (choice === "ny") checkCpr.unshift(el.alias, el.description, el.places);
    for (const input of checkCpr) if (looksLikeCpr(input.value)) err(input, CPR_MESSAGE);

    const when = el.when.value ? new Date(el.when.value) : null;
    if (!when || Number.isNaN(when.getTime())) err(el.when, "Angiv hvornår kontakten var.");
    else if (when.getTime() > Date.now() + RULES.max_future_hours * 3600 * 1000) err(el.when, "Tidspunktet ligger i fremtiden.");

    const w1 = Number(el.worker1.value);
    const w2 = el.worker2.value ? Number(el.worker2.value) : null;
    if (!w1) err(el.worker1, "Vælg medarbejderen.");
    if (w2 !== null && w2 === w1) err(el.worker2, "Vælg to forskellige medarbejdere, eller «Ingen makker».");

    const place = el.place.value === "__andet" ? text(el.placeOther) : el.place.value;
    const note = text(el.note);
    if (note.length > limit("note")) err(el.note, `Noten må højst være ${limit("note")} tegn.`);

    let bvc = null;
    let total = null;
    if (form.elements.bvc_done.value === "ja") {
      bvc = Object.fromEntries(items.map((b) => [b.value, b.checked ? 1 : 0]));
      total = items.filter((b) => b.checked).length;
    }
    const stage = form.elements.stage.value || null;
    const encounter = {
      kind: "encounter", id: ids.encounter, citizen_id: citizenId,
      occurred_at: when && !Number.isNaN(when.getTime()) ? when.toISOString() : null,
      place, worker_ids: w2 ? [w1, w2] : [w1], bvc, bvc_total: total, stage,
      techniques: [...form.querySelectorAll('input[name="techniques"]:checked')].map((b) => b.value),
      note, followup_step: text(el.followupStep), followup_date: el.followupDate.value || null,
      created_at: new Date().toISOString(),
    };
    records.push(encounter);
    meta[encounter.id] = { alias, band: bvc ? bandFor(bands, total).id : null };
    if (citizenId && choice === "ny") meta[citizenId] = { alias };
    const newCitizen = choice === "ny" ? { id: citizenId, alias, description: "", pending: true } : null;
    return { errors, records, meta, encounter, newCitizen };
  }

  // --- starting over, and the form's values for a correction -------------------

  function reset() {
    const pair = [el.worker1.value, el.worker2.value];
    form.reset();
    clearErrors(form, el.errors);
    // The pair usually stays the same all shift; everything else starts over.
    [el.worker1.value, el.worker2.value] = pair;
    whenTouched = false;
    el.when.value = localInput(new Date());
    ids = newIds();
    showAll();
    history.replaceState(null, "", location.pathname);
  }

  const formFields = () => [...form.elements].filter((f) => f.name && f.type !== "submit" && f.type !== "button");
  const ticked = (f) => f.type === "checkbox" || f.type === "radio";
  const capture = () => formFields().map((f) => (ticked(f) ? f.checked : f.value));
  function restore(values) {
    formFields().forEach((f, i) => {
      if (ticked(f)) f.checked = values[i];
      else f.value = values[i];
    });
  }

  // A correction opens the form on what it corrects: the values this page
  // remembers, or else only the citizen and time the outbox keeps in clear.
  async function fillFrom(target) {
    if (target.newCitizen) await lists.setExtraCitizen(target.newCitizen);
    if (target.values) {
      restore(target.values);
      if (target.newCitizen) {
        // The citizen was created with the contact; the correction names it.
        el.citizen.value = target.newCitizen.id;
        for (const input of [el.alias, el.description, el.places]) input.value = "";
      }
    } else {
      if (target.citizenId && [...el.citizen.options].some((o) => o.value === target.citizenId)) {
        el.citizen.value = target.citizenId;
      }
      if (target.occurredAt) el.when.value = localInput(new Date(target.occurredAt));
    }
    whenTouched = true;  // the contact's time, not the time of the correction
    showAll();
  }

  // --- opening -------------------------------------------------------------------

  // What the BVC and stage pages hand over in the URL.
  function prefill() {
    const params = new URLSearchParams(location.search);
    if (params.has("items") || params.has("borger")) {
      // From the BVC page: the items scored there, an assessment even at 0.
      form.querySelector('input[name="bvc_done"][value="ja"]').checked = true;
      const chosen = new Set(params.getAll("items"));
      for (const b of items) b.checked = chosen.has(b.value);
    }
    if (params.get("borger") === "ukendt" && !lists.wanted()) el.citizen.value = "ukendt";
    const stage = params.get("stage");
    const radio = stage && form.querySelector(`input[name="stage"][value="${CSS.escape(stage)}"]`);
    if (radio) radio.checked = true;
  }

  async function open() {
    el.when.value = localInput(new Date());
    await lists.load();
    prefill();
    showAll();
  }

  return { open, lists, collect, reset, capture, fillFrom, keepWhenCurrent };
}
