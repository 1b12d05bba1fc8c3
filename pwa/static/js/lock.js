// The idle lock and the PIN dialog in front of citizens' data.
//
// After the policy's idle minutes (LOCK_MINUTES on the server, 5 by default)
// without a touch, the vault's key is dropped: the citizen list and any page
// showing citizens' data hide until the PIN is typed (or, with no PIN on the
// phone, the page's data goes and the worker logs in again). The field kit — BVC, stages, prompts, checklists, the timer — never
// asks for the PIN; only what names citizens does.
import "./idb.js";
import "./vault.js";
import { el } from "./dom.js";

const gk = self.gk;
let lockMinutes = 5;  // until the operator's policy (from /api/session) is read
let idleTimer = null;
// Why the list is locked, for the words on a locked page: the idle lock
// notes it in this tab's sessionStorage; a locked vault with no such note
// means the key went with the tab or the browser (closed and opened again).
const REASON = "gk.lock.reason";

function noteReason(reason) {
  try { if (reason) sessionStorage.setItem(REASON, reason); else sessionStorage.removeItem(REASON); } catch { /* no note */ }
}

export function lockReason() {
  let idle = false;
  try { idle = sessionStorage.getItem(REASON) === "idle"; } catch { /* as after a restart */ }
  return idle ? `Låst, fordi telefonen ikke har været brugt i ${lockMinutes} minutter.`
    : "Låst, fordi appen er blevet lukket og åbnet igen – så skal PIN'en skrives igen.";
}

// Resolve true when the vault is open (after asking for the PIN if needed),
// false when the worker cancels or the list was wiped.
export async function ensureUnlocked({ create = false } = {}) {
  const state = await gk.vault.state();
  if (state === "unlocked") return true;
  if (state === "none" && !create) return false;
  const ok = await askPin(state === "none" ? "create" : "unlock");
  if (ok) {
    noteReason(null);
    document.dispatchEvent(new CustomEvent("gk:unlocked"));
  }
  return ok;
}

function askPin(mode) {
  return new Promise((resolve) => {
    const creating = mode === "create";
    const pin = el("input", { type: "password", inputmode: "numeric", autocomplete: "off", id: "pin",
                              pattern: "[0-9]{6,12}", required: "", "aria-describedby": "pin-hint pin-msg" });
    const again = el("input", { type: "password", inputmode: "numeric", autocomplete: "off", id: "pin2",
                                required: "" });
    const msg = el("p", { id: "pin-msg", class: "error-text", role: "alert" });
    const submit = el("button", { type: "submit", class: "btn", text: creating ? "Gem PIN" : "Lås op" });
    const cancel = el("button", { type: "button", class: "btn btn-secondary", text: "Annullér" });
    // novalidate: the browser's own bubble speaks English and hides our
    // Danish message in the alert below.
    const form = el("form", { method: "dialog", class: "form", novalidate: "" },
      el("h2", { text: creating ? "Vælg en PIN til borgerlisten" : "Lås borgerlisten op" }),
      el("p", { id: "pin-hint", class: "hint", text: creating
        ? "6–12 cifre. Listen over teamets borgere gemmes krypteret på telefonen og kan kun læses med PIN'en."
        : "Skriv din PIN. Efter 5 forkerte forsøg slettes listen fra telefonen (ikke-sendte kontakter bevares)." }),
      el("label", { for: "pin", text: "PIN" }), pin,
      ...(creating ? [el("label", { for: "pin2", text: "Gentag PIN" }), again] : []),
      msg, el("div", { class: "actions" }, submit, cancel));
    const dialog = el("dialog", { class: "pin-dialog", "aria-labelledby": "pin-title" }, form);
    form.querySelector("h2").id = "pin-title";
    document.body.append(dialog);
    const done = (ok) => { dialog.close(); dialog.remove(); resolve(ok); };
    cancel.addEventListener("click", () => done(false));
    dialog.addEventListener("cancel", () => done(false));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      submit.disabled = true;
      try {
        if (creating) {
          if (!gk.vault.validPin(pin.value)) { msg.textContent = "PIN skal være 6–12 cifre."; return; }
          if (pin.value !== again.value) { msg.textContent = "De to PIN-koder er ikke ens."; return; }
          await gk.vault.create(pin.value);
          done(true);
          return;
        }
        if (!gk.vault.validPin(pin.value)) { msg.textContent = "PIN'en er 6–12 cifre."; pin.focus(); return; }
        const r = await gk.vault.unlock(pin.value);
        if (r.result === "ok") { done(true); return; }
        if (r.result === "wiped") {
          msg.textContent = "Borgerlisten er slettet fra telefonen. Log ind igen med net for at hente den.";
          submit.hidden = true;
          document.dispatchEvent(new CustomEvent("gk:vault-wiped"));
          return;
        }
        msg.textContent = `Forkert PIN. ${r.left} ${r.left === 1 ? "forsøg" : "forsøg"} tilbage.`;
        pin.value = "";
        pin.focus();
      } finally {
        submit.disabled = false;
      }
    });
    dialog.showModal();
    pin.focus();
  });
}

function lockNow() {
  gk.vault.lock();
  noteReason("idle");
  document.dispatchEvent(new CustomEvent("gk:locked"));
}

function touch() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(lockNow, lockMinutes * 60 * 1000);
}

// Pages showing citizens' data from the server hide it when the lock falls.
// With a PIN, the PIN shows it again. Without one there is nothing to unlock
// with, so the data leaves the page and the server session ends: the next
// look needs the password (the sealed outbox stays; the field kit needs no
// login).
async function guardServerPage() {
  const main = document.getElementById("main");
  if (!document.body.hasAttribute("data-citizen-data") || !main) return;
  const text = el("p", { class: "lead", text: lockReason() });
  const unlock = el("button", { type: "button", class: "btn", text: "Lås op med PIN" });
  const cover = el("div", { class: "lock-cover", hidden: "" }, text, unlock);
  main.before(cover);
  const hide = () => { text.textContent = lockReason(); main.hidden = true; cover.hidden = false; };
  document.addEventListener("gk:locked", async () => {
    if ((await gk.vault.state()) !== "none") { hide(); return; }
    main.remove();
    unlock.remove();
    cover.hidden = false;
    text.textContent = `Du er logget ud, fordi telefonen ikke har været brugt i ${lockMinutes} minutter, ` +
      "og der er ingen PIN at låse op med.";
    const next = encodeURIComponent(location.pathname + location.search);
    cover.append(el("p", {}, el("a", { class: "btn", href: `/login?next=${next}`, text: "Log ind igen" })));
    await endServerSession().catch(() => {});
  });
  unlock.addEventListener("click", async () => {
    if (await ensureUnlocked()) { main.hidden = false; cover.hidden = true; touch(); }
  });
  if ((await gk.vault.state()) === "locked") hide();
}

async function endServerSession() {
  const resp = await fetch("/api/session", { credentials: "same-origin", cache: "no-store",
                                             headers: { Accept: "application/json" } });
  const session = await resp.json();
  if (!session.user) return;
  await fetch("/logout", { method: "POST", credentials: "same-origin", redirect: "manual",
                           body: new URLSearchParams({ csrf_token: session.csrf_token }) });
}

export async function startIdleLock() {
  const policy = await gk.idb.get("kv", "policy").catch(() => null);
  if (policy && policy.lock_minutes > 0) lockMinutes = policy.lock_minutes;
  for (const type of ["pointerdown", "keydown", "input", "scroll"]) {
    addEventListener(type, touch, { passive: true, capture: true });
  }
  touch();
  guardServerPage().catch(() => {});
}
