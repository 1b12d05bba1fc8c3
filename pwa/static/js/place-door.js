// Safety at the door: on /bvc and /timer the worker picks the place they are
// about to enter and sees what the team knows about it — "kun efter aftale",
// its safety and access notes, the partners there with a tap-to-call number.
// All from the session the phone cached at its last login (session.js), so it
// works with no signal. app.js loads it only on a phone that has been logged
// in, and it waits for the first paint, so it never delays the BVC or the
// timer. On /timer a chosen place also fills the timer's "Sted".
import { describe } from "./place-info.js";

const box = document.getElementById("place-door");

async function start() {
  const { changes, session } = await import("./phone-data.js");
  const select = document.getElementById("door-place");
  const info = document.getElementById("door-info");
  const timerPlace = document.getElementById("t-place");
  let places = [];

  function show() {
    const place = places.find((p) => String(p.id) === select.value);
    info.replaceChildren(...(place ? describe(place) : []));
    if (place && timerPlace && (!timerPlace.value || timerPlace.dataset.fromDoor === "1")) {
      timerPlace.value = place.name;
      timerPlace.dataset.fromDoor = "1";
    }
  }

  async function load() {
    const cached = await session.cached();
    places = (cached && cached.place_details) || [];
    const chosen = select.value;
    const first = select.options[0];
    select.replaceChildren(first, ...places.map((p) => new Option(p.area ? `${p.name} (${p.area})` : p.name, p.id)));
    if (places.some((p) => String(p.id) === chosen)) select.value = chosen;
    box.hidden = places.length === 0;
    show();
  }

  select.addEventListener("change", show);
  if (timerPlace) timerPlace.addEventListener("input", () => { delete timerPlace.dataset.fromDoor; });
  changes.events.addEventListener("change", () => load().catch(() => {}));
  await load();
}

if (box) {
  Promise.resolve(self.gk && self.gk.afterFirstPaint).then(start)
    .catch((err) => console.warn("No places at the door:", err));
}
