// The contact form on /log: the records it makes once the input is checked,
// starting over, and what it takes over from the BVC and stage pages. What it
// shows as it is filled in is contact-view.js's; its pickers are
// contact-lists.js's; saving is log.js's; corrections.js reopens it on a
// saved contact and draft.js keeps what is begun. It works the same with or
// without network.
import { device } from "./phone-data.js";
import { bandFor } from "./bvc.js";
import { contactLists } from "./contact-lists.js";
import { contactView, partnerItems } from "./contact-view.js";
import { localInput } from "./dates.js";
import { clearErrors, clearFixed } from "./form-errors.js";
import { limit, looksLikeCpr, RULES } from "./rules.js";
import { recentStage } from "./stage-choice.js";

const CPR_MESSAGE = "Ligner et CPR-nummer. Skriv aldrig CPR-nummer eller fulde navn – kun alias eller initialer.";

// The score the BVC page hands over: today the items in the link "Gem i
// kontaktlog" carries (?items=…&borger=…&citizen=…, and with a makkerscore
// &partner=the other score's ids), which also survive the login in between
// (the login's ?next= keeps them).
function carriedScore(params) {
  if (!params.has("items") && !params.has("borger")) return null;
  const partner = params.has("partner") ? params.get("partner").split(" ").filter(Boolean) : null;
  return { items: params.getAll("items"), who: params.get("borger"), citizen: params.get("citizen"), partner };
}

// A makkerscore as the server takes it: the higher score is the pair's result
// (bvc), the other beside it (bvc_partner), whichever of them is ticked here.
function pairRecord(items, partner) {
  const mine = Object.fromEntries(items.map((b) => [b.value, b.checked ? 1 : 0]));
  const total = (score) => Object.values(score).reduce((a, b) => a + b, 0);
  if (!partner) return { bvc: mine, bvc_partner: undefined, total: total(mine) };
  const other = Object.fromEntries(items.map((b) => [b.value, partner.includes(b.value) ? 1 : 0]));
  const [high, low] = total(other) > total(mine) ? [other, mine] : [mine, other];
  return { bvc: high, bvc_partner: low, total: total(high) };
}

