// "Ny kontakt" (/log): saves the contact form into the outbox (a new citizen,
// if any, and the encounter, sealed), says what became of the last save, and
// keeps the form, its corrections and the outbox list current as what the
// phone keeps changes. The static shell is filled from the phone's cached
// session and citizen list, so it works the same with or without network.
// What is begun is kept as a draft in the PIN vault (draft.js).
import { changes, outbox, sync } from "./phone-data.js";
import { carryScoreToForm, scoreLogged } from "./bvc-score.js";
import { contactForm } from "./contact-form.js";
import { aliasCheck } from "./alias-check.js";
import { corrections } from "./corrections.js";
import { clock } from "./dates.js";
import { contactDraft } from "./draft.js";
import { showErrors, showProblem } from "./form-errors.js";
import { outboxList } from "./outbox-list.js";

const form = document.getElementById("log-form");
if (form) {
  carryScoreToForm();   // a BVC score handed over before a login: into the URL, before the form reads it
  const $ = (id) => document.getElementById(id);
  const el = { login: $("log-login"), done: $("log-done"), doneActions: $("log-done-actions"),
               errors: $("log-errors"), save: $("log-save") };
  const contact = contactForm(form);
  // The contact saved last: { id, label }, until the server has it.
  let lastSaved = null;
  const fixes = corrections(contact, { savedLabel: () => lastSaved && lastSaved.label });
  const list = outboxList({
    team: () => { const s = contact.lists.session(); return s ? s.team.id : null; },
    correct: fixes.correct,
  });
  let saving = false;
  const citizenSelect = $("citizen");
  const aliases = aliasCheck({
    input: $("alias"), box: $("alias-known"), citizens: () => contact.lists.citizens(),
    unlock: () => contact.lists.unlock(),
    pick(id) {
      citizenSelect.value = id;
      citizenSelect.dispatchEvent(new Event("change", { bubbles: true }));
      citizenSelect.focus();
    },
  });
  const draft = contactDraft(form, contact, { busy: () => saving || Boolean(fixes.current()) });
  // How many contacts this page saved per citizen and minute: two saves that
  // would read the same must not look like one confirmation shown twice.
  const savesPerMinute = new Map();

  // A refusal is a warning, not a tick: shape and words, not colour alone.
  function say(text, warn = false) {
    el.done.textContent = text;
    el.done.className = `note ${warn ? "note-warn" : "note-done"}`;
    el.done.hidden = false;
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
    else text = "Gemt på telefonen – sendes, når der er net";
    text += ` (${lastSaved.label}).`;
    if (el.done.textContent !== text) say(text, refused);
    if (!entry) lastSaved = null;
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (saving) return;
    contact.keepWhenCurrent();
    const { errors, records, meta, encounter, newCitizen } = contact.collect();
    if (errors.length) {
      showErrors(form, el.errors, errors);
      return;
    }
    const correction = fixes.current();
    if (correction && correction.amends) encounter.amends = correction.amends;
    const values = contact.capture();
    saving = true;
    el.save.disabled = true;
    el.save.textContent = "Gemmer …";
    try {
      await outbox.add(records, { team: contact.lists.session().team.id, meta,
                                  replaces: correction && correction.replaces });
    } catch (err) {
      console.warn("Could not save to the outbox:", err);
      showProblem(form, el.errors, "Telefonen kunne ikke gemme kontakten. Prøv igen – intet er gemt endnu.");
      return;
    } finally {
      saving = false;
      el.save.disabled = false;
      el.save.textContent = fixes.current() ? "Gem rettelsen" : "Gem kontakt";
    }
    const who = meta[encounter.id].alias || "ukendt borger";
    fixes.remember({ id: encounter.id, values, newCitizen: newCitizen || contact.lists.extraCitizen() });
    const minute = clock(encounter.occurred_at).replace("i dag ", "kl. ");
    const key = `${encounter.citizen_id || who.toLocaleLowerCase("da")}|${minute}`;
    const nth = correction ? 1 : (savesPerMinute.get(key) || 0) + 1;
    if (!correction) savesPerMinute.set(key, nth);
    lastSaved = { id: encounter.id,
                  label: `${correction ? "rettelse – " : ""}${who}, ${minute}` +
                         (nth > 1 ? ` – ${nth}. kontakt med samme borger i samme minut` : "") };
    fixes.end();
    scoreLogged();      // the handed-over BVC score is in the log now: not offered to the next contact
    say(`Gemt på telefonen – ${navigator.onLine ? "sender …" : "sendes, når der er net"} (${lastSaved.label}).`);
    contact.reset();
    aliases.clear();
    await draft.saved();
    el.doneActions.hidden = false;
    window.scrollTo({ top: 0 });
    el.done.focus();
    document.dispatchEvent(new Event("gk:sync"));
  });

  // The idle lock fell: what this page held about citizens goes with it.
  document.addEventListener("gk:locked", () => {
    fixes.remember(null);
    el.doneActions.hidden = true;
    contact.lists.setExtraCitizen(null);
    if (fixes.current()) fixes.end();
    draft.locked().catch((err) => console.warn("Draft not locked away:", err));
  });
  document.addEventListener("gk:vault-wiped", () => { contact.lists.reload(); });

  let refresh = Promise.resolve();
  function onChange() {
    refresh = refresh.then(() => Promise.all([contact.lists.load(), list.render(), reportSaved()])).catch((err) =>
      console.warn("Contact log refresh failed:", err));
  }

  async function start() {
    const carried = await contact.open();
    await draft.start(carried);
    await list.render();
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
