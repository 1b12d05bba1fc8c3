// The stage chosen on /stages carries over to /prompts (and back) on this
// phone, and to the contact form, which takes it over only while it is fresh
// (the worker chose it in this conversation, not this morning) and says so.
const KEY = "gk.stage";
const AT = "gk.stage.at";
// How long a stage chosen on /stages or /prompts is offered to the contact
// form: a conversation and its log, not the next citizen's.
const FRESH_MS = 60 * 60 * 1000;

export function savedStage() {
  try { return localStorage.getItem(KEY) || ""; } catch { return ""; }
}

export function saveStage(id) {
  try {
    if (id && id !== "alle") {
      localStorage.setItem(KEY, id);
      localStorage.setItem(AT, new Date().toISOString());
    } else {
      localStorage.removeItem(KEY);
      localStorage.removeItem(AT);
    }
  } catch { /* private mode: the choice just does not carry over */ }
}

// { id, at } of a stage chosen within the last hour, or null.
export function recentStage(now = Date.now()) {
  try {
    const id = localStorage.getItem(KEY);
    const at = localStorage.getItem(AT);
    if (!id || !at || now - new Date(at).getTime() > FRESH_MS) return null;
    return { id, at };
  } catch {
    return null;
  }
}

// The query string wins over the saved choice, so links like
// /prompts?stage=contemplation land where they point.
export function initialStage(form) {
  const fromUrl = new URLSearchParams(location.search).get("stage");
  const id = fromUrl !== null ? fromUrl : savedStage();
  const known = [...form.querySelectorAll('input[name="stage"], select[name="stage"] option')]
    .some((el) => el.value === id);
  return id && known ? id : "";
}

export function reflectInUrl(id) {
  const url = new URL(location.href);
  if (id && id !== "alle") url.searchParams.set("stage", id); else url.searchParams.delete("stage");
  history.replaceState(null, "", url);
}
