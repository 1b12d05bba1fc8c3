// The check-in timer page: start (its length from the last BVC score on the
// phone), the large countdown, "Jeg er OK" (check in, same interval again),
// "+15 min", the alarm with its prewritten SMS, and the two ends: "Jeg har
// forladt adressen" (with its SMS) and "Stop timeren". Everything is read
// from localStorage on every tick, so a reload, a restart or a second tab
// always shows the one true timer.
import {
  checkIn, clock, countdown, defaultMinutes, extendTimer, EXTEND_MINUTES, loadPair, loadSettings, loadTimer,
  markAlarmed, pairIsFromToday, queueAlert, running, startTimer, stopTimer,
} from "./timer-core.js";
import { codeNeeded, codePrompt, teamAsksForCode } from "./checkin-prompt.js";
import { missingForAlarm, startForm } from "./timer-form.js";
import { alarmBody, checkoutBody, recipients, showSmsLinks, smsLinks } from "./timer-sms.js";
import {
  askNotificationPermission, canNotify, clearNotification, notificationPermission, ring, unlockSound,
} from "./timer-alarm.js";
import { flush, onSyncState } from "./timer-sync.js";
import { looksLikeCpr } from "./rules.js";

const root = document.getElementById("timer-page");
if (root) {
  const $ = (id) => document.getElementById(id);
  const defaults = defaultMinutes(root);
  const bands = JSON.parse(root.dataset.bands);
  const runningView = $("t-running");
  const startView = $("t-start");
  const form = $("t-form");
  const status = $("t-status");
  const alertBox = $("t-alert");
  const alarmBox = $("t-alarm");
  const checkout = $("t-checkout");
  const REPEAT_MS = 30000;   // the alarm repeats until the worker answers it
  let muted = false;
  let lastRing = 0;
  let alerted = null;        // the timer and due time the alert text was written for

  const settings = () => loadSettings(defaults);
  const bandName = (id) => (bands.find((b) => b.id === id) || {}).name || "";

  function namesOf(list) {
    return list.length ? list.map((r) => r.name).join(" og ") : "ingen modtager endnu – tilføj numre under Indstillinger";
  }

  // --- the start form --------------------------------------------------------

  const start = startForm(form, { bands, defaults });
  document.addEventListener("gk:team-rules", start.show);   // the team's check-in times just arrived
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    unlockSound();
    const choice = start.check();
    if (!choice) return;
    if (running()) return;   // another tab started one a moment ago
    // The timer starts whatever the place says (nothing may stand between a
    // worker and the timer), but a place that looks like a CPR number is kept
    // nowhere: not on the phone, not in the alarm SMS, not on the server.
    const typed = form.elements.place.value;
    const place = looksLikeCpr(typed) ? "" : typed;
    startTimer({ ...choice, place });
    status.textContent = place === typed ? "" : "Timeren kører. Stedet blev ikke gemt, fordi det lignede et CPR-nummer.";
    $("t-more-sms").hidden = true;
    history.replaceState(null, "", "/timer");
    render();
    // The tap was at the bottom of the form; the countdown is at the top.
    window.scrollTo({ top: 0 });
    $("t-ok").focus({ preventScroll: true });
    flush();
  });

  // --- the running timer -------------------------------------------------------

  function quietAlarm() {
    muted = false;
    alerted = null;
    alertBox.textContent = "";
    clearNotification();
  }

  // The check-in, the same to the eye whichever code was typed: with the
  // duress code a duress alert is queued too, and nothing on screen says so.
  function checkInNow(code) {
    const t = checkIn();
    if (!t) return;
    if (code === "duress") queueAlert("duress");
    quietAlarm();
    status.textContent = `Tjekket ind kl. ${clock(t.checked_in)}. Næste tjek-ind senest kl. ${clock(t.due)}.` +
      (teamAsksForCode() && !code ? " Teamet tjekker ind med kode: vælg dine koder under Indstillinger." : "");
    render();
    flush();
  }
  const prompt = codePrompt($("t-code"), $("t-ok"), checkInNow);

  $("t-ok").addEventListener("click", () => {
    unlockSound();
    if (codeNeeded()) prompt.open(); else checkInNow(null);
  });

  $("t-extend").addEventListener("click", () => {
    unlockSound();
    const t = extendTimer(EXTEND_MINUTES);
    if (!t) return;
    quietAlarm();
    status.textContent = `Forlænget med ${EXTEND_MINUTES} min. Tjek ind senest kl. ${clock(t.due)}.`;
    render();
    flush();
  });

  // A real link, so the SMS opens even if this script fails; the click also
  // stops the timer. The body is rewritten first so it holds this minute, and
  // the other recipients get their own links below.
  checkout.addEventListener("click", () => {
    const t = running();
    if (!t) return;
    const now = Date.now();
    const s = settings();
    const pair = loadPair();
    const links = smsLinks(recipients(s, pair), checkoutBody(t, s, pair, now));
    checkout.href = links[0].href;
    stopTimer("checkout", now);
    finish(`Timeren er stoppet, og sms'en om, at du har forladt adressen kl. ${clock(now)}, er åbnet. Husk at trykke send.`);
    const more = $("t-more-sms");
    showSmsLinks(more, links.slice(1), (name) => `Send også til ${name}`);
    more.hidden = links.length < 2;
  });

  const stopConfirm = $("t-stop-confirm");
  function askStop(open) {
    stopConfirm.hidden = !open;
    $("t-stop").setAttribute("aria-expanded", String(open));
  }
  $("t-stop").addEventListener("click", () => askStop(stopConfirm.hidden));
  $("t-stop-no").addEventListener("click", () => { askStop(false); $("t-stop").focus(); });
  $("t-stop-yes").addEventListener("click", () => {
    askStop(false);
    if (stopTimer("stop")) finish("Timeren er stoppet. Der er ingen alarm, før du starter en ny.");
  });

  $("t-mute").addEventListener("click", () => {
    muted = true;
    $("t-mute").hidden = true;
  });

  function finish(message) {
    quietAlarm();
    status.textContent = message;
    render();
    $("h-start").scrollIntoView({ block: "nearest" });
    flush();
  }

  function alarm(t, s, pair) {
    const list = recipients(s, pair);
    showSmsLinks($("t-sms-alarm"), smsLinks(list, alarmBody(t, s, pair)),
                 (name) => (name ? `Send alarm-sms til ${name}` : "Send alarm-sms"));
    $("t-sms-alarm-to").textContent = list.length > 1 ? "Én sms til hver – tryk send i beskedappen, og kom tilbage for den næste."
      : `Til: ${namesOf(list)}.`;
    alarmBox.hidden = false;
    $("t-mute").hidden = muted;
    if (alerted !== t.id + t.due) {
      alerted = t.id + t.due;
      alertBox.textContent = `Tiden er gået kl. ${clock(t.due)}, og du har ikke tjekket ind. ` +
        "Er du OK, så tryk »Jeg er OK«. Ellers send alarm-sms'en nu.";
    }
    const now = Date.now();
    if (now - lastRing >= REPEAT_MS) {
      lastRing = now;
      ring({ title: "Tjek ind nu – tiden er gået", body: `Sted: ${t.place || "ikke angivet"}. Udløb kl. ${clock(t.due)}.`,
             quiet: muted });
      markAlarmed();
    }
  }

  function render() {
    const t = running(loadTimer());
    const s = settings();
    const pair = loadPair();
    runningView.hidden = !t;
    startView.hidden = Boolean(t);
    if (!t) askStop(false);
    document.documentElement.classList.toggle("timer-is-running", Boolean(t));
    if (t) {
      const now = Date.now();
      const left = t.due - now;
      $("t-countdown").textContent = countdown(left);
      $("t-due").textContent = left > 0 ? `Tjek ind senest kl. ${clock(t.due)}` : `Tiden udløb kl. ${clock(t.due)}`;
      $("t-meta").textContent = [`Sted: ${t.place || "ikke angivet"}`, `startet kl. ${clock(t.started)}`,
        t.checked_in ? `sidst tjekket ind kl. ${clock(t.checked_in)}` : null,
        t.band ? bandName(t.band) : null].filter(Boolean).join(" · ");
      $("t-interval").textContent = `de samme ${t.minutes} min`;
      const list = recipients(s, pair);
      checkout.href = smsLinks(list, checkoutBody(t, s, pair, now))[0].href;
      $("t-checkout-to").textContent = list.length ? namesOf(list.slice(0, 1)) +
        (list.length > 1 ? ` (derefter ${namesOf(list.slice(1))})` : "") : namesOf(list);
      runningView.classList.toggle("is-overdue", left <= 0);
      if (left <= 0) {
        alarm(t, s, pair);
      } else {
        alarmBox.hidden = true;
        if (alertBox.textContent) alertBox.textContent = "";
        alerted = null;
        lastRing = 0;
      }
    } else {
      alarmBox.hidden = true;
      if (alertBox.textContent) alertBox.textContent = "";
      start.show();
    }
    showSetup(s, pair);
  }

  function showSetup(s, pair) {
    const bits = [];
    if (pair && pair.me) {
      bits.push(pair.partner ? `Makkerpar: ${pair.me.name} og ${pair.partner.name}.` : `${pair.me.name}, alene i dag.`);
      if (!pairIsFromToday(pair)) bits.push("Parret blev valgt på en tidligere dag – tjek, at det stadig passer.");
    } else {
      bits.push("Dagens makkerpar er ikke valgt.");
    }
    $("t-pair").textContent = bits.join(" ");
    const need = missingForAlarm(s, pair);
    const names = [need.partner && "makkerens nummer", need.coordinator && "koordinatorens nummer"].filter(Boolean);
    const warn = $("t-missing");
    warn.hidden = !names.length;
    warn.textContent = names.length
      ? `Mangler: ${names.join(" og ")}. Uden numre åbner sms'en uden modtager. Tilføj dem under Indstillinger.`
      : "";
    $("t-notify-wrap").hidden = !(canNotify() && notificationPermission() === "default");
  }

  $("t-notify").addEventListener("click", async () => {
    unlockSound();
    const result = await askNotificationPermission();
    status.textContent = result === "granted" ? "Varsler er slået til." : "Varsler er ikke tilladt. Lyd og vibration virker stadig, mens siden er åben.";
    render();
  });

  const syncText = {
    sent: "Timeren er meldt til teamet.",
    waiting: "Uden net: timeren meldes til teamet, når der er forbindelse.",
    "logged-out": "Ikke logget ind: timeren kører kun på telefonen. Log ind, så teamet kan se en overskredet tjek-ind.",
    error: "Kunne ikke melde timeren til teamet. Prøver igen.",
    idle: "",
  };
  onSyncState((state, queued) => {
    $("t-sync").textContent = state === "idle" && queued ? syncText.waiting : syncText[state];
  });

  if (new URLSearchParams(location.search).has("band") && running()) {
    status.textContent = "Der kører allerede en timer. Tjek ind på den, eller stop den, før du starter en ny.";
  }

  document.addEventListener("pointerdown", unlockSound, { passive: true });
  addEventListener("storage", render);
  document.addEventListener("visibilitychange", render);
  setInterval(render, 1000);
  render();
  flush();
}
