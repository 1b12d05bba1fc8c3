// The contact form's draft: what a worker has begun is kept on the phone as
// they type, so leaving by the tab bar (to the BVC, the timer), a reload or a
// closed browser loses nothing; back on /log it is offered again.
//
// It is kept in the PIN vault (vault.js saveDraft), never in clear: a draft
// holds an alias and a note. With no PIN there is no draft, and the form says
// so beside the PIN button (contact-lists.js). Locked (idle lock, browser
// restarted), the draft waits for the PIN. It goes when the contact is saved,
// when the worker discards it, and with the vault (logout, shift's end, five
// wrong PINs).
import { vault } from "./phone-data.js";
import { clock } from "./dates.js";
import { ensureUnlocked } from "./lock.js";

// contact: the form (contact-form.js); busy(): true while a save or a
// correction is under way (a correction is not a draft).
export function contactDraft(form, contact, { busy }) {
  const $ = (id) => document.getElementById(id);
  const el = { box: $("log-draft"), text: $("log-draft").querySelector("[data-draft-text]"),
               open: $("log-draft-open"), drop: $("log-draft-drop") };
  let clean = null;       // the form's signature when it was last empty or saved
  let writing = null;
  let again = false;
  let offered = null;     // what the offer's main button does
  let replaceable = false; // the offer gives way once the worker writes in the form

  const when = (iso) => clock(iso).replace("i dag ", "kl. ");

  function say(text, button = null, { gives = false } = {}) {
    replaceable = gives;
    el.text.textContent = text;
    el.open.hidden = !button;
    if (button) el.open.textContent = button.label;
    offered = button && button.run;
    el.box.hidden = false;
  }
  const quiet = () => { el.box.hidden = true; offered = null; replaceable = false; };

  // The form as it is now counts as nothing begun.
  function markClean() { clean = contact.signature(); }
  const dirty = () => clean !== null && contact.signature() !== clean;

  async function write() {
    if (!dirty()) {
      if (!(await vault.draftAt()) || offered) return;   // an offered draft stays until the worker decides
      await vault.dropDraft();
      return;
    }
    await vault.saveDraft(Object.assign(contact.snapshot(), { saved_at: new Date().toISOString() }));
  }

  // Keep what is on the form now; one write at a time, the last one wins.
  function keep() {
    if (busy() || clean === null) return writing;
    if (writing) { again = true; return writing; }
    writing = write().catch((err) => console.warn("Draft not kept:", err)).finally(() => {
      writing = null;
      if (again) { again = false; keep(); }
    });
    return writing;
  }

  async function resume() {
    const draft = await vault.readDraft();
    if (!draft) return false;
    contact.resume(draft);
    say(`Din påbegyndte kontakt fra ${when(draft.saved_at)} er sat ind igen.`);
    return true;
  }

  async function discard() {
    const showing = el.box.dataset.showing === "true";
    quiet();
    await vault.dropDraft();
    if (showing) contact.reset();
    markClean();
  }

  // Opening /log: a link that carried a score or a citizen wins and the kept
  // draft is offered beside it; otherwise the draft is put back at once.
  async function start(carried) {
    markClean();
    const at = await vault.draftAt();
    if (!at) return;
    el.box.dataset.showing = "false";
    if ((await vault.state()) !== "unlocked") {
      say(`Du har en påbegyndt kontakt fra ${when(at)}. Lås op med din PIN for at fortsætte den.`,
          { label: "Lås op", run: unlockAndResume });
      return;
    }
    if (carried) {
      say(`Du har også en påbegyndt kontakt fra ${when(at)}. Skriver du her, erstatter det den.`,
          { label: "Fortsæt den", run: resumeHere }, { gives: true });
      return;
    }
    if (await resume()) el.box.dataset.showing = "true";
  }

  async function resumeHere() {
    contact.reset();
    markClean();
    if (await resume()) el.box.dataset.showing = "true";
  }

  async function unlockAndResume() {
    if (!(await ensureUnlocked())) return;
    await contact.lists.reload();
    await resumeHere();
  }

  el.open.addEventListener("click", () => offered && offered());
  el.drop.addEventListener("click", () => { discard(); });
  const onEdit = () => {
    if (replaceable && dirty()) quiet();  // the new contact replaces the offered draft
    keep();
  };
  form.addEventListener("input", onEdit);
  form.addEventListener("change", onEdit);
  // A tap on the tab bar ends the page: keep what is there now, too.
  addEventListener("pagehide", () => { keep(); });
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") keep(); });

  return {
    start,
    // The contact was saved: its draft goes, and the empty form is the new clean.
    async saved() {
      quiet();
      await vault.dropDraft();
      markClean();
    },
    markClean,
    // The idle lock fell: what is on the form is in the vault already (it
    // falls minutes after the last keystroke); the form starts over at once,
    // so no citizen's data stays on screen for a moment longer, and the draft
    // waits for the PIN. A write under way may finish; none may follow it,
    // since it would find the empty form and drop the draft.
    async locked() {
      contact.reset();
      markClean();
      again = false;
      await writing;
      const at = await vault.draftAt();
      if (at) say(`Din påbegyndte kontakt fra ${when(at)} er låst. Lås op med din PIN for at fortsætte den.`,
                  { label: "Lås op", run: unlockAndResume });
    },
  };
}
