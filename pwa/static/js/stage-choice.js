// The stage chosen on /stages carries over to /prompts (and back) on this phone.
const KEY = "gk.stage";

export function savedStage() {
  try { return localStorage.getItem(KEY) || ""; } catch { return ""; }
}

export function saveStage(id) {
  try {
    if (id && id !== "alle") localStorage.setItem(KEY, id); else localStorage.removeItem(KEY);
  } catch { /* private mode: the choice just does not carry over */ }
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
