// Correcting a saved contact on /log. A saved record is sealed, so it is
// never edited: a correction is a new record that amends it (it may already
// be on the server), or, for a refused one, replaces it (outbox.js). Right
// after a save this page still remembers the form, so "Ret kontakten" opens
// it filled in; after a reload only the citizen and time kept in clear.
import { outbox } from "./phone-data.js";

// contact: the form (contact-form.js); savedLabel(): the words for the
// contact just saved, as the page said them.
export function corrections(contact, { savedLabel }) {
  const $ = (id) => document.getElementById(id);
  const el = {
    title: $("log-title"), save: $("log-save"), amending: $("log-amending"), cancel: $("log-amend-cancel"),
    done: $("log-done"), doneActions: $("log-done-actions"), amendLast: $("log-amend-last"),
  };
  // The correction in progress: { amends, replaces, what, ... }.
  let correcting = null;
  // The last saved form's values, in this page's memory only; gone on
  // reload and at the idle lock.
  let lastForm = null;

  // What a correction of the entry with this id must do: amend a waiting or
  // sent contact; replace a refused one (amending what it amended, if any).
  // A conflict is replaced too, and amends the version the server holds
  // under its id, so the worker's correction is the one in force.
  async function correctionOf(id, what) {
    const entry = (await outbox.list()).find((e) => e.id === id);
    const refused = entry && entry.status === "refused";
    const remembered = lastForm && lastForm.id === id ? lastForm : null;
    return {
      amends: refused && !entry.conflict ? (entry.meta && entry.meta.amends) || null : id,
      replaces: refused ? id : null,
      what,
      values: remembered && remembered.values,
      newCitizen: remembered && remembered.newCitizen,
      occurredAt: entry && entry.meta && entry.meta.occurred_at,
      citizenId: entry && entry.meta && entry.meta.citizen_id,
    };
  }

  async function start(target) {
    contact.reset();
    correcting = target;
    await contact.fillFrom(target);
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

  function end() {
    correcting = null;
    el.amending.hidden = true;
    el.title.textContent = "Ny kontakt";
    el.save.textContent = "Gem kontakt";
  }

  // Start correcting the entry with this id, described in `what`.
  async function correct(id, what) {
    await start(await correctionOf(id, what));
  }

  el.amendLast.addEventListener("click", async () => {
    if (lastForm) await correct(lastForm.id, `den kontakt, du lige gemte (${savedLabel() || "nu"})`);
  });
  el.cancel.addEventListener("click", () => {
    end();
    contact.reset();
    el.doneActions.hidden = !lastForm;
  });

  return {
    correct, end,
    current: () => correcting,
    // A save: { id, values, newCitizen }, or null to forget (the idle lock fell).
    remember(saved) { lastForm = saved; },
  };
}
