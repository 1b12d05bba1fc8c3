// The team's own rules ("Teamets aftaler") on this phone: the code word, the
// way out, who gets an SMS and when, the check-in time per risk band, and how
// long a BVC score is kept.
// They hold no citizen data, so the last copy the server gave is kept in
// localStorage and shown with no network on /bvc, /timer and /settings.
// Until a login has brought one, the pages keep the defaults the server
// built them with, each marked as a default.
const KEY = "gk.team-rules";
const BANDS = ["low", "moderate", "high"];

// {team: {id, name}, updated_at, rules: {id: {value, default}}, fetched_at} or null.
export function cachedRules() {
  try {
    const copy = JSON.parse(localStorage.getItem(KEY));
    return copy && copy.team && copy.rules ? copy : null;
  } catch {
    return null;
  }
}

// A number of minutes the team has set (the check-in times, how long a score
// is kept), or null where this phone has no valid copy of it.
export function teamRuleValue(id) {
  const copy = cachedRules();
  const rule = copy && copy.rules[id];
  return rule && Number.isInteger(rule.value) && rule.value > 0 ? rule.value : null;
}

// A switch the team has turned on ("Tjek ind med kode"); off without a copy.
export function teamRuleOn(id) {
  const copy = cachedRules();
  return Boolean(copy && copy.rules[id] && copy.rules[id].value === true);
}

// How a rule's value reads on the page: a switch as "Til" or "Fra".
function shown(value) {
  return typeof value === "boolean" ? (value ? "Til" : "Fra") : String(value);
}

// The team's check-in minutes per band, for the bands it has a valid number for.
export function teamMinutes() {
  const out = {};
  for (const band of BANDS) {
    const minutes = teamRuleValue(`checkin_${band}`);
    if (minutes) out[band] = minutes;
  }
  return out;
}

const STAMP = new Intl.DateTimeFormat("da-DK", { day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" });

function show(copy) {
  if (!copy) return;
  for (const el of document.querySelectorAll("[data-team-rule]")) {
    const rule = copy.rules[el.dataset.teamRule];
    if (!rule) continue;
    const value = el.querySelector("[data-rule-value]");
    if (value.textContent !== shown(rule.value)) value.textContent = shown(rule.value);
    el.querySelector("[data-rule-default]").hidden = !rule.default;
  }
  for (const el of document.querySelectorAll("[data-team-rules-from]")) {
    el.textContent = `${copy.team.name}, hentet ${STAMP.format(new Date(copy.fetched_at))}.`;
    el.hidden = false;
  }
}

// With a signal, ask for the rules that apply now; a phone that is not
// logged in gets no team and keeps the copy it has. A phone never logged in
// (app.js) has no team to ask about: it keeps the defaults and asks nothing.
async function refresh() {
  if (!navigator.onLine || (self.gk && self.gk.phoneUsed && !self.gk.phoneUsed())) return;
  try {
    const resp = await fetch("/api/team/rules", { credentials: "same-origin", cache: "no-store" });
    if (!resp.ok) return;
    const body = await resp.json();
    if (!body.team) return;
    const copy = { ...body, fetched_at: Date.now() };
    localStorage.setItem(KEY, JSON.stringify(copy));
    show(copy);
    document.dispatchEvent(new CustomEvent("gk:team-rules", { detail: copy }));
  } catch { /* offline, or storage blocked: the copy from last time (or the defaults) stays */ }
}

if (document.querySelector("[data-team-rules]")) {
  show(cachedRules());
  // Never before the field kit has painted (app.js).
  Promise.resolve(self.gk && self.gk.afterFirstPaint).then(refresh);
}
