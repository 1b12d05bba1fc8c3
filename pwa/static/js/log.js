// "Ny kontakt": fills the static /log shell from the phone's cached session
// and citizen list, checks the input, and saves a new citizen (if any) and
// the encounter into the outbox. Works the same with or without network.
import { changes, citizens as citizenCache, device, outbox, session as sessionCache, sync, vault } from "./phone-data.js";
import { ensureUnlocked } from "./lock.js";
import { bandFor } from "./score.js";
import { fillCitizenOptions, showLastBand } from "./citizen-info.js";
import { loadPair, pairIsFromToday } from "./timer-core.js";

const form = document.getElementById("log-form");

const FIELD_NAMES = {
  alias: "Alias", description: "Beskrivelse", places: "Faste steder", place: "Sted", note: "Note",
  followup_step: "Næste skridt", followup_date: "Opfølgningsdato", occurred_at: "Tidspunkt",
  worker_ids: "Parret", citizen_id: "Borger", stage: "Fase", techniques: "Teknikker", bvc: "BVC",
  bvc_total: "BVC", id: "Id", kind: "Type", created_at: "Oprettet",
};
// Six digits, an optional dash or space, four digits: the shape of a CPR
// number, as the server checks it. No lookbehind, for older Safari.
const CPR = /(^|\D)\d{6}[- ]?\d{4}(?!\d)/;
const CPR_MESSAGE = "Ligner et CPR-nummer. Skriv aldrig CPR-nummer eller fulde navn – kun alias eller initialer.";

