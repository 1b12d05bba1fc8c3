// The help button on /bvc and /timer: a call for help the worker makes
// openly. Pressed and held for HOLD_MS it sends at once (the ring fills while
// the finger stays down); a short tap, a keyboard or a screen reader opens a
// confirm step instead, so an accidental tap never sends. The alert is queued
// on the phone (timer-core.js) and sent by timer-sync.js the moment there is
// signal and a session; the page never waits for it, and nothing here stands
// between the worker and the BVC or the timer.
import { clock, queueAlert, queuedAlerts } from "./timer-core.js";
import { flush, onSyncState } from "./timer-sync.js";

const HOLD_MS = 1500;
const box = document.getElementById("help");
if (box) {
  const $ = (id) => document.getElementById(id);
  const button = $("help-btn");
  const progress = $("help-progress");
  const ask = $("help-confirm");
  const status = $("help-status");
  let held = null;          // the hold under way: its start and animation frame
  let firedByHold = false;
  let mine = null;          // the last alert raised here, until the server has it
  let syncState = "idle";

  function confirmOpen(open) {
    ask.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
  }

  function say() {
    if (!mine) return;
    const waiting = queuedAlerts().some((a) => a.id === mine.id);
    if (!waiting) {
      status.textContent = `Hjælp-alarmen er sendt til teamet kl. ${clock(mine.sent)}. Koordinatoren får besked. Ved akut fare: ring 112.`;
    } else if (syncState === "logged-out") {
      status.textContent = "Ikke logget ind: hjælp-alarmen er gemt på telefonen og sendes, når du logger ind. Ring 112 ved akut fare.";
    } else {
      status.textContent = "Uden net: hjælp-alarmen sendes, så snart telefonen har forbindelse – ring 112 ved akut fare.";
    }
  }

  function raise() {
    confirmOpen(false);
    const alert = queueAlert("help");
    mine = { id: alert.id, sent: Date.now() };
    status.textContent = "Hjælp-alarmen sendes …";
    if (navigator.vibrate) navigator.vibrate(200);
    flush().finally(say);
  }

  // --- press and hold --------------------------------------------------------------

  function stopHold() {
    if (!held) return;
    cancelAnimationFrame(held.frame);
    held = null;
    progress.value = 0;
    progress.hidden = true;
    box.classList.remove("is-holding");
  }

  function step() {
    const done = (performance.now() - held.start) / HOLD_MS;
    progress.value = Math.min(1, done);
    if (done >= 1) {
      stopHold();
      firedByHold = true;
      raise();
      return;
    }
    held.frame = requestAnimationFrame(step);
  }

  button.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    firedByHold = false;
    held = { start: performance.now(), frame: 0 };
    progress.hidden = false;
    box.classList.add("is-holding");
    held.frame = requestAnimationFrame(step);
  });
  for (const type of ["pointerup", "pointercancel", "pointerleave"]) button.addEventListener(type, stopHold);
  // A long press must not open the phone's own menu or select the text.
  button.addEventListener("contextmenu", (e) => e.preventDefault());

  // The click after a completed hold is the same press: it sends nothing more.
  button.addEventListener("click", () => {
    if (firedByHold) {
      firedByHold = false;
      return;
    }
    confirmOpen(ask.hidden);
    if (!ask.hidden) $("help-yes").focus();
  });
  $("help-yes").addEventListener("click", raise);
  $("help-no").addEventListener("click", () => { confirmOpen(false); button.focus(); });

  onSyncState((state) => {
    syncState = state;
    say();
  });
  box.hidden = false;
  flush();
}
