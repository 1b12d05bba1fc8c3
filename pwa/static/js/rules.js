// The rules for what a person types, from their one source on the server:
// pwa/rules.py renders them into <html data-rules> (base.html). The phone
// checks a form with them before it saves; the server checks again on upload.
// Without them (no page is made without base.html) this checks nothing and
// leaves it to the server, rather than keeping a page's script from loading.

function read() {
  try {
    return JSON.parse(globalThis.document?.documentElement.dataset.rules || "{}");
  } catch {
    return {};
  }
}

export const RULES = Object.freeze(read());
const SEPARATORS = RULES.cpr ? new RegExp(RULES.cpr.separators, "gu") : null;
const CPR = RULES.cpr ? new RegExp(RULES.cpr.pattern, "u") : null;
const FORMAT = /\p{Cf}/gu;   // zero-width space, soft hyphen and the like

// The same steps as rules.normalise_for_cpr: fold (NFKC), drop invisible
// format characters, turn each run of spaces, dashes, dots and slashes into "-".
export function normaliseForCpr(text) {
  const folded = String(text ?? "").normalize("NFKC").replace(FORMAT, "");
  return SEPARATORS ? folded.replace(SEPARATORS, "-") : folded;
}

export function looksLikeCpr(text) {
  return Boolean(CPR && CPR.test(normaliseForCpr(text)));
}

// The longest text a field takes (rules.LIMITS), or undefined without rules.
export function limit(field) {
  return RULES.limits?.[field];
}
