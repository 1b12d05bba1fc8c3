// Stage selector: show the chosen stage's work and methods, light up its part
// of the circle, and remember the choice for the prompts page.
import { initialStage, reflectInUrl, saveStage } from "./stage-choice.js";

const form = document.getElementById("stage-form");
if (form) {
  const details = [...document.querySelectorAll(".stage-detail")];
  const segs = [...document.querySelectorAll(".circle .seg")];

  function show(id, { remember }) {
    for (const d of details) d.hidden = Boolean(id) && d.dataset.stage !== id;
    for (const s of segs) s.classList.toggle("is-selected", s.dataset.group === id);
    // "Gem i kontaktlog" opens the contact log with this stage chosen.
    document.getElementById("stage-log").href = id ? `/log?stage=${encodeURIComponent(id)}` : "/log";
    if (remember) {
      saveStage(id);
      reflectInUrl(id);
    }
  }

  form.addEventListener("change", (e) => {
    if (e.target.name === "stage") {
      show(e.target.value, { remember: true });
      document.getElementById(`stage-${e.target.value}`)?.scrollIntoView({ block: "start" });
    }
  });
  form.addEventListener("submit", (e) => e.preventDefault());

  const id = initialStage(form);
  if (id) {
    form.querySelector(`input[name="stage"][value="${CSS.escape(id)}"]`).checked = true;
    // Shown, not chosen again: the contact form takes over only a stage the
    // worker picked (stage-choice.js), so opening the page must not refresh it.
    show(id, { remember: false });
    reflectInUrl(id);
  } else {
    for (const d of details) d.hidden = false;
  }
}