export function contactForm(form) {
  const $ = (id) => document.getElementById(id);
  const bands = JSON.parse(form.dataset.bands);
  const el = {
    citizen: $("citizen"), alias: $("alias"), description: $("description"), places: $("places"),
    when: $("when"), place: $("place"), placeOther: $("place-other"), worker1: $("worker1"), worker2: $("worker2"),
    stage: $("stage"), note: $("note"), followupStep: $("followup-step"), followupDate: $("followup-date"),
    errors: $("log-errors"),
  };
  const items = [...form.querySelectorAll('input[name="items"]')];

  // One id per form instance, made once: saving the same form twice (a
  // double tap, a retry after an error) can only ever queue it once.
  const newIds = () => ({ encounter: device.uuid(), citizen: device.uuid() });
  let ids = newIds();
  const view = contactView(form, { citizens: () => lists.citizens(), session: () => lists.session() });
  const lists = contactLists(form, { onFilled: () => view.showAll() });

  // "Hvornår" means now until the worker changes it: a form opened at ten and
  // saved at a quarter to eleven must not say ten.
  let whenTouched = false;
  el.when.addEventListener("input", () => { whenTouched = true; });
  const keepWhenCurrent = () => { if (!whenTouched) el.when.value = localInput(new Date()); };
  document.addEventListener("visibilitychange", keepWhenCurrent);

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
    if (!choice) err(el.citizen, "Vælg en borger, »Ukendt borger« eller »Ny borger«.");
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
    if (w2 !== null && w2 === w1) err(el.worker2, "Vælg to forskellige medarbejdere, eller »Ingen makker«.");

    const place = el.place.value === "__andet" ? text(el.placeOther) : el.place.value;
    const note = text(el.note);
    if (note.length > limit("note")) err(el.note, `Noten må højst være ${limit("note")} tegn.`);

    let bvc = null;
    let total = null;
    let partner;
    if (form.elements.bvc_done.value === "ja") {
      ({ bvc, bvc_partner: partner, total } = pairRecord(items, partnerItems(form)));
    }
    const encounter = {
      kind: "encounter", id: ids.encounter, citizen_id: citizenId,
      occurred_at: when && !Number.isNaN(when.getTime()) ? when.toISOString() : null,
      place, worker_ids: w2 ? [w1, w2] : [w1], bvc, bvc_total: total, ...(partner ? { bvc_partner: partner } : {}),
      stage: el.stage.value || null,
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

  // --- starting over, and the form's values for a correction or a draft -------

  function reset() {
    const pair = [el.worker1.value, el.worker2.value];
    form.reset();
    form.elements.bvc_partner.value = "";   // a hidden field keeps its value through a reset
    clearErrors(form, el.errors);
    // The pair usually stays the same all shift; everything else starts over.
    el.worker1.value = pair[0];
    lists.fillPartners();
    el.worker2.value = pair[1];
    whenTouched = false;
    el.when.value = localInput(new Date());
    ids = newIds();
    view.fold();
    view.showAll();
    history.replaceState(null, "", location.pathname);
  }

  const formFields = () => [...form.elements].filter((f) => f.name && f.type !== "submit" && f.type !== "button");
  const ticked = (f) => f.type === "checkbox" || f.type === "radio";
  const capture = () => formFields().map((f) => (ticked(f) ? f.checked : f.value));
  function restore(values) {
    formFields().forEach((f, i) => {
      if (f === el.worker1) lists.fillPartners();  // the partner list depends on who the worker is
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
    view.showAll();
  }

  // A draft (draft.js): the values, this form's ids, and whether the time was set by hand.
  const snapshot = () => ({ values: capture(), ids, whenTouched });
  // What the worker has entered, for telling a begun form from an empty one:
  // the time (unless set by hand) and the pair are filled in by the phone.
  const byPhone = (f) => (f === el.when && !whenTouched) || f === el.worker1 || f === el.worker2;
  const signature = () => JSON.stringify(formFields().map((f) => (byPhone(f) ? "" : ticked(f) ? f.checked : f.value)));
  function resume(draft) {
    restore(draft.values);
    ids = draft.ids;
    whenTouched = draft.whenTouched;
    keepWhenCurrent();
    view.showAll();
  }

  // --- opening -------------------------------------------------------------------

  // What the BVC and stage pages hand over in the URL; else the stage chosen
  // a moment ago on /stages or /prompts, said to be from there.
  function prefill() {
    const params = new URLSearchParams(location.search);
    const score = carriedScore(params);
    if (score) {
      // From the BVC page: the items scored there, an assessment even at 0.
      form.querySelector('input[name="bvc_done"][value="ja"]').checked = true;
      const chosen = new Set(score.items);
      for (const b of items) b.checked = chosen.has(b.value);
      form.elements.bvc_partner.value = score.partner ? JSON.stringify(score.partner) : "";
      if (score.who === "ukendt" && !lists.wanted()) el.citizen.value = "ukendt";
    }
    const stage = params.get("stage");
    const known = (id) => [...el.stage.options].some((o) => o.value === id);
    if (stage && known(stage)) el.stage.value = stage;
    else if (!stage) {
      const recent = recentStage();
      if (recent && known(recent.id)) {
        el.stage.value = recent.id;
        view.stageFrom(recent.at);
      }
    }
    return Boolean(score || stage || lists.wanted());
  }

  // Resolves true when the link that opened the form carried something to fill in.
  async function open() {
    el.when.value = localInput(new Date());
    await lists.load();
    const carried = prefill();
    view.showAll();
    return carried;
  }

  // A field shown as wrong goes back to normal as soon as it is put right.
  form.addEventListener("input", () => { if (!el.errors.hidden) clearFixed(form, el.errors, collect().errors); });
  form.addEventListener("change", () => { if (!el.errors.hidden) clearFixed(form, el.errors, collect().errors); });

  return { open, lists, view, collect, reset, capture, fillFrom, snapshot, signature, resume, keepWhenCurrent };
}
