// The timer's SMS: who gets it, what it says, and the sms: links that open
// the phone's messages app with it written. The worker always presses send;
// a web page cannot send an SMS itself.
//
// The link takes different forms (tests/browser/test_timer_sms.py holds each):
// - iPhone and iPad: `sms:+4512345678&body=…` (iOS reads the body after "&"
//   and takes "?body=" as part of the number); with no number `sms:&body=…`.
// - Android and the rest: RFC 5724's `sms:+4512345678?body=…`; with no number
//   `sms:?body=…`.
// - One recipient per link, everywhere: two numbers in one link (comma on
//   some apps, semicolon on others, iOS's `open?addresses=`) are dropped or
//   read as one wrong number by some messages apps, and an alarm must reach
//   whoever it can. Each recipient gets their own button.
import { clock, lastSeen, normalisePhone } from "./timer-core.js";

// "ios" or "standard", from what the browser says it is. iPadOS says
// "Macintosh", but a Mac has no touch screen.
export function smsStyle(nav = navigator) {
  const ua = nav.userAgent || "";
  if (/iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && nav.maxTouchPoints > 1)) return "ios";
  return "standard";
}

export function smsHref(number, body, style = smsStyle()) {
  return `sms:${number || ""}${style === "ios" ? "&" : "?"}body=${encodeURIComponent(body)}`;
}

// [{name, number}] for today's partner and the coordinator, where there is a
// number; the same number twice is one recipient.
export function recipients(settings, pair) {
  const out = [];
  const add = (name, phone) => {
    const number = normalisePhone(phone);
    if (number && !out.some((r) => r.number === number)) out.push({ name, number });
  };
  if (pair && pair.partner) add(pair.partner.name || "makker", pair.partner.phone);
  add("koordinatoren", settings.coordinator_phone);
  return out;
}

// One link per recipient; with no recipient, one link that opens the
// messages app with the text written and the number left to the worker.
export function smsLinks(list, body, style = smsStyle()) {
  if (!list.length) return [{ name: null, href: smsHref("", body, style) }];
  return list.map((r) => ({ name: r.name, href: smsHref(r.number, body, style) }));
}

export function workerName(settings, pair) {
  return (pair && pair.me && pair.me.name) || settings.name || "";
}

// "ALARM: Mette har ikke tjekket ind. Sidst: Banegårdsparken kl. 12.44. Ring
// til Mette nu." Written for the one who reads it: who, the last place and
// time the worker was known to be OK, and what to do.
export function alarmBody(timer, settings, pair) {
  const name = workerName(settings, pair);
  const place = timer.place ? `${timer.place} kl. ${clock(lastSeen(timer))}`
    : `kl. ${clock(lastSeen(timer))} (sted ikke angivet)`;
  return `ALARM: ${name || "Din kollega"} har ikke tjekket ind (senest kl. ${clock(timer.due)}). ` +
    `Sidst: ${place}. Ring til ${name || "din kollega"} nu. Får du ikke svar, så følg teamets aftale.`;
}

export function checkoutBody(timer, settings, pair, now = Date.now()) {
  const name = workerName(settings, pair);
  const place = timer.place ? `adressen (${timer.place})` : "adressen";
  return `Gadekontakt: ${name || "Jeg"} har forladt ${place} kl. ${clock(now)}. Alt er OK.`;
}

// The links as buttons in `box`, each named by `label(name)`.
export function showSmsLinks(box, links, label) {
  box.replaceChildren(...links.map((l) => {
    const a = document.createElement("a");
    a.className = "btn btn-alarm";
    a.href = l.href;
    a.textContent = label(l.name);
    return a;
  }));
}
