// Prompts: the stage first (carried over from /stages, remembered for the
// contact form), then the techniques that fit it, each folded until tapped;
// and the interactive 0–10 scaling question with follow-ups for the number.
import { initialStage, reflectInUrl, saveStage } from "./stage-choice.js";

const form = document.getElementById("prompt-filter");
if (form) {
  const sections = [...document.querySelectorAll(".technique")];
  const status = document.getElementById("filter-status");
  const radio = (id) => form.querySelector(`input[name="stage"][value="${CSS.escape(id)}"]`);
  const nameOf = (id) => radio(id).closest("label").querySelector("strong").textContent;

  function filter(id, { remember }) {
    const all = !id || id === "alle";
    radio(all ? "alle" : id).checked = true;
    for (const s of sections) s.hidden = !all && !s.dataset.stages.split(" ").includes(id);
    for (const g of document.querySelectorAll(".method-group")) {
      g.hidden = [...g.querySelectorAll(".technique")].every((s) => s.hidden);
    }
    status.textContent = all ? "Alle teknikker – vælg en." : `Spørgsmål til ${nameOf(id).toLowerCase()} – vælg en teknik.`;
    if (remember) {
      saveStage(id);
      reflectInUrl(id);
    }
  }

  form.addEventListener("change", (e) => {
    if (e.target.name === "stage") filter(e.target.value, { remember: true });
  });
  form.addEventListener("submit", (e) => e.preventDefault());

  filter(initialStage(form) || "alle", { remember: false });
}

const scale = document.getElementById("scale");
if (scale) {
  const input = scale.querySelector('input[type="range"]');
  const out = scale.querySelector("output");
  const lower = scale.querySelector('[data-followup="lower"]');
  const higher = scale.querySelector('[data-followup="higher"]');
  const fill = (tpl, n) => tpl.replaceAll("{n}", n).replaceAll("{lower}", Math.max(0, n - 2))
    .replaceAll("{higher}", n + 1);

  function update() {
    const n = Number(input.value);
    out.textContent = String(n);
    input.setAttribute("aria-valuetext", `${n} af 10`);
    lower.hidden = n === 0;
    higher.hidden = n === 10;
    lower.textContent = fill(scale.dataset.lower, n);
    higher.textContent = fill(scale.dataset.higher, n);
  }
  input.addEventListener("input", update);
  update();
}
