// The timer page's start form: how long (the band the BVC page sent, else
// the band of the last score on this phone, said beside the choice), and,
// while this phone lacks them, the name and numbers the alarm SMS needs,
// kept where /settings keeps them. Nothing here is required but a length:
// nothing may stand between a worker and the timer.
import { bandFor } from "./bvc.js";
import { loadScore, scoreAge } from "./bvc-score.js";
import { limit } from "./rules.js";
import {
  loadPair, loadSettings, MAX_MINUTES, normalisePhone, savePair, saveSettings, validMinutes,
} from "./timer-core.js";

const PHONE_HELP = "Skriv et mobilnummer, fx 12 34 56 78 eller +45 12 34 56 78 – eller lad feltet stå tomt.";

// What the alarm SMS would lack on this phone: the worker's name, the
// partner's number (unless alone today), the coordinator's number.
export function missingForAlarm(s, pair) {
  const alone = Boolean(pair && pair.me && !pair.partner);
  return {
    name: !(pair && pair.me && pair.me.name) && !s.name,
    partner: !alone && !(pair && pair.partner && normalisePhone(pair.partner.phone)),
    coordinator: !normalisePhone(s.coordinator_phone),
  };
}

export function startForm(form, { bands, defaults }) {
  const $ = (id) => document.getElementById(id);
  const settings = () => loadSettings(defaults);
  const bandName = (id) => (bands.find((b) => b.id === id) || {}).name || "";
  const missing = () => missingForAlarm(settings(), loadPair());

  // The length follows the risk: a ?band= from the BVC page, else the band of
  // the last score on this phone, else the page's default, said to be no
  // more than that. Said beside the choice either way.
  function chooseDefaultBand() {
    const wanted = new URLSearchParams(location.search).get("band");
    const score = loadScore();
    const scored = score && bandFor(bands, score.items.length);
    const band = bands.some((b) => b.id === wanted) ? wanted : scored ? scored.id : null;
    const radio = band && form.querySelector(`input[name="band"][value="${band}"]`);
    if (radio) radio.checked = true;
    const why = $("t-band-why");
    if (scored && scored.id === band) {
      why.textContent = `Valgt efter jeres seneste BVC: ${scored.name} (${score.items.length}/${bands.at(-1).max}). ` +
        `${scoreAge(score)}.`;
    } else if (band) {
      why.textContent = `Valgt fra BVC'en: ${bandName(band)}.`;
    } else {
      const checked = form.elements.band.value;
      why.textContent = `Ingen BVC-score på telefonen${checked ? ` – ${bandName(checked).toLowerCase()} er valgt` : ""}. ` +
        "Vælg tiden efter risikoen.";
    }
  }

  function chosenMinutes() {
    const band = form.elements.band.value;
    if (band) return { band, minutes: settings().minutes[band] };
    return { band: null, minutes: validMinutes(form.elements.minutes.value) };
  }

  function showChoice() {
    const s = settings();
    for (const el of form.querySelectorAll("[data-minutes-for]")) el.textContent = s.minutes[el.dataset.minutesFor];
    $("t-custom").hidden = Boolean(form.elements.band.value);
    const { minutes } = chosenMinutes();
    $("t-start-btn").textContent = minutes ? `Start timer (${minutes} min)` : "Start timer";
  }

  // Without numbers the alarm SMS has nobody to go to: ask for what is
  // missing right here, the first time it matters.
  function showNumbers() {
    const need = missing();
    const pair = loadPair();
    $("t-numbers").hidden = !(need.name || need.partner || need.coordinator);
    $("t-name-field").hidden = !need.name;
    $("t-partner-field").hidden = !need.partner;
    $("t-coordinator-field").hidden = !need.coordinator;
    $("t-partner-phone").previousElementSibling.textContent =
      pair && pair.partner && pair.partner.name ? `${pair.partner.name}s mobilnummer (makker)` : "Makkerens mobilnummer";
  }

  function fieldError(input, message) {
    const err = $(`${input.id}-err`);
    err.textContent = message || "";
    err.hidden = !message;
    if (message) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  }

  // The numbers typed into the start form, kept where /settings keeps them.
  // Returns false (and says why) when one is no phone number.
  function saveNumbers() {
    if ($("t-numbers").hidden) return true;
    const need = missing();
    const partnerInput = form.elements.partner_phone;
    const coordinatorInput = form.elements.coordinator_phone;
    const partnerPhone = need.partner ? normalisePhone(partnerInput.value) : "";
    const coordinatorPhone = need.coordinator ? normalisePhone(coordinatorInput.value) : "";
    fieldError(partnerInput, partnerPhone === null ? PHONE_HELP : "");
    fieldError(coordinatorInput, coordinatorPhone === null ? PHONE_HELP : "");
    if (partnerPhone === null || coordinatorPhone === null) {
      (partnerPhone === null ? partnerInput : coordinatorInput).focus();
      return false;
    }
    const s = settings();
    const name = need.name ? form.elements.name.value.trim().slice(0, limit("person_name")) : "";
    if (name) s.name = name;
    if (coordinatorPhone) s.coordinator_phone = coordinatorPhone;
    const pair = loadPair();
    if (partnerPhone || name) {
      const me = pair && pair.me ? pair.me : { id: null, name: s.name };
      if (name) me.name = name;
      const partner = pair && pair.partner ? { ...pair.partner } : partnerPhone ? { id: null, name: "makker" } : null;
      if (partner && partnerPhone) {
        partner.phone = partnerPhone;
        s.partner_phones[partner.name] = partnerPhone;
      }
      savePair({ ...(pair || {}), me, partner });
    }
    const { minutes, ...kept } = s;   // the team's check-in times are not the phone's to keep
    saveSettings(kept);
    return true;
  }

  // The length, and the numbers kept; null (with the field marked and
  // focused) when the length or a number is not one.
  function check() {
    const choice = chosenMinutes();
    const err = $("t-minutes-err");
    const minutesInput = form.elements.minutes;
    err.textContent = choice.minutes ? "" : `Skriv et helt antal minutter fra 1 til ${MAX_MINUTES}.`;
    err.hidden = Boolean(choice.minutes);
    if (!choice.minutes) {
      minutesInput.setAttribute("aria-invalid", "true");
      minutesInput.focus();
      return null;
    }
    minutesInput.removeAttribute("aria-invalid");
    return saveNumbers() ? choice : null;
  }

  function show() {
    showChoice();
    showNumbers();
  }

  form.addEventListener("change", showChoice);
  form.addEventListener("input", showChoice);
  chooseDefaultBand();
  return { show, check };
}
