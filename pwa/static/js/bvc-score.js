// The BVC score kept on this phone for the shift, so nothing the worker
// ticked is lost by leaving /bvc, a reload or a login: the ticked items, when
// they were scored, known or unknown citizen, and the citizen's id if one was
// picked (an id only: an alias never sits in clear storage). /bvc restores it
// with its age, /timer takes its band as the default length, and the contact
// form is handed it (carryScoreToForm). It goes on "Nulstil", or when the
// team's keeping time (the team rule score_keep) has passed since scoring.
// A makkerscore (pair-score.js) keeps both scores in `pair`; `items` is then
// the pair's result, the higher of the two, so every reader of the score
// (/timer, the contact form) takes the pair's band without knowing of pairs.
//
// localStorage, like the timer: synchronous, so /bvc shows the score in its
// first paint, and readable by every page without IndexedDB or a login.
import { teamRuleValue } from "./team-rules.js";

const KEY = "gk.bvc";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function write(value) {
  try {
    if (value === null) localStorage.removeItem(KEY); else localStorage.setItem(KEY, JSON.stringify(value));
  } catch { /* storage blocked: the score lives for this visit only */ }
}

// {items: [id], known: "kendt" | "ukendt" | null, citizen: uuid | null,
//  scored_at, expires_at (ms), handed_over, logged, pair} or null; pair is
// null, or {first: [id], second: null} while the partner scores, or
// {first: [id], second: [id]} once both are shown.
export function loadScore(now = Date.now()) {
  let s;
  try { s = JSON.parse(localStorage.getItem(KEY)); } catch { return null; }
  if (!s || !Array.isArray(s.items) || typeof s.scored_at !== "number" || typeof s.expires_at !== "number") {
    return null;
  }
  if (now >= s.expires_at) {
    write(null);   // expired: not a record of anything any more
    return null;
  }
  return {
    items: s.items.filter((i) => typeof i === "string"),
    known: s.known === "kendt" || s.known === "ukendt" ? s.known : null,
    citizen: typeof s.citizen === "string" && UUID.test(s.citizen) ? s.citizen : null,
    scored_at: s.scored_at, expires_at: s.expires_at,
    handed_over: s.handed_over === true, logged: s.logged === true, pair: readPair(s.pair),
  };
}

const ids = (list) => Array.isArray(list) && list.every((i) => typeof i === "string");
function readPair(pair) {
  if (!pair || !ids(pair.first) || !(pair.second === null || ids(pair.second))) return null;
  return { first: [...pair.first], second: pair.second && [...pair.second] };
}

// The pair's result and the other score: the higher is the result (the
// first on a tie), null until both have scored.
export function pairParts(pair) {
  if (!pair || !pair.second) return null;
  const firstWins = pair.first.length >= pair.second.length;
  return { result: firstWins ? pair.first : pair.second, other: firstWins ? pair.second : pair.first };
}

// Every change on /bvc is a new score: its time is now, and it is kept for
// the team's time (or the default the page was built with) from now. A pair
// score in progress stays unless `pair` is given (null: a score of one).
export function saveScore({ items, known = null, citizen = null, pair }, defaultKeepMinutes, now = Date.now()) {
  const keep = teamRuleValue("score_keep") || defaultKeepMinutes;
  if (pair === undefined) pair = (loadScore(now) || { pair: null }).pair;
  const score = { items: [...items], known, citizen: citizen && UUID.test(citizen) ? citizen : null,
                  scored_at: now, expires_at: now + keep * 60000, handed_over: false, logged: false,
                  pair: readPair(pair) };
  write(score);
  return score;
}

export function clearScore() {
  write(null);
}

// The makkerscore's steps (pair-score.js): the kept score, or a new one of
// nothing ticked, with this pair; /bvc's next save keeps it.
export function keepPair(pair, defaultKeepMinutes, now = Date.now()) {
  const s = loadScore(now) || saveScore({ items: [], pair: null }, defaultKeepMinutes, now);
  write({ ...s, pair: readPair(pair) });
}

function mark(changes) {
  const s = loadScore();
  if (s) write({ ...s, ...changes });
}

// "Gem i kontaktlog" was tapped: the contact form may take this score, even
// after a detour through the login.
export function handOver() {
  mark({ handed_over: true, logged: false });
}

// --- for the contact form (/log) ------------------------------------------------------

// Called by the contact form before it reads its URL: when the URL carries no
// score (the form was opened after a login, or from the tab bar) and a score
// handed over by "Gem i kontaktlog" waits, put that score in the URL, as the
// BVC page's link would have. Returns whether it did.
export function carryScoreToForm() {
  const params = new URLSearchParams(location.search);
  if (params.has("items") || params.has("borger")) return false;
  const s = loadScore();
  if (!s || !s.handed_over || s.logged) return false;
  for (const id of s.items) params.append("items", id);
  const parts = pairParts(s.pair);
  if (parts) params.set("partner", parts.other.join(" "));
  params.set("borger", s.known || "ukendt");
  if (s.citizen && s.known === "kendt" && !params.has("citizen")) params.set("citizen", s.citizen);
  history.replaceState(history.state, "", `${location.pathname}?${params}${location.hash}`);
  return true;
}

// Called by the contact form once a contact is saved: the score is in the log
// now, so it is not offered to the next contact. /bvc keeps showing it.
export function scoreLogged() {
  mark({ logged: true });
}

// --- words ---------------------------------------------------------------------------

const CLOCK = new Intl.DateTimeFormat("da-DK", { hour: "2-digit", minute: "2-digit" });

// "Scoret for 4 min siden (kl. 12.44)".
export function scoreAge(score, now = Date.now()) {
  const minutes = Math.max(0, Math.floor((now - score.scored_at) / 60000));
  const at = `kl. ${CLOCK.format(new Date(score.scored_at))}`;
  if (minutes < 1) return `Scoret lige nu (${at})`;
  if (minutes < 60) return `Scoret for ${minutes} min siden (${at})`;
  const hours = Math.floor(minutes / 60);
  return `Scoret ${at}, for ${hours} ${hours === 1 ? "time" : "timer"} siden`;
}
