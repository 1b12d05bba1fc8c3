// A running check-in timer, one tap away from every page: a chip above the
// tab bar with the time left, which opens /timer. Overdue, it says so in
// words and a ⚠, not by colour alone. /timer itself shows the big countdown.
// app.js loads this after the first paint; the chip floats, so its arrival
// moves nothing on the page.
import { countdown, loadTimer, running } from "./timer-core.js";

if (location.pathname !== "/timer") {
  // A landmark of its own, so a screen reader finds it among the page's regions.
  const region = document.createElement("aside");
  region.setAttribute("aria-label", "Tjek-ind-timer");
  region.hidden = true;
  const chip = document.createElement("a");
  chip.id = "timer-chip";
  chip.className = "timer-chip";
  chip.href = "/timer";
  const icon = document.createElement("span");
  icon.setAttribute("aria-hidden", "true");
  const text = document.createElement("span");
  chip.append(icon, text);
  region.append(chip);
  // After the page's content and before the tab bar: where it shows.
  document.body.insertBefore(region, document.querySelector("nav.tabs"));

  const show = () => {
    const t = running(loadTimer());
    region.hidden = !t;
    document.documentElement.classList.toggle("has-timer-chip", Boolean(t));
    if (!t) return;
    const left = t.due - Date.now();
    chip.classList.toggle("is-overdue", left <= 0);
    const words = left > 0 ? `Tjek-ind om ${countdown(left)}` : "Tjek ind nu";
    const glyph = left > 0 ? "◷" : "⚠";
    if (text.textContent !== words) text.textContent = words;
    if (icon.textContent !== glyph) icon.textContent = glyph;
  };
  addEventListener("storage", show);
  document.addEventListener("visibilitychange", show);
  setInterval(show, 1000);
  show();
}
