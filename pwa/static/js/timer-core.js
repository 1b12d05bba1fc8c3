// The check-in timer's state, the phone's settings and today's pair, all kept
// in localStorage: synchronous (the alarm must never wait on a promise), it
// survives a reload and a browser restart, and it needs no login or network.
// A running timer is stored as its due time, never as a countdown, so a
// frozen or reloaded page still knows exactly when the check-in was due.
// It runs until the worker has left the address or stops it: "Jeg er OK"
// checks in and starts the same interval again (the server's replay in
// pwa/timers.py keeps the same rules). The SMS texts and links are timer-sms.js's.
import "./device.js";  // self.gk.device.uuid: the id of each timer and event
import { limit } from "./rules.js";
import { teamMinutes } from "./team-rules.js";

const SETTINGS = "gk.settings";
const PAIR = "gk.pair";
const TIMER = "gk.timer";
const OUTBOX = "gk.timer.outbox";   // separate from the encounter outbox on purpose
const ALERTS = "gk.alert.outbox";   // the help button and the duress code, sent beside the timer's events
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
  // Today's partner, when chosen from the team's list: the server pushes a missed check-in to
  // their phone too (pwa/push.py). Yesterday's pair is not today's partner.
  const pair = loadPair();
  const partner = pairIsFromToday(pair) && pair.partner && Number.isInteger(pair.partner.id) ? pair.partner.id : null;
  queue(timer, "start", now, { minutes: m, place: timer.place, band: timer.band,
                               ...(partner ? { partner_user_id: partner } : {}) });
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

// "Jeg er OK": the check-in is confirmed, and the next is due a whole
// interval from now (the start's minutes; a "+15 min" does not carry over).
// The one place a check-in happens, so a check-in code (issue 16) goes here.
export function checkIn(now = Date.now()) {
  const timer = running();
  if (!timer) return null;
  timer.due = now + timer.minutes * 60000;
  timer.checked_in = now;
  timer.alarmed = false;
  write(TIMER, timer);
  queue(timer, "checkin", now);
  return timer;
}

// The two ends: "checkout" (Jeg har forladt adressen) or "stop" (Stop timeren).
const ENDS = { checkout: "checked_out", stop: "stopped" };

export function stopTimer(type, now = Date.now()) {
  const timer = running();
  if (!timer || !ENDS[type]) return null;
  timer.status = ENDS[type];
  timer.stopped = now;
  write(TIMER, timer);
  queue(timer, type, now);
  return timer;
}

// The last sign of life: the last check-in, or the start.
export function lastSeen(timer) {
  return timer.checked_in || timer.started;
}

export function markAlarmed() {
  const timer = running();
  if (timer) {
    timer.alarmed = true;
    write(TIMER, timer);
  }
}

// --- calls for help --------------------------------------------------------------------

// The place a worker last typed for a timer, if it is from this shift.
const PLACE_KEPT_MS = 12 * 3600000;

// A help alert (the help button) or a duress alert (the duress code), queued
// like the timer's events, in localStorage and with its own id, so it
// survives no signal, a reload and a restart and is sent exactly once
// (timer-sync.js). It carries the last place and when it was typed.
export function queueAlert(kind, now = Date.now()) {
  const t = loadTimer();
  const recent = t && now - t.started < PLACE_KEPT_MS ? t : null;
  const alert = {
    id: uuid(), kind, at: new Date(now).toISOString(), timer_id: recent && running(recent) ? recent.id : null,
    place: recent ? recent.place : "", place_at: recent ? new Date(recent.started).toISOString() : null,
  };
  write(ALERTS, [...read(ALERTS, []), alert].slice(-MAX_QUEUED));
  return alert;
}

export function queuedAlerts() {
  return read(ALERTS, []);
}

export function dropAlerts(ids) {
  const gone = new Set(ids);
  write(ALERTS, read(ALERTS, []).filter((a) => !gone.has(a.id)));
}

// --- words ----------------------------------------------------------------------------

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
