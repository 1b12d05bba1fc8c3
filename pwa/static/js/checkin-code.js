// The worker's check-in code and duress code on this phone, for teams that
// check in with a code ("Tjek ind med kode", team_rules.py). Never kept in
// clear: one random salt, and PBKDF2-SHA-256 of each code under it (WebCrypto,
// as vault.js does for the PIN), in localStorage so the timer can check a
// code with no network and no login. A check derives once and compares with
// both, so the duress code takes exactly as long as the check-in code.
// Short codes can be guessed from the stored hashes by someone who copies
// the phone's storage and tries them all (docs/security.md): the hashes keep
// the codes from being read, not from being searched.
const KEY = "gk.checkin-codes";
const ITERATIONS = 210000;
export const MIN_CODE = 4;
export const MAX_CODE = 12;

const enc = new TextEncoder();
const b64 = (bytes) => btoa(String.fromCharCode(...bytes));
const unb64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function derive(code, salt, iterations) {
  const base = await crypto.subtle.importKey("raw", enc.encode(code), "PBKDF2", false, ["deriveBits"]);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, base, 256));
}

function stored() {
  try {
    const s = JSON.parse(localStorage.getItem(KEY));
    return s && s.salt && s.ok && s.duress ? s : null;
  } catch {
    return null;
  }
}

export function hasCodes() {
  return Boolean(stored());
}

const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

// What is wrong with a pair of codes, in Danish, or null when they will do.
export function codeProblem(ok, duress) {
  const bad = (c) => c.length < MIN_CODE || c.length > MAX_CODE;
  if (bad(ok)) return `Tjek-ind-koden skal være ${MIN_CODE}–${MAX_CODE} tegn.`;
  if (bad(duress)) return `Tvangskoden skal være ${MIN_CODE}–${MAX_CODE} tegn.`;
  if (ok === duress) return "Tvangskoden skal være en anden end tjek-ind-koden.";
  return null;
}

export async function setCodes(ok, duress) {
  const problem = codeProblem(ok, duress);
  if (problem) throw new RangeError(problem);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const [a, b] = await Promise.all([derive(ok, salt, ITERATIONS), derive(duress, salt, ITERATIONS)]);
  localStorage.setItem(KEY, JSON.stringify({ salt: b64(salt), iterations: ITERATIONS, ok: b64(a), duress: b64(b) }));
}

export function clearCodes() {
  localStorage.removeItem(KEY);
}

// "ok", "duress", or null for a code that is neither.
export async function checkCode(code) {
  const s = stored();
  if (!s) return null;
  const got = await derive(String(code), unb64(s.salt), s.iterations);
  const isOk = same(got, unb64(s.ok));
  const isDuress = same(got, unb64(s.duress));
  return isOk ? "ok" : isDuress ? "duress" : null;
}
