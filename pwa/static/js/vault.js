// The offline citizen list, readable only with the worker's PIN.
//
// A random AES-GCM key encrypts the list; that key is wrapped by a key
// derived from the PIN with PBKDF2-SHA-256 at 600,000 iterations (OWASP's
// figure). A thief with the phone's storage must guess the PIN against that
// cost, and the list holds only what the field needs and expires with the
// shift. After five wrong PINs the list is deleted (the sealed outbox stays).
// While unlocked, the list key lives in sessionStorage (this tab's session
// only) and is dropped by the idle lock.
//
// The contact form's draft (draft.js) lives here too, under the same key:
// it holds what the worker typed about a citizen (alias, note), so it must be
// readable on this phone by this worker and by no one else. Sealing it to the
// server's key (as the outbox does) would make it unreadable here, so it could
// not be offered again; the vault is what opens with the worker's PIN, and
// it expires, locks and is wiped with the list. Without a PIN there is no
// draft.
(function (root) {
  "use strict";
  const gk = root.gk || (root.gk = {});
  const ITERATIONS = 600000;
  const MAX_TRIES = 5;
  const SESSION_KEY = "gk.vault.key";
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)));
  const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

  async function pinKey(pin, salt) {
    const base = await crypto.subtle.importKey("raw", enc.encode(pin), "PBKDF2", false, ["deriveKey"]);
    return crypto.subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt, iterations: ITERATIONS },
      base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  }

  function validPin(pin) {
    return /^\d{6,12}$/.test(pin);
  }

  // Make a new vault under `pin`; returns the raw list key (kept unlocked).
  async function create(pin, { hours } = {}) {
    // The list lives one shift, as long as the operator's policy says.
    if (hours === undefined) hours = ((await gk.idb.get("kv", "policy")) || {}).list_hours || 12;
    if (!validPin(pin)) throw new RangeError("PIN skal være 6–12 cifre");
    const raw = crypto.getRandomValues(new Uint8Array(32));
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const wrapped = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await pinKey(pin, salt), raw);
    await gk.idb.set("kv", "vault", { salt: b64(salt), iv: b64(iv), wrapped: b64(wrapped), tries: 0,
                                      expires_at: Date.now() + hours * 3600 * 1000 });
    await gk.idb.del("kv", "vault_list");
    await gk.idb.del("kv", "vault_draft");
    remember(raw);
    flag(true);
    return raw;
  }

  function remember(raw) {
    try { sessionStorage.setItem(SESSION_KEY, b64(raw)); } catch { /* then each page asks again */ }
  }

  // A hint for pages that load the idle lock only when there is a vault to lock.
  function flag(on) {
    try { if (on) localStorage.setItem("gk.vault", "1"); else localStorage.removeItem("gk.vault"); } catch { /* worker */ }
  }

  function forget() {
    try { sessionStorage.removeItem(SESSION_KEY); } catch { /* nothing kept */ }
  }

  async function state() {
    const v = await gk.idb.get("kv", "vault");
    if (!v) return "none";
    if (Date.now() > v.expires_at) { await wipe(); return "none"; }
    let unlocked = false;
    try { unlocked = Boolean(sessionStorage.getItem(SESSION_KEY)); } catch { /* locked */ }
    return unlocked ? "unlocked" : "locked";
  }

  // Try a PIN: "ok", "wrong" (with tries left) or "wiped" after the fifth miss.
  async function unlock(pin) {
    const v = await gk.idb.get("kv", "vault");
    if (!v) return { result: "wiped", left: 0 };
    try {
      const raw = await crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(v.iv) },
        await pinKey(pin, unb64(v.salt)), unb64(v.wrapped));
      await gk.idb.set("kv", "vault", Object.assign({}, v, { tries: 0 }));
      remember(new Uint8Array(raw));
      return { result: "ok", left: MAX_TRIES };
    } catch {
      const tries = (v.tries || 0) + 1;
      if (tries >= MAX_TRIES) { await wipe(); return { result: "wiped", left: 0 }; }
      await gk.idb.set("kv", "vault", Object.assign({}, v, { tries }));
      return { result: "wrong", left: MAX_TRIES - tries };
    }
  }

  async function listKey(usage) {
    let s = null;
    try { s = sessionStorage.getItem(SESSION_KEY); } catch { /* locked */ }
    if (!s) return null;
    return crypto.subtle.importKey("raw", unb64(s), "AES-GCM", false, [usage]);
  }

  // Store a value encrypted under the list key, in kv[name]; needs the vault
  // unlocked. `clear` is kept beside the ciphertext, readable while locked
  // (a draft's time, never what it says).
  async function put(name, value, clear = {}) {
    const key = await listKey("encrypt");
    if (!key) return false;
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, enc.encode(JSON.stringify(value)));
    await gk.idb.set("kv", name, Object.assign({}, clear, { iv: b64(iv), ct: b64(ct) }));
    return true;
  }

  // The value in kv[name]: `empty` when there is none, null when locked,
  // expired or unreadable.
  async function take(name, empty) {
    if ((await state()) !== "unlocked") return null;
    const stored = await gk.idb.get("kv", name);
    const key = await listKey("decrypt");
    if (!stored || !key) return stored ? null : empty;
    try {
      return JSON.parse(dec.decode(await crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(stored.iv) },
        key, unb64(stored.ct))));
    } catch {
      return null;
    }
  }

  const saveList = (list) => put("vault_list", list);
  // The list, or null when locked, expired or absent.
  const readList = () => take("vault_list", []);

  // The contact form's draft: saved and read only while unlocked; `draftAt`
  // says, even while locked, that there is one and from when.
  const saveDraft = (draft) => put("vault_draft", draft, { at: draft.saved_at });
  const readDraft = () => take("vault_draft", null);
  async function draftAt() {
    if ((await state()) === "none") return null;
    const stored = await gk.idb.get("kv", "vault_draft");
    return stored ? stored.at : null;
  }
  const dropDraft = () => gk.idb.del("kv", "vault_draft");

  async function wipe() {
    forget();
    flag(false);
    await gk.idb.del("kv", "vault");
    await gk.idb.del("kv", "vault_list");
    await gk.idb.del("kv", "vault_draft");
  }

  gk.vault = { create, unlock, state, saveList, readList, saveDraft, readDraft, draftAt, dropDraft, wipe,
               lock: forget, validPin, MAX_TRIES };
})(self);
