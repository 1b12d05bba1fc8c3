// The timer and the pair on the BVC page: the "Start tjek-ind-timer" link
// follows the band (and the team's check-in times), the risk card's roles
// show today's pair (team-rules.js shows the code word and the way out), and
// a running timer rings here too, with its SMS, while the worker scores (the
// chip, timer-chip.js, shows its time left). Kept apart from bvc.js so the
// scorer never depends on it.
import { clock, defaultMinutes, loadPair, loadSettings, loadTimer, running, savePair } from "./timer-core.js";
import { alarmBody, recipients, showSmsLinks, smsLinks } from "./timer-sms.js";
import { ring, unlockSound } from "./timer-alarm.js";

const cta = document.getElementById("timer-cta");
if (cta) {
  const $ = (id) => document.getElementById(id);
  const defaults = defaultMinutes(cta);
  const link = $("timer-start");
  const result = $("bvc-result");
  let band = (/band-(\w+)/.exec(result ? result.className : "") || [])[1] || "low";

  function showLink() {
    if (running()) {
      link.href = "/timer";
      link.textContent = "Tjek-ind-timeren kører – åbn den";
      return;
    }
    const minutes = loadSettings(defaults).minutes[band];
    link.href = `/timer?band=${encodeURIComponent(band)}`;
    link.textContent = `Start tjek-ind-timer (${minutes} min)`;
  }

  // --- roles on the risk card ---------------------------------------------------

  function showRoles() {
    const pair = loadPair();
    const swap = $("roles-swap");
    const talker = document.querySelector('[data-role="talker"]');
    const observer = document.querySelector('[data-role="observer"]');
    if (pair && pair.me && pair.partner) {
      const [a, b] = pair.talker === "partner" ? [pair.partner, pair.me] : [pair.me, pair.partner];
      talker.textContent = a.name;
      observer.textContent = b.name;
      swap.hidden = false;
    } else {
      talker.textContent = pair && pair.me ? `${pair.me.name} (du er alene – overvej at gå)` : "Den ene af jer";
      observer.textContent = pair && pair.me ? "Ingen makker valgt i dag" : "Den anden";
      swap.hidden = true;
    }
    $("roles-pair").hidden = Boolean(pair && pair.me && pair.partner);
  }

  $("roles-swap").addEventListener("click", () => {
    const pair = loadPair();
    if (!pair || !pair.partner) return;
    savePair({ ...pair, talker: pair.talker === "partner" ? "me" : "partner" });
    showRoles();
  });

  // --- a running timer, counted here too ---------------------------------------

  const alertBox = $("timer-alert");
  let lastRing = 0;

  let wasRunning = null;

  function tick() {
    const t = running(loadTimer());
    if (Boolean(t) !== wasRunning) {
      wasRunning = Boolean(t);
      showLink();
    }
    if (!t || t.due > Date.now()) {
      if (alertBox.textContent) alertBox.textContent = "";
      lastRing = 0;
      return;
    }
    if (!alertBox.textContent) {
      // The SMS is one tap away here as well; the timer page has the rest.
      const s = loadSettings(defaults);
      const pair = loadPair();
      const p = document.createElement("p");
      p.className = "note note-warn";
      const actions = document.createElement("span");
      actions.className = "actions";
      showSmsLinks(actions, smsLinks(recipients(s, pair), alarmBody(t, s, pair)),
                   (name) => (name ? `Send alarm-sms til ${name}` : "Send alarm-sms"));
      const open = document.createElement("a");
      open.className = "btn btn-secondary";
      open.href = "/timer";
      open.textContent = "Åbn timeren";
      actions.append(open);
      p.append(`Tjek-ind-tiden er gået (kl. ${clock(t.due)}). Er du OK, så tjek ind på timeren.`, actions);
      alertBox.replaceChildren(p);
    }
    if (Date.now() - lastRing >= 30000) {
      lastRing = Date.now();
      ring({ title: "Tjek ind nu – tiden er gået", body: `Sted: ${t.place || "ikke angivet"}. Udløb kl. ${clock(t.due)}.` });
    }
  }

  document.addEventListener("bvc:scored", (e) => {
    band = e.detail.band;
    showLink();
  });
  // Only with a timer running: scoring taps should not pay for waking the audio.
  document.addEventListener("pointerdown", () => { if (running()) unlockSound(); }, { passive: true });
  addEventListener("storage", () => { showLink(); showRoles(); tick(); });
  document.addEventListener("gk:team-rules", showLink);
  showLink();
  showRoles();
  tick();
  setInterval(tick, 1000);
}
