// Right after a login, the offer to choose a PIN: without one the team's
// citizen list is not kept on the phone, so a worker cannot pick a known
// citizen and makes a second one by mistake, and a contact begun and left
// is not kept. Skippable ("Ikke nu"), never modal, and never on the pages
// where it could stand between a worker and safety (the BVC, the timer).
// /log has its own offer beside the citizen picker.
import { session, vault } from "./phone-data.js";
import { ensureUnlocked } from "./lock.js";
import { el } from "./dom.js";

const KEY = "gk.pinOffer";
const NOT_HERE = ["/bvc", "/timer", "/log"];

export async function offerPin() {
  try {
    if (sessionStorage.getItem(KEY) !== "1" || NOT_HERE.includes(location.pathname)) return;
    sessionStorage.removeItem(KEY);
  } catch {
    return;
  }
  const s = await session.refresh().catch(() => null) || { user: await session.cached() };
  if (!s.user || (await vault.state()) !== "none") return;
  const main = document.getElementById("main");
  const yes = el("button", { type: "button", class: "btn", text: "Vælg PIN" });
  const no = el("button", { type: "button", class: "btn btn-secondary", text: "Ikke nu" });
  const box = el("section", { class: "note pin-offer", id: "pin-offer", "aria-labelledby": "pin-offer-title" },
    el("h2", { id: "pin-offer-title", text: "Vælg en PIN til teamets borgerliste" }),
    el("p", { text: "Med en PIN har telefonen teamets borgere – også uden net – så du kan vælge en kendt borger " +
                    "i stedet for at oprette den samme igen. En påbegyndt kontakt gemmes også, hvis du går fra den." }),
    el("div", { class: "actions" }, yes, no));
  main.prepend(box);
  const close = () => { box.remove(); main.focus(); };
  no.addEventListener("click", close);
  yes.addEventListener("click", async () => {
    if (!(await ensureUnlocked({ create: true }))) return;
    close();
    const { citizens } = await import("./phone-data.js");
    if (navigator.onLine) await citizens.refresh().catch(() => {});
  });
}