if (form) {
  const $ = (id) => document.getElementById(id);
  const bands = JSON.parse(form.dataset.bands);
  const stageNames = JSON.parse(form.dataset.stages);
  const el = {
    login: $("log-login"), done: $("log-done"), errors: $("log-errors"), errorList: $("log-error-list"),
    citizen: $("citizen"), citizenOptions: $("citizen-options"), citizenLast: $("citizen-last"),
    newCitizen: $("new-citizen"), alias: $("alias"), description: $("description"), places: $("places"),
    when: $("when"), place: $("place"), placeOptions: $("place-options"), placeOtherField: $("f-place-other"),
    placeOther: $("place-other"), worker1: $("worker1"), worker2: $("worker2"), bvc: $("log-bvc"),
    bvcResult: $("log-bvc-result"), note: $("note"), noteCount: $("note-count"),
    followupStep: $("followup-step"), followupDate: $("followup-date"), save: $("log-save"),
    outboxSummary: $("outbox-summary"), outboxList: $("outbox-list"), send: $("outbox-send"),
    title: $("log-title"), amending: $("log-amending"), amendCancel: $("log-amend-cancel"),
    doneActions: $("log-done-actions"), amendLast: $("log-amend-last"),
  };
  const items = [...form.querySelectorAll('input[name="items"]')];

  // One id per form instance, made once: saving the same form twice (a
  // double tap, a retry after an error) can only ever queue it once.
  let ids = { encounter: device.uuid(), citizen: device.uuid() };
  let saving = false;
  let session = null;
  let citizens = [];
  let listSignature = "";
  let lastSaved = null;
  // A correction in progress: { amends, replaces, what }. A saved record is
  // sealed, so it is never edited: a correction is a new record that amends
  // it (it may already be on the server), or, for a refused one, replaces it.
  let correcting = null;
  // The last saved form's values, in this page's memory only, so "Ret
  // kontakten" reopens it filled in; gone on reload and at the idle lock.
  let lastForm = null;
  // A new citizen saved with the contact being corrected, offered in the
  // list even when the PIN vault does not hold it.
  let extraCitizen = null;
  // A citizen named in the URL (from a citizen's page or the BVC page), set
  // once the cached list has it.
  let wantedCitizen = new URLSearchParams(location.search).get("citizen");

  const pad = (n) => String(n).padStart(2, "0");
  const localInput = (d) =>
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const clock = (iso) => {
    const t = new Date(iso);
    const hm = `${pad(t.getHours())}:${pad(t.getMinutes())}`;
    return t.toDateString() === new Date().toDateString() ? `i dag ${hm}` : `${t.getDate()}.${t.getMonth() + 1}. ${hm}`;
  };

  // --- lists from the phone's cache ----------------------------------------

  function fillSelect(select, group, options, keepFirst) {
    const chosen = select.value;
    const target = group || select;
    const fresh = options.map(([value, label]) => new Option(label, value));
    if (group) group.replaceChildren(...fresh);
    else target.replaceChildren(...[...select.options].slice(0, keepFirst), ...fresh);
    if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
  }

  // An empty option group would show a bare heading in the phone's picker.
  function showGroup(select, group, before, show) {
    if (!show) group.remove();
    else if (!group.parentNode) select.insertBefore(group, before);
  }

  async function loadLists() {
    const cached = await sessionCache.cached();
    // A session that lapses while the form is open must not take the form
    // away mid-entry: what is saved waits in the outbox for the next login.
    if (cached) session = cached;
    el.login.hidden = Boolean(cached);
    if (!cached && session) {
      el.login.querySelector("[data-login-title]").textContent = "Du er logget ud.";
      el.login.querySelector("[data-login-text]").textContent =
        "Det, du gemmer, venter på telefonen og sendes, når du logger ind igen.";
    }
    form.hidden = !session;
    if (!cached) return;
    await showVault();
    const list = await citizenCache.known();
    if (extraCitizen && !list.some((c) => c.id === extraCitizen.id)) list.push(extraCitizen);
    const signature = JSON.stringify([session.workers, session.places, list]);
    if (signature === listSignature) return;
    listSignature = signature;
    citizens = list;
    const workers = session.workers.map((w) => [String(w.id), w.name + (w.id === session.user.id ? " (mig)" : "")]);
    const firstFill = !el.worker1.options.length;
    fillSelect(el.worker1, null, workers, 0);
    fillSelect(el.worker2, null, workers, 1);
    if (firstFill) {
      // Today's pair (chosen on /settings) is the pair of this contact too.
      const pair = loadPair();
      const known = (w) => w && session.workers.some((x) => x.id === w.id);
      const today = pair && pairIsFromToday(pair);
      el.worker1.value = String(today && known(pair.me) ? pair.me.id : session.user.id);
      if (today && known(pair.partner)) el.worker2.value = String(pair.partner.id);
    }
    fillSelect(el.place, el.placeOptions, session.places.map((p) => [p, p]));
    showGroup(el.place, el.placeOptions, el.place.querySelector('option[value="__andet"]'), session.places.length);
    fillCitizenOptions(el.citizen, el.citizenOptions, citizens);
    showGroup(el.citizen, el.citizenOptions, null, citizens.length);
    if (wantedCitizen && !el.citizen.value && citizens.some((c) => c.id === wantedCitizen)) {
      el.citizen.value = wantedCitizen;
      wantedCitizen = null;
    }
    showCitizen();
  }

  // The team's citizen list lives on the phone only behind the worker's PIN.
  const vaultStatus = document.getElementById("vault-status");
  const vaultOpen = document.getElementById("vault-open");
  async function showVault() {
    const state = await vault.state();
    vaultStatus.hidden = state === "unlocked";
    vaultStatus.querySelector("[data-vault-text]").textContent = state === "locked"
      ? "Teamets borgerliste er låst." : "Vælg en PIN for at have teamets borgerliste på telefonen.";
    vaultOpen.textContent = state === "locked" ? "Lås op med PIN" : "Vælg PIN";
  }
  vaultOpen.addEventListener("click", async () => {
    if (!(await ensureUnlocked({ create: true }))) return;
    if (navigator.onLine) await citizenCache.refresh().catch(() => {});
    listSignature = null;
    await loadLists();
  });
  document.addEventListener("gk:locked", () => {
    lastForm = null;
    extraCitizen = null;
    el.doneActions.hidden = true;
    listSignature = null;
    loadLists();
  });
  document.addEventListener("gk:vault-wiped", () => { listSignature = null; loadLists(); });

  // --- what the form shows as it is filled in -------------------------------

  function showCitizen() {
    const value = el.citizen.value;
    el.newCitizen.hidden = value !== "ny";
    showLastBand(el.citizenLast, citizens.find((c) => c.id === value), bands, stageNames);
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
    el.noteCount.textContent = `${el.note.value.length} af 1000 tegn`;
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
      else if (alias.length > 40) err(el.alias, "Højst 40 tegn.");
      citizenId = ids.citizen;
      records.push({ kind: "citizen", id: citizenId, alias, description: text(el.description),
                     places: text(el.places), created_at: new Date().toISOString() });
    } else if (choice && choice !== "ukendt") {
      citizenId = choice;
      alias = (citizens.find((c) => c.id === choice) || {}).alias || "";
    }
    const checkCpr = [el.note, el.placeOther, el.followupStep];
    if (choice === "ny") checkCpr.unshift(el.alias, el.description, el.places);
    for (const input of checkCpr) if (CPR.test(input.value || "")) err(input, CPR_MESSAGE);

    const when = el.when.value ? new Date(el.when.value) : null;
    if (!when || Number.isNaN(when.getTime())) err(el.when, "Angiv hvornår kontakten var.");
    else if (when.getTime() > Date.now() + 24 * 3600 * 1000) err(el.when, "Tidspunktet ligger i fremtiden.");

    const w1 = Number(el.worker1.value);
    const w2 = el.worker2.value ? Number(el.worker2.value) : null;
    if (!w1) err(el.worker1, "Vælg medarbejderen.");
    if (w2 !== null && w2 === w1) err(el.worker2, "Vælg to forskellige medarbejdere, eller «Ingen makker».");

    const place = el.place.value === "__andet" ? text(el.placeOther) : el.place.value;
    const note = text(el.note);
    if (note.length > 1000) err(el.note, "Noten må højst være 1000 tegn.");

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
    return { errors, records, meta, encounter };
  }

  function clearErrors() {
    el.errors.hidden = true;
    el.errorList.replaceChildren();
    for (const p of form.querySelectorAll(".field .error")) p.remove();
    for (const f of form.querySelectorAll(".has-error")) f.classList.remove("has-error");
    for (const input of form.querySelectorAll("[aria-invalid]")) {
      input.removeAttribute("aria-invalid");
      const rest = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => !id.endsWith("-err"));
      if (rest.length) input.setAttribute("aria-describedby", rest.join(" "));
      else input.removeAttribute("aria-describedby");
    }
  }

  function showErrors(errors) {
    clearErrors();
    for (const [input, message] of errors) {
      const field = input.closest(".field");
      const p = document.createElement("p");
      p.className = "error";
      p.id = `${input.id}-err`;
      p.textContent = message;
      field.classList.add("has-error");
      field.append(p);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", [input.getAttribute("aria-describedby"), p.id].filter(Boolean).join(" "));
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = `#${input.id}`;
      a.textContent = message;
      a.addEventListener("click", (e) => { e.preventDefault(); input.focus(); });
      li.append(a);
      el.errorList.append(li);
    }
    el.errors.hidden = false;
    el.errors.focus();
  }

  // --- saving ------------------------------------------------------------------

  // A refusal is a warning, not a tick: shape and words, not colour alone.
  function say(text, warn = false) {
    el.done.textContent = text;
    el.done.className = `note ${warn ? "note-warn" : "note-done"}`;
    el.done.hidden = false;
  }

  function resetForm() {
    const pair = [el.worker1.value, el.worker2.value];
    form.reset();
    clearErrors();
    // The pair usually stays the same all shift; everything else starts over.
    [el.worker1.value, el.worker2.value] = pair;
    whenTouched = false;
    el.when.value = localInput(new Date());
    ids = { encounter: device.uuid(), citizen: device.uuid() };
    showCitizen();
    showBvc();
    showPlace();
    showCount();
    history.replaceState(null, "", location.pathname);
  }

  async function reportSaved() {
    if (!lastSaved) return;
    const entries = await outbox.list();
    const entry = entries.find((e) => e.id === lastSaved.id);
    const st = await sync.status();
    let text;
    const refused = entry && entry.status === "refused";
    if (!entry) text = "Gemt og sendt";
    else if (refused) text = "⚠ Serveren afviste kontakten. Den ligger i udbakken med årsagen";
    else if (st.authNeeded) text = "Gemt på telefonen – sendes, når du logger ind igen";
    else if (st.busy) text = "Gemt på telefonen – sender …";
    else text = "Gemt på telefonen – sendes når der er net";
    text += ` (${lastSaved.label}).`;
    if (el.done.textContent !== text) say(text, refused);
    if (!entry) lastSaved = null;
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (saving) return;
    keepWhenCurrent();
    const { errors, records, meta, encounter } = collect();
    if (errors.length) {
      showErrors(errors);
      return;
    }
    const correction = correcting;
    if (correction && correction.amends) encounter.amends = correction.amends;
    const values = captureForm();
    saving = true;
    el.save.disabled = true;
    el.save.textContent = "Gemmer …";
    try {
      await outbox.add(records, { team: session.team.id, meta, replaces: correction && correction.replaces });
    } catch (err) {
      console.warn("Could not save to the outbox:", err);
      clearErrors();
      const li = document.createElement("li");
      li.textContent = "Telefonen kunne ikke gemme kontakten. Prøv igen – intet er gemt endnu.";
      el.errorList.append(li);
      el.errors.hidden = false;
      el.errors.focus();
      return;
    } finally {
      saving = false;
      el.save.disabled = false;
      el.save.textContent = correcting ? "Gem rettelsen" : "Gem kontakt";
    }
    const who = meta[encounter.id].alias || "ukendt borger";
    const isNew = el.citizen.value === "ny";
    lastForm = { id: encounter.id, values,
                 newCitizen: isNew ? { id: encounter.citizen_id, alias: meta[encounter.citizen_id].alias,
                                       description: "", pending: true } : extraCitizen };
    lastSaved = { id: encounter.id,
                  label: `${correction ? "rettelse – " : ""}${who}, ${clock(encounter.occurred_at).replace("i dag ", "kl. ")}` };
    endCorrection();
    say(`Gemt på telefonen – ${navigator.onLine ? "sender …" : "sendes når der er net"} (${lastSaved.label}).`);
    resetForm();
    el.doneActions.hidden = false;
    window.scrollTo({ top: 0 });
    el.done.focus();
    document.dispatchEvent(new Event("gk:sync"));
  });

  // --- corrections -------------------------------------------------------------

  const formFields = () => [...form.elements].filter((f) => f.name && f.type !== "submit" && f.type !== "button");
  const ticked = (f) => f.type === "checkbox" || f.type === "radio";
  const captureForm = () => formFields().map((f) => (ticked(f) ? f.checked : f.value));
  function restoreForm(values) {
    formFields().forEach((f, i) => {
      if (ticked(f)) f.checked = values[i];
      else f.value = values[i];
    });
  }

  // What a correction of the entry with this id must do: amend a waiting or
  // sent contact; replace a refused one (amending what it amended, if any).
  async function correctionOf(id, what) {
    const entry = (await outbox.list()).find((e) => e.id === id);
    const refused = entry && entry.status === "refused";
    const remembered = lastForm && lastForm.id === id ? lastForm : null;
    return {
      amends: refused ? (entry.meta && entry.meta.amends) || null : id,
      replaces: refused ? id : null,
      what,
      values: remembered && remembered.values,
      newCitizen: remembered && remembered.newCitizen,
      occurredAt: entry && entry.meta && entry.meta.occurred_at,
      citizenId: entry && entry.meta && entry.meta.citizen_id,
    };
  }

  async function startCorrection(target) {
    resetForm();
    correcting = target;
    if (target.newCitizen) {
      extraCitizen = target.newCitizen;
      listSignature = null;
      await loadLists();
    }
    if (target.values) {
      restoreForm(target.values);
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
    showCitizen();
    showBvc();
    showPlace();
    showCount();
    el.title.textContent = "Ret kontakt";
    el.save.textContent = "Gem rettelsen";
    el.amending.querySelector("[data-amend-what]").textContent = target.what;
    el.amending.querySelector("[data-amend-text]").textContent = target.values
      ? "Ret det, der er forkert, og gem. Rettelsen erstatter den gemte kontakt – også hvis den allerede er sendt."
      : "Den gemte kontakt er krypteret og kan ikke vises på telefonen. Udfyld kontakten, som den skal være; " +
        "den erstatter den gemte – også hvis den allerede er sendt.";
    el.amending.hidden = false;
    el.doneActions.hidden = true;
    el.done.hidden = true;
    window.scrollTo({ top: 0 });
    el.amending.focus();
  }

  function endCorrection() {
    correcting = null;
    el.amending.hidden = true;
    el.title.textContent = "Ny kontakt";
    el.save.textContent = "Gem kontakt";
  }

  el.amendLast.addEventListener("click", async () => {
    if (lastForm) startCorrection(await correctionOf(lastForm.id, `den kontakt, du lige gemte (${lastSaved ? lastSaved.label : "nu"})`));
  });
  el.amendCancel.addEventListener("click", () => {
    endCorrection();
    resetForm();
    el.doneActions.hidden = !lastForm;
  });

  // --- the outbox on this page ---------------------------------------------------

  function entryLine(e) {
    // The record itself is sealed; only its kind and time are readable here.
    const what = e.kind === "citizen" ? "Ny borger" : e.meta && e.meta.amends ? "Rettelse af kontakt" : "Kontakt";
    const when = (e.meta && e.meta.occurred_at) || e.created_at;
    return `${what} · ${clock(when)}`;
  }

  async function renderOutbox() {
    const [entries, st] = await Promise.all([outbox.list(), sync.status()]);
    const corrected = new Set(entries.filter((e) => e.status === "waiting" && e.meta && e.meta.amends)
      .map((e) => e.meta.amends));
    const items = entries.map((e) => {
      const li = document.createElement("li");
      li.className = `outbox-item is-${e.status}`;
      li.dataset.id = e.id;
      const line = document.createElement("p");
      const tag = document.createElement("strong");
      tag.textContent = e.status === "refused" ? "Afvist" : "Venter";
      line.append(tag, ` ${entryLine(e)}`);
      li.append(line);
      if (e.status === "waiting" && session && e.team !== session.team.id) {
        // Never sent to another team than the one it was written in.
        const why = document.createElement("p");
        why.className = "small";
        why.textContent = "Lavet i et andet team: sendes, når nogen fra det team logger ind på telefonen.";
        li.append(why);
      }
      if (e.status === "refused") {
        const why = document.createElement("p");
        const field = e.error && e.error.field ? `${FIELD_NAMES[e.error.field.split(".")[0]] || e.error.field}: ` : "";
        why.textContent = `${field}${(e.error && e.error.message) || "afvist af serveren"}`;
        const discard = document.createElement("button");
        discard.type = "button";
        discard.className = "btn btn-secondary btn-small";
        discard.textContent = "Kassér";
        discard.setAttribute("aria-label", `Kassér: ${entryLine(e)}`);
        discard.addEventListener("click", async () => {
          if (confirm("Kassér denne post? Den bliver ikke sendt, og den kan ikke hentes tilbage.")) {
            await outbox.discard(e.id);
          }
        });
        li.append(why, discard);
      }
      if (corrected.has(e.id)) {
        const note = document.createElement("p");
        note.className = "small";
        note.textContent = "Rettet: rettelsen sendes lige efter og erstatter den.";
        li.append(note);
      } else if (e.kind === "encounter") {
        const fix = document.createElement("button");
        fix.type = "button";
        fix.className = "btn btn-secondary btn-small";
        fix.textContent = "Ret";
        fix.setAttribute("aria-label", `Ret: ${entryLine(e)}`);
        fix.addEventListener("click", async () => startCorrection(await correctionOf(e.id, entryLine(e))));
        li.append(fix);
      }
      return li;
    });
    el.outboxList.replaceChildren(...items);
    const what = [];
    if (st.contacts) what.push(`${st.contacts} ${st.contacts === 1 ? "kontakt" : "kontakter"}`);
    if (st.citizens) what.push(`${st.citizens} ${st.citizens === 1 ? "ny borger" : "nye borgere"}`);
    let summary;
    if (!entries.length) summary = "Intet venter på at blive sendt.";
    else if (!st.records) summary = "";
    else if (st.authNeeded) summary = `${what.join(" og ")} venter. Log ind for at sende.`;
    else summary = `${what.join(" og ")} venter på at blive sendt.`;
    if (st.refused) {
      summary += `${summary ? " " : ""}${st.refused} afvist af serveren – se årsagen nedenfor. ` +
        "En afvist post bliver på telefonen, til du kasserer den.";
    }
    if (st.lastSync) summary += ` Sidst sendt ${clock(st.lastSync)}.`;
    if (el.outboxSummary.textContent !== summary) el.outboxSummary.textContent = summary;
    el.send.hidden = !st.waiting;
    el.send.disabled = st.busy;
  }

  el.send.addEventListener("click", () => document.dispatchEvent(new Event("gk:sync")));

  // --- start -------------------------------------------------------------------

  function prefill() {
    const params = new URLSearchParams(location.search);
    if (params.has("items") || params.has("borger")) {
      // From the BVC page: the items scored there, an assessment even at 0.
      form.querySelector('input[name="bvc_done"][value="ja"]').checked = true;
      const chosen = new Set(params.getAll("items"));
      for (const b of items) b.checked = chosen.has(b.value);
    }
    if (params.get("borger") === "ukendt" && !wantedCitizen) el.citizen.value = "ukendt";
    const stage = params.get("stage");
    const radio = stage && form.querySelector(`input[name="stage"][value="${CSS.escape(stage)}"]`);
    if (radio) radio.checked = true;
  }

  let refresh = Promise.resolve();
  function onChange() {
    refresh = refresh.then(() => Promise.all([loadLists(), renderOutbox(), reportSaved()])).catch((err) =>
      console.warn("Contact log refresh failed:", err));
  }

  async function start() {
    el.when.value = localInput(new Date());
    await loadLists();
    prefill();
    showCitizen();
    showBvc();
    showPlace();
    showCount();
    await renderOutbox();
    changes.events.addEventListener("change", onChange);
    if (location.hash === "#outbox") document.getElementById("outbox").scrollIntoView();
    form.dataset.ready = "true";
  }

  start().catch((err) => {
    console.warn("Contact log unavailable:", err);
    el.login.hidden = false;
    el.login.querySelector("[data-login-title]").textContent = "Kontaktloggen kan ikke åbne telefonens lager.";
    el.login.querySelector("[data-login-text]").textContent = "Feltværktøjet virker stadig.";
  });
}
