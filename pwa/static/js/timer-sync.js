// Sends the timer's queued events to the server when there is a signal, so a
// missed check-in shows on the team page even if this phone dies, and the
// queued calls for help (the help button, the duress code) to /api/alerts,
// first. Optional: the timer never waits for it, and without a login it
// simply does nothing until the next one. The state it reports counts the
// timer's events only: a duress alert waiting must change nothing on screen.
import { dropAlerts, dropQueued, queuedAlerts, queuedEvents } from "./timer-core.js";

const RETRY_MS = [15000, 30000, 60000, 120000, 300000];
let attempt = 0;
let retryTimer = null;
let flushing = null;
const listeners = new Set();
let state = "idle";

function report(next) {
  state = next;
  for (const fn of listeners) fn(state, queuedEvents().length);
}

// "sent", "waiting" (no network), "logged-out", "error", or "idle" (nothing to send).
export function onSyncState(fn) {
  listeners.add(fn);
  fn(state, queuedEvents().length);
}

function retryLater() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(flush, RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]);
  attempt += 1;
}

async function post(url, session, body) {
  const resp = await fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": session.csrf_token },
    body: JSON.stringify(body),
  });
  if (resp.status === 401) return null;
  if (!resp.ok) throw new Error(`HTTP ${resp.status}`);
  return (await resp.json()).results;
}

async function send() {
  const events = queuedEvents();
  const alerts = queuedAlerts();
  if (!events.length && !alerts.length) {
    report("idle");
    return;
  }
  // Checking first keeps the browser from logging failed requests for
  // nothing: offline there is no request at all.
  if (!navigator.onLine) {
    report("waiting");
    return;
  }
  try {
    const session = await (await fetch("/api/session", { credentials: "same-origin" })).json();
    if (!session.user) {
      report("logged-out");
      return;
    }
    // Stored, already stored, or refused: none of them is worth sending again.
    if (alerts.length) {
      const answered = await post("/api/alerts", session, { alerts });
      if (!answered) {
        report("logged-out");
        return;
      }
      dropAlerts(answered.map((r) => r.id).filter(Boolean));
    }
    const results = events.length ? await post("/api/timers/events", session, { events }) : [];
    if (!results) {
      report("logged-out");
      return;
    }
    dropQueued(results.map((r) => r.id).filter(Boolean));
    attempt = 0;
    const sent = new Set([...events, ...alerts].map((e) => e.id));
    const left = [...queuedEvents(), ...queuedAlerts()];
    report(queuedEvents().length ? "waiting" : events.length ? "sent" : "idle");
    // Taps made while this request was under way go out at once; anything
    // the server did not answer for waits for the next retry.
    if (left.some((e) => !sent.has(e.id))) setTimeout(flush, 0);
    else if (left.length) retryLater();
  } catch {
    report("error");
    retryLater();
  }
}

export function flush() {
  if (!flushing) flushing = send().finally(() => { flushing = null; });
  return flushing;
}

addEventListener("online", () => { attempt = 0; flush(); });
