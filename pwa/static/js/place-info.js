// What the team knows about a place, as elements: "kun efter aftale", its
// safety and access notes, its good times and its partners with a number to
// tap. Shared by the door (place-door.js, on /bvc and /timer) and today's
// round (round.js); the place comes from the phone's cached session.

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

export function describe(place) {
  const out = [];
  if (place.by_appointment) out.push(el("p", "Kun efter aftale / når vi er kaldt.", "note note-warn door-appointment"));
  if (place.safety_notes) {
    const p = el("p", null, "note note-warn door-safety");
    p.append(el("strong", "Sikkerhed: "), place.safety_notes);
    out.push(p);
  }
  if (place.access_notes) {
    const p = el("p", null, "door-access");
    p.append(el("strong", "Adgang: "), place.access_notes);
    out.push(p);
  }
  if (place.times_text) out.push(el("p", `Gode tider: ${place.times_text}`, "small"));
  if (place.partners && place.partners.length) {
    out.push(el("p", "Samarbejdspartnere:", "door-partners-head"));
    const list = el("ul", null, "partners door-partners");
    for (const partner of place.partners) {
      const li = el("li", [partner.organisation, partner.contact].filter(Boolean).join(" – "));
      if (partner.phone) {
        const a = el("a", partner.phone);
        a.href = `tel:${partner.phone.replace(/\s/g, "")}`;
        li.append(li.textContent ? ", " : "", a);
      }
      list.append(li);
    }
    out.push(list);
  }
  if (!out.length) out.push(el("p", "Teamet har ingen noter om stedet.", "small"));
  return out;
}
