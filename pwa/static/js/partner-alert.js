// The partner's check-in is overdue: a push said so, and its tap opened
// /timer?makker=1 (sw.js). This phone's own timer may not be running at all,
// so the page says it at the top, with a call button to the partner from
// today's pair on this phone. The server sends no name or number (it is shown
// on a lock screen, and the push service is a third party); they are here.
import { loadPair, normalisePhone } from "./timer-core.js";

const box = document.getElementById("t-partner");
if (box && new URLSearchParams(location.search).has("makker")) {
  const pair = loadPair();
  const partner = pair && pair.partner;
  const name = (partner && partner.name) || "din makker";
  const number = partner && normalisePhone(partner.phone);
  const text = document.createElement("p");
  text.textContent = `Din makkers tjek-ind er overskredet. Ring til ${name} nu, og følg teamets aftaler, ` +
    "hvis I ikke får kontakt.";
  box.append(text);
  if (number) {
    const call = document.createElement("a");
    call.className = "btn";
    call.href = `tel:${number}`;
    call.textContent = `Ring til ${name}`;
    box.append(call);
  } else {
    const hint = document.createElement("p");
    hint.className = "small";
    hint.textContent = "Makkerens nummer er ikke gemt på denne telefon (Indstillinger).";
    box.append(hint);
  }
  box.hidden = false;
}
