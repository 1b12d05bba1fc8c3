// The check-in timer's state, the phone's settings and today's pair, all kept
// in localStorage: synchronous (the alarm must never wait on a promise), it
// survives a reload and a browser restart, and it needs no login or network.
// A running timer is stored as its due time, never as a countdown, so a
// frozen or reloaded page still knows exactly when the check-in was due.
import "./device.js";  // self.gk.device.uuid: the id of each timer and event
import { limit } from "./rules.js";
import { teamMinutes } from "./team-rules.js";

const SETTINGS = "gk.settings";
const PAIR = "gk.pair";
const TIMER = "gk.timer";
const OUTBOX = "gk.timer.outbox";   // separate from the encounter outbox on purpose
export const EXTEND_MINUTES = 15;
export const MAX_MINUTES = 720;     // the server refuses more: a shift is at most half a day
const MAX_QUEUED = 500;             // the server's batch limit

function read(key, fallback) {
  try {
    const raw = localStorage.getItem(key);
    return raw ? JSON.parse(raw) : fallback;
  } catch {
    return fallback;
  }
}

function write(key, value) {
  try {
    if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false;   // storage blocked or full: the page still works for this visit
  }
}

// --- settings -------------------------------------------------------------------

// The lengths per band come from the server-rendered page (one source: team_rules.py),
// unless the team has agreed its own (team-rules.js).
export function defaultMinutes(el) {
  try { return JSON.parse(el.dataset.defaultMinutes); } catch { return { low: 60, moderate: 30, high: 15 }; }
}

export function loadSettings(defaults) {
  const s = read(SETTINGS, {});
  return {
    name: typeof s.name === "string" ? s.name : "",
    coordinator_phone: typeof s.coordinator_phone === "string" ? s.coordinator_phone : "",
    // The check-in times are the team's rule, read afresh each time so a
    // copy fetched a moment ago counts at once; no phone keeps its own.
    minutes: { ...defaults, ...teamMinutes() },
    partner_phones: s.partner_phones && typeof s.partner_phones === "object" ? s.partner_phones : {},
  };
}

export function saveSettings(settings) {
  return write(SETTINGS, settings);
}

// Danish numbers are eight digits; a number with a country code is kept as
// given. Returns "" for an empty field and null for something that is no number.
export function normalisePhone(text) {
  const raw = String(text || "").replace(/[\s\-().]/g, "");
  if (!raw) return "";
  let n = raw.startsWith("00") ? "+" + raw.slice(2) : raw;
  if (/^\d{8}$/.test(n)) n = "+45" + n;
  return /^\+\d{8,15}$/.test(n) ? n : null;
}

export function validMinutes(value) {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= MAX_MINUTES ? n : null;
}

// --- today's pair ---------------------------------------------------------------

export function today(now = Date.now()) {
  const d = new Date(now);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

// {"me": {"id", "name"}, "partner": {"id", "name", "phone"} | null, "talker": "me" | "partner", "date"}
// The encounter log reads "me" and "partner" from here.
export function loadPair() {
  const p = read(PAIR, null);
  return p && p.me ? p : null;
}

export function savePair(pair) {
  return write(PAIR, { talker: "me", ...pair, date: today() });
}

export function pairIsFromToday(pair) {
  return Boolean(pair && pair.date === today());
}

// The worker list from GET /api/session, kept for choosing the pair offline.
export function loadTeam() {
  return read("gk.team", null);
}

export function saveTeam(team) {
  return write("gk.team", team);
}

// --- the timer -------------------------------------------------------------------

const uuid = () => self.gk.device.uuid();

export function loadTimer() {
  const t = read(TIMER, null);
  return t && typeof t.due === "number" ? t : null;
}

export function running(timer = loadTimer()) {
  return timer && timer.status === "running" ? timer : null;
}

function queue(timer, type, at, extra = {}) {
  const events = read(OUTBOX, []);
  events.push({ id: uuid(), timer_id: timer.id, type, at: new Date(at).toISOString(), ...extra });
  write(OUTBOX, events.slice(-MAX_QUEUED));
}

export function queuedEvents() {
  return read(OUTBOX, []);
}

export function dropQueued(ids) {
  const gone = new Set(ids);
  write(OUTBOX, read(OUTBOX, []).filter((e) => !gone.has(e.id)));
}

export function startTimer({ minutes, place = "", band = null, now = Date.now() }) {
  const m = validMinutes(minutes);
  if (!m) throw new RangeError(`minutes must be 1–${MAX_MINUTES}`);
  const timer = {
    id: uuid(), status: "running", started: now, due: now + m * 60000, minutes: m,
    place: String(place).trim().slice(0, limit("timer_place")), band: band || null, alarmed: false,
  };
  write(TIMER, timer);
  queue(timer, "start", now, { minutes: m, place: timer.place, band: timer.band });
  return timer;
}

// The same rule as the server's: extra minutes count from the due time, or
// from now when the timer has already run out.
export function extendTimer(minutes = EXTEND_MINUTES, now = Date.now()) {
  const timer = running();
  if (!timer) return null;
  timer.due = Math.max(timer.due, now) + minutes * 60000;
  timer.alarmed = false;
  write(TIMER, timer);
  queue(timer, "extend", now, { minutes });
  return timer;
}

// "ok" (Jeg er OK) or "checkout" (Jeg har forladt adressen).
export function stopTimer(type, now = Date.now()) {
  const timer = running();
  if (!timer) return null;
  timer.status = type === "checkout" ? "checked_out" : "ok";
  timer.stopped = now;
  write(TIMER, timer);
  queue(timer, type, now);
  return timer;
}

export function markAlarmed() {
  const timer = running();
  if (timer) {
    timer.alarmed = true;
    write(TIMER, timer);
  }
}

// --- words and links ---------------------------------------------------------------

const CLOCK = new Intl.DateTimeFormat("da-DK", { hour: "2-digit", minute: "2-digit" });

export function clock(ms) {
  return CLOCK.format(new Date(ms));
}

export function countdown(msLeft) {
  const s = Math.max(0, Math.ceil(msLeft / 1000));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function recipients(settings, pair) {
  const numbers = [pair && pair.partner && pair.partner.phone, settings.coordinator_phone]
    .map(normalisePhone).filter(Boolean);
  return [...new Set(numbers)];
}

export function smsHref(numbers, body) {
  return `sms:${numbers.join(",")}?body=${encodeURIComponent(body)}`;
}

function who(settings, pair) {
  const name = (pair && pair.me && pair.me.name) || settings.name;
  return name ? `Jeg (${name})` : "Jeg";
}

export function alarmBody(timer, settings, pair) {
  const place = timer.place || "ikke angivet";
  return `Gadekontakt-alarm: ${who(settings, pair)} har ikke tjekket ind. Sted: ${place}. ` +
    `Timeren startede kl. ${clock(timer.started)} og udløb kl. ${clock(timer.due)}. ` +
    "Ring til mig nu. Svarer jeg ikke, så følg jeres aftale.";
}

export function checkoutBody(timer, settings, pair, now = Date.now()) {
  const place = timer.place ? `adressen (${timer.place})` : "adressen";
  return `Gadekontakt: ${who(settings, pair)} har forladt ${place} kl. ${clock(now)}. Alt er OK.`;
}
