// The check-in timer page: start, the large countdown, "Jeg er OK", "+15 min",
// the alarm with its prewritten SMS, and the check-out SMS. Everything is
// read from localStorage on every tick, so a reload, a restart or a second
// tab always shows the one true timer.
import {
  alarmBody, checkoutBody, clock, countdown, defaultMinutes, extendTimer, EXTEND_MINUTES, loadPair, loadSettings,
  loadTimer, markAlarmed, pairIsFromToday, recipients, running, smsHref, startTimer, stopTimer, validMinutes,
} from "./timer-core.js";
import {
  askNotificationPermission, canNotify, clearNotification, notificationPermission, ring, unlockSound,
} from "./timer-alarm.js";
import { flush, onSyncState } from "./timer-sync.js";
import { looksLikeCpr } from "./rules.js";

const root = document.getElementById("timer-page");
if (root) {
  const $ = (id) => document.getElementById(id);
  const defaults = defaultMinutes(root);
  const runningView = $("t-running");
  const startView = $("t-start");
  const form = $("t-form");
  const status = $("t-status");
  const alertBox = $("t-alert");
  const alarmBox = $("t-alarm");
  const smsAlarm = $("t-sms-alarm");
  const checkout = $("t-checkout");
  const REPEAT_MS = 30000;   // the alarm repeats until the worker answers it
  let muted = false;
  let lastRing = 0;
  let alerted = null;        // the timer id the alert text was written for

  const settings = () => loadSettings(defaults);
  const BAND_NAMES = Object.fromEntries([...form.querySelectorAll('input[name="band"]')]
    .filter((r) => r.value).map((r) => [r.value, r.closest("label").querySelector(".opt-text > span").textContent]));

  function namesOf(numbers, s, pair) {
    const out = [];
    if (pair && pair.partner && pair.partner.phone && numbers.length) out.push(pair.partner.name || "makker");
    if (s.coordinator_phone) out.push("koordinator");
    return out.length ? out.join(" og ") : "ingen modtager endnu – tilføj numre under Indstillinger";
  }

  // --- the start form --------------------------------------------------------

  function chosenMinutes() {
    const band = form.elements.band.value;
    if (band) return { band, minutes: settings().minutes[band] };
    return { band: null, minutes: validMinutes(form.elements.minutes.value) };
  }

  function showChoice() {
    const s = settings();
    for (const el of form.querySelectorAll("[data-minutes-for]")) el.textContent = s.minutes[el.dataset.minutesFor];
    const custom = !form.elements.band.value;
    $("t-custom").hidden = !custom;
    const { minutes } = chosenMinutes();
    $("t-start-btn").textContent = minutes ? `Start timer (${minutes} min)` : "Start timer";
  }

  form.addEventListener("change", showChoice);
  document.addEventListener("gk:team-rules", showChoice);   // the team's check-in times just arrived
  form.addEventListener("input", showChoice);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    unlockSound();
    const { band, minutes } = chosenMinutes();
    const err = $("t-minutes-err");
    if (!minutes) {
      err.textContent = "Skriv et helt antal minutter fra 1 til 720.";
      err.hidden = false;
      form.elements.minutes.setAttribute("aria-invalid", "true");
      form.elements.minutes.focus();
      return;
    }
    err.hidden = true;
    form.elements.minutes.removeAttribute("aria-invalid");
    if (running()) return;   // another tab started one a moment ago
    // The timer starts whatever the place says (nothing may stand between a
    // worker and the timer), but a place that looks like a CPR number is kept
    // nowhere: not on the phone, not in the alarm SMS, not on the server.
    const typed = form.elements.place.value;
    const place = looksLikeCpr(typed) ? "" : typed;
    startTimer({ minutes, band, place });
    status.textContent = place === typed ? "" : "Timeren kører. Stedet blev ikke gemt, fordi det lignede et CPR-nummer.";
    history.replaceState(null, "", "/timer");
    render();
    $("t-ok").focus();
    flush();
  });

  // --- the running timer -------------------------------------------------------

  $("t-ok").addEventListener("click", () => {
    unlockSound();
    if (!stopTimer("ok")) return;
    finish("Timeren er stoppet. Godt, at du er OK.");
  });

  $("t-extend").addEventListener("click", () => {
    unlockSound();
    const t = extendTimer(EXTEND_MINUTES);
    if (!t) return;
    muted = false;
    status.textContent = `Forlænget med ${EXTEND_MINUTES} min. Tjek ind senest kl. ${clock(t.due)}.`;
    render();
    flush();
  });

  // A real link, so the SMS opens even if this script fails; the click also
  // stops the timer. The body is rewritten first so it holds this minute.
  checkout.addEventListener("click", () => {
    const t = running();
    if (!t) return;
    const now = Date.now();
    const s = settings();
    const pair = loadPair();
    checkout.href = smsHref(recipients(s, pair), checkoutBody(t, s, pair, now));
    stopTimer("checkout", now);
    finish(`Timeren er stoppet, og sms'en om, at du har forladt adressen kl. ${clock(now)}, er åbnet. Husk at trykke send.`);
  });

  $("t-mute").addEventListener("click", () => {
    muted = true;
    $("t-mute").hidden = true;
  });

  function finish(message) {
    muted = false;
    alerted = null;
    alertBox.textContent = "";
    clearNotification();
    status.textContent = message;
    render();
    flush();
  }

  function alarm(t, s, pair) {
    const numbers = recipients(s, pair);
    const body = alarmBody(t, s, pair);
    smsAlarm.href = smsHref(numbers, body);
    $("t-sms-alarm-to").textContent = `Til: ${namesOf(numbers, s, pair)}.`;
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
    document.documentElement.classList.toggle("timer-is-running", Boolean(t));
    if (t) {
      const now = Date.now();
      const left = t.due - now;
      $("t-countdown").textContent = countdown(left);
      $("t-due").textContent = left > 0 ? `Tjek ind senest kl. ${clock(t.due)}` : `Tiden udløb kl. ${clock(t.due)}`;
      $("t-meta").textContent = [`Sted: ${t.place || "ikke angivet"}`, `startet kl. ${clock(t.started)}`,
        t.band ? BAND_NAMES[t.band] : null].filter(Boolean).join(" · ");
      const numbers = recipients(s, pair);
      checkout.href = smsHref(numbers, checkoutBody(t, s, pair, now));
      $("t-checkout-to").textContent = namesOf(numbers, s, pair);
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
      showChoice();
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
    const missing = [];
    if (!(pair && pair.partner && pair.partner.phone) && !(pair && pair.me && !pair.partner)) missing.push("makkerens nummer");
    if (!s.coordinator_phone) missing.push("koordinatorens nummer");
    const warn = $("t-missing");
    warn.hidden = !missing.length;
    warn.textContent = missing.length
      ? `Mangler: ${missing.join(" og ")}. Uden numre åbner sms'en uden modtager. Tilføj dem under Indstillinger.`
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

  // ?band= from the BVC page picks the length; a running timer always wins.
  const wanted = new URLSearchParams(location.search).get("band");
  const radio = wanted && form.querySelector(`input[name="band"][value="${CSS.escape(wanted)}"]`);
  if (radio) radio.checked = true;
  if (radio && running()) status.textContent = "Der kører allerede en timer. Stop den, før du starter en ny.";

  document.addEventListener("pointerdown", unlockSound, { passive: true });
  addEventListener("storage", render);
  document.addEventListener("visibilitychange", render);
  setInterval(render, 1000);
  render();
  flush();
}
