// Settings kept on this phone only (no login, no network): today's pair and
// the partner's and coordinator's numbers. One form, and each field is kept
// the moment it changes (a tap on a name, leaving a field, leaving the page),
// so nothing typed is silently lost; "Gem" keeps them all and says so. The
// code word and the check-in times are the team's rules (team-rules.js shows
// them here). With the team's worker list from an earlier login, the pair is
// two taps.
import {
  defaultMinutes, loadPair, loadSettings, loadTeam, normalisePhone, savePair, saveSettings, saveTeam,
} from "./timer-core.js";

const root = document.getElementById("settings-page");
if (root) {
  const $ = (id) => document.getElementById(id);
  const defaults = defaultMinutes(root);
  const form = $("settings-form");
  const status = $("settings-status");
  const PHONE_HELP = "Skriv et mobilnummer, fx 12 34 56 78 eller +45 12 34 56 78.";

  function fieldError(input, errEl, message) {
    errEl.textContent = message || "";
    errEl.hidden = !message;
    if (message) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    input.closest(".field").classList.toggle("has-error", Boolean(message));
  }

  // --- today's pair -------------------------------------------------------------

  let team = loadTeam();

  function radio(name, value, label, checked) {
    const l = document.createElement("label");
    l.className = "opt";
    const input = document.createElement("input");
    input.type = "radio";
    input.name = name;
    input.value = value;
    input.checked = checked;
    const span = document.createElement("span");
    span.textContent = label;
    l.append(input, " ", span);
    return l;
  }

  function workers() {
    return team && Array.isArray(team.workers) ? team.workers : [];
  }

  function renderPairPick() {
    const list = workers();
    const pair = loadPair();
    $("pair-pick").hidden = !list.length;
    $("pair-free").hidden = Boolean(list.length);
    if (list.length) {
      // What is ticked now wins over what was saved, then the logged-in worker.
      const ticked = form.querySelector('input[name="me"]:checked');
      const meId = ticked ? Number(ticked.value)
        : pair && pair.me && pair.me.id != null ? pair.me.id : team.user && team.user.id;
      const tickedPartner = form.querySelector('input[name="partner"]:checked');
      const partnerId = tickedPartner ? (tickedPartner.value === "alene" ? "alene" : Number(tickedPartner.value))
        : pair && pair.me ? (pair.partner ? pair.partner.id : "alene") : null;
      const meSet = $("pair-me-list");
      const partnerSet = $("pair-partner-list");
      // The "me" list is rebuilt only when the team changes, so arrowing
      // through it keeps the keyboard focus; the partner list follows "me".
      const key = list.map((w) => `${w.id}:${w.name}`).join("|");
      if (meSet.dataset.built !== key) {
        for (const el of [...meSet.querySelectorAll("label")]) el.remove();
        for (const w of list) meSet.append(radio("me", String(w.id), w.name, w.id === meId));
        meSet.dataset.built = key;
      }
      for (const el of [...partnerSet.querySelectorAll("label")]) el.remove();
      for (const w of list) {
        if (w.id !== meId) partnerSet.append(radio("partner", String(w.id), w.name, w.id === partnerId));
      }
      partnerSet.append(radio("partner", "alene", "Alene i dag", partnerId === "alene"));
    } else if (pair && pair.me) {
      $("pair-me").value = pair.me.name;
      $("pair-partner").value = pair.partner ? pair.partner.name : "";
    } else {
      $("pair-me").value = loadSettings(defaults).name;
    }
    showPhone();
  }

  function chosenPair() {
    const list = workers();
    if (list.length) {
      const meId = Number((form.querySelector('input[name="me"]:checked') || {}).value);
      const me = list.find((w) => w.id === meId);
      const pick = (form.querySelector('input[name="partner"]:checked') || {}).value;
      if (!me || !pick) return null;
      const partner = pick === "alene" ? null : list.find((w) => String(w.id) === pick);
      return { me: { id: me.id, name: me.name }, partner: partner ? { id: partner.id, name: partner.name } : null };
    }
    const me = $("pair-me").value.trim();
    const partner = $("pair-partner").value.trim();
    if (!me) return null;
    return { me: { id: null, name: me }, partner: partner ? { id: null, name: partner } : null };
  }

  // The number field follows the partner: a new name brings the number last
  // used for it; what the worker typed for this partner is left alone.
  let phoneFor;
  function showPhone() {
    const pair = chosenPair();
    const field = $("pair-phone-field");
    field.hidden = Boolean(pair && !pair.partner);
    const name = (pair && pair.partner && pair.partner.name) || null;
    if (name === phoneFor) return;
    phoneFor = name;
    const stored = loadPair();
    const known = name && (loadSettings(defaults).partner_phones[name] ||
      (stored && stored.partner && stored.partner.name === name && stored.partner.phone));
    if (document.activeElement !== $("pair-phone")) $("pair-phone").value = known || "";
  }

  // Each save returns {kept: words for the status}, {problem: the field
  // holding no phone number}, or {} when there is nothing to keep. Errors are
  // marked on the fields only on "Gem": marked as a field is left, they would
  // move the button under the finger that is on its way to it.
  function savePairNow() {
    const pair = chosenPair();
    if (!pair) return {};
    const phoneInput = $("pair-phone");
    const phone = pair.partner ? normalisePhone(phoneInput.value) : "";
    if (phone === null) return { problem: phoneInput };
    const previous = loadPair();
    if (pair.partner) pair.partner.phone = phone;
    // Keep who talks across a re-save of the same pair.
    if (previous && previous.partner && pair.partner && previous.partner.name === pair.partner.name) {
      pair.talker = previous.talker;
    }
    const { minutes, ...s } = loadSettings(defaults);   // the team's times are not the phone's to keep
    s.name = pair.me.name;
    if (pair.partner && phone) s.partner_phones[pair.partner.name] = phone;
    saveSettings(s);
    savePair(pair);
    return { kept: pair.partner ? `${pair.me.name} og ${pair.partner.name}${phone ? "" : " (uden mobilnummer)"}`
      : `${pair.me.name}, alene i dag` };
  }

  function saveCoordinator() {
    const phoneInput = form.elements.coordinator_phone;
    const phone = normalisePhone(phoneInput.value);
    if (phone === null) return { problem: phoneInput };
    const { minutes, ...s } = loadSettings(defaults);
    s.coordinator_phone = phone;
    if (!saveSettings(s)) return {};
    return phone ? { kept: "koordinatorens nummer" } : {};
  }

  const phoneFields = () => [[$("pair-phone"), $("pair-phone-err")], [form.elements.coordinator_phone, $("s-coordinator-err")]];

  function say(results) {
    const problem = results.find((r) => r.problem);
    const kept = results.filter((r) => r.kept).map((r) => r.kept);
    if (problem) {
      status.textContent = `Ikke gemt: ${problem.problem.labels[0].textContent.toLowerCase()}. ` +
        "Skriv et mobilnummer, fx 12 34 56 78." + (kept.length ? ` Gemt: ${kept.join(", ")}.` : "");
    } else if (kept.length) {
      status.textContent = `Gemt på telefonen: ${kept.join(", ")}.`;
    }
  }

  // "Gem": everything on the form, kept in one go; wrong numbers marked and the first focused.
  function saveAll({ announce }) {
    const results = [savePairNow(), saveCoordinator()];
    if (!announce) return;
    if (!chosenPair()) status.textContent = workers().length ? "Vælg dig selv og din makker." : "Skriv dit navn.";
    say(results);
    const wrong = new Set(results.map((r) => r.problem).filter(Boolean));
    for (const [input, err] of phoneFields()) fieldError(input, err, wrong.has(input) ? PHONE_HELP : "");
    const first = results.find((r) => r.problem);
    if (first) first.problem.focus();
  }

  // A tap on a name saves at once: choosing the pair is two taps. A typed
  // field is kept when the worker leaves it.
  form.addEventListener("change", (e) => {
    typed = false;
    if (e.target.name === "me") renderPairPick();
    if (e.target.id !== "pair-phone") showPhone();
    say([e.target === form.elements.coordinator_phone ? saveCoordinator() : savePairNow()]);
  });
  // Typing a partner's name shows the number field (and the number last used for that name);
  // a marked number is unmarked as soon as it is one.
  let typed = false;   // something typed that no "change" has kept yet
  form.addEventListener("input", (e) => {
    typed = true;
    if (e.target.id === "pair-partner") showPhone();
    for (const [input, err] of phoneFields()) {
      if (e.target === input && input.hasAttribute("aria-invalid") && normalisePhone(input.value) !== null) {
        fieldError(input, err, "");
      }
    }
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    saveAll({ announce: true });
  });
  // Leaving the page by a link or the tab bar while a field still has the
  // focus: what is in it is kept (a "change" may not come first everywhere).
  addEventListener("pagehide", () => { if (typed) saveAll({ announce: false }); });

  function fillSettings() {
    if (document.activeElement !== form.elements.coordinator_phone) {
      form.elements.coordinator_phone.value = loadSettings(defaults).coordinator_phone;
    }
  }

  // Notifications, and pushes from the server when the app is closed: push-setup.js.

  // --- the worker list, when there is a login and a signal --------------------------

  async function refreshTeam() {
    if (!navigator.onLine) return;
    try {
      const session = await (await fetch("/api/session", { credentials: "same-origin" })).json();
      if (!session.user) return;
      team = { user: { id: session.user.id, name: session.user.name }, workers: session.workers,
               team: session.team };
      saveTeam(team);
      renderPairPick();
    } catch { /* the list from last time will do */ }
  }

  addEventListener("storage", () => { fillSettings(); renderPairPick(); });
  fillSettings();
  renderPairPick();
  refreshTeam();
}
