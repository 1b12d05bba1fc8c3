// The contact form's pickers, filled from what the phone keeps: the team's
// workers (today's pair from /settings chosen; the partner list never offers
// the worker themself), its places, and its citizens from the PIN vault, with
// the button that chooses or types the PIN. Without a cached session the
// form stays hidden behind "Log ind". Used by contact-form.js.
import { citizens as citizenCache, session as sessionCache, vault } from "./phone-data.js";
import { fillCitizenOptions } from "./citizen-info.js";
import { ensureUnlocked } from "./lock.js";
import { loadPair, pairIsFromToday } from "./timer-core.js";

// `onFilled` runs after the pickers changed (the form shows the citizen's
// last band then).
export function contactLists(form, { onFilled }) {
  const $ = (id) => document.getElementById(id);
  const el = {
    login: $("log-login"), vaultStatus: $("vault-status"), vaultOpen: $("vault-open"),
    citizen: $("citizen"), citizenOptions: $("citizen-options"), place: $("place"), placeOptions: $("place-options"),
    worker1: $("worker1"), worker2: $("worker2"),
  };
  let session = null;
  let citizens = [];
  let signature = "";
  // A new citizen saved with the contact being corrected, offered in the
  // list even when the PIN vault does not hold it.
  let extraCitizen = null;
  // A citizen named in the URL (from a citizen's page or the BVC page), set
  // once the cached list has it.
  let wantedCitizen = new URLSearchParams(location.search).get("citizen");

  function fillSelect(select, group, options, keepFirst) {
    const chosen = select.value;
    const target = group || select;
    const fresh = options.map(([value, label]) => new Option(label, value));
    if (group) group.replaceChildren(...fresh);
    else target.replaceChildren(...[...select.options].slice(0, keepFirst), ...fresh);
    if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
  }

  // An empty option group would show a bare heading in the phone's picker.
  function showGroup(select, group, before, show) {
    if (!show) group.remove();
    else if (!group.parentNode) select.insertBefore(group, before);
  }

  async function load() {
    const cached = await sessionCache.cached();
    // A session that lapses while the form is open must not take the form
    // away mid-entry: what is saved waits in the outbox for the next login.
    if (cached) session = cached;
    el.login.hidden = Boolean(cached);
    if (!cached && session) {
      el.login.querySelector("[data-login-title]").textContent = "Du er logget ud.";
      el.login.querySelector("[data-login-text]").textContent =
        "Det, du gemmer, venter på telefonen og sendes, når du logger ind igen.";
    }
    form.hidden = !session;
    if (!cached) return;
    await showVault();
    const list = await citizenCache.known();
    if (extraCitizen && !list.some((c) => c.id === extraCitizen.id)) list.push(extraCitizen);
    const now = JSON.stringify([session.workers, session.places, list]);
    if (now === signature) return;
    signature = now;
    citizens = list;
    const firstFill = !el.worker1.options.length;
    fillSelect(el.worker1, null, workerOptions(), 0);
    if (firstFill) {
      // Today's pair (chosen on /settings) is the pair of this contact too.
      const pair = loadPair();
      const known = (w) => w && session.workers.some((x) => x.id === w.id);
      const today = pair && pairIsFromToday(pair);
      el.worker1.value = String(today && known(pair.me) ? pair.me.id : session.user.id);
      fillPartners();
      if (today && known(pair.partner) && pair.partner.id !== pair.me.id) el.worker2.value = String(pair.partner.id);
    } else {
      fillPartners();
    }
    fillSelect(el.place, el.placeOptions, session.places.map((p) => [p, p]));
    showGroup(el.place, el.placeOptions, el.place.querySelector('option[value="__andet"]'), session.places.length);
    fillCitizenOptions(el.citizen, el.citizenOptions, citizens);
    showGroup(el.citizen, el.citizenOptions, null, citizens.length);
    if (wantedCitizen && !el.citizen.value && citizens.some((c) => c.id === wantedCitizen)) {
      el.citizen.value = wantedCitizen;
      wantedCitizen = null;
    }
    onFilled();
  }

  function workerOptions() {
    return session.workers.map((w) => [String(w.id), w.name + (w.id === session.user.id ? " (mig)" : "")]);
  }

  // The partner is anyone on the team but the worker chosen above.
  function fillPartners() {
    if (!session) return;
    fillSelect(el.worker2, null, workerOptions().filter(([id]) => id !== el.worker1.value), 1);
  }
  el.worker1.addEventListener("change", fillPartners);

  // The lists again even if nothing seems changed (the vault opened or closed).
  function reload() {
    signature = null;
    return load();
  }

  // The team's citizen list lives on the phone only behind the worker's PIN.
  async function showVault() {
    const state = await vault.state();
    el.vaultStatus.hidden = state === "unlocked";
    el.vaultStatus.querySelector("[data-vault-text]").textContent = state === "locked"
      ? "Teamets borgerliste er låst."
      : "Uden PIN har telefonen hverken teamets borgere eller en kladde, hvis du går fra siden.";
    el.vaultOpen.textContent = state === "locked" ? "Lås op med PIN" : "Vælg PIN";
  }
  // Choose the PIN (or type it), fetch the list if there is network, refill.
  async function unlock() {
    if (!(await ensureUnlocked({ create: true }))) return false;
    if (navigator.onLine) await citizenCache.refresh().catch(() => {});
    await reload();
    return true;
  }
  el.vaultOpen.addEventListener("click", unlock);

  return {
    load, reload, fillPartners, unlock,
    session: () => session,
    citizens: () => citizens,
    wanted: () => wantedCitizen,
    extraCitizen: () => extraCitizen,
    // null forgets it (the idle lock fell).
    setExtraCitizen(citizen) {
      extraCitizen = citizen;
      return reload();
    },
  };
}
