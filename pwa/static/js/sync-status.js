// The outbox's state in the header of every page, and the page's upload
// triggers: app start, reconnect, a retry timer with backoff, and Background
// Sync where the browser has it. Everything here is best effort: if
// IndexedDB or the network fails, the field kit must carry on untouched.
import { changes, citizens, session, sync } from "./phone-data.js";
import { clock } from "./dates.js";

const link = document.getElementById("sync-status");

const BASE = 2000;
const CAP = 5 * 60 * 1000;
let attempt = 0;
let timer = null;

// Exponential backoff, capped, with jitter so phones that come back online
// together do not all retry in the same second.
function nextDelay() {
  const ceiling = Math.min(CAP, BASE * 2 ** attempt);
  attempt += 1;
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

async function kick() {
  clearTimeout(timer);
  timer = null;
  let result;
  try {
    result = await sync.run();
  } catch (err) {
    console.warn("Outbox upload failed:", err);
    result = { retry: true };
  }
  if (result.retry) timer = setTimeout(kick, nextDelay());
  else if (result.ok) attempt = 0;
  // Left waiting (offline, or the server did not answer): let the browser
  // also try when it next has a connection, even if the app is closed.
  if (!result.ok && !result.auth) sync.registerBackgroundSync();
  return result;
}

function describe(s) {
  const parts = [];
  let href = "/log#outbox";
  let attention = false;
  if (s.waiting && s.authNeeded) {
    parts.push(`Log ind for at sende ${s.waiting} ventende`);
    href = "/login?next=" + encodeURIComponent("/log#outbox");
    attention = true;
  } else if (s.waiting) {
    parts.push(s.busy ? `Sender ${s.waiting} …` : `${s.waiting} venter`);
    if (s.lastSync) parts.push(`sidst sendt ${clock(s.lastSync, "")}`);
  } else if (s.lastSync && !s.refused) {
    parts.push(`Alt er sendt ${clock(s.lastSync, "")}`);
  }
  if (s.refused) {
    parts.push(`${s.refused} afvist`);
    attention = true;
  }
  return { text: parts.join(" · "), href, attention };
}

async function render() {
  if (!link) return;
  const d = describe(await sync.status());
  // Only touch the live region when the words change, so nothing is
  // re-announced for nothing.
  if (link.textContent !== d.text) link.textContent = d.text;
  link.href = d.href;
  link.classList.toggle("sync-attention", d.attention);
  link.hidden = !d.text;
}

let pending = false;
function renderSoon() {
  if (pending) return;
  pending = true;
  setTimeout(() => { pending = false; render().catch(() => {}); }, 50);
}

async function start() {
  await render();
  changes.events.addEventListener("change", renderSoon);
  addEventListener("online", () => { attempt = 0; kick(); });
  // "Gem kontakt" and "Send nu" on /log ask for an upload now.
  document.addEventListener("gk:sync", () => { attempt = 0; kick(); });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && navigator.onLine && !timer) kick();
  });
  if (navigator.onLine) {
    // Who is logged in decides what the phone may keep: logging out clears
    // the team's citizen list here, on the next page shown.
    try {
      const s = await session.refresh();
      if (s.user && document.querySelector("[data-needs-citizens]")) await citizens.refresh();
    } catch { /* no server right now: the cached lists stay, the upload retries */ }
  }
  await kick();
}

start().catch((err) => console.warn("Sync status unavailable:", err));
