// Prompts: filter techniques by the stage (carried over from /stages), and the
// interactive 0–10 scaling question with follow-ups for the chosen number.
import { initialStage, reflectInUrl, saveStage } from "./stage-choice.js";

const form = document.getElementById("prompt-filter");
if (form) {
  const sections = [...document.querySelectorAll(".technique")];
  const status = document.getElementById("filter-status");
  const labelOf = (id) => form.querySelector(`input[value="${CSS.escape(id)}"]`)
    ?.closest("label").querySelector("strong").textContent;

  function filter(id) {
    const all = !id || id === "alle";
    for (const s of sections) s.hidden = !all && !s.dataset.stages.split(" ").includes(id);
    status.textContent = all ? "Viser alle spørgsmål." : `Viser spørgsmål til ${labelOf(id).toLowerCase()}.`;
  }

  form.addEventListener("change", (e) => {
    if (e.target.name !== "stage") return;
    filter(e.target.value);
    saveStage(e.target.value);
    reflectInUrl(e.target.value);
  });
  form.addEventListener("submit", (e) => e.preventDefault());

  const id = initialStage(form) || "alle";
  form.querySelector(`input[name="stage"][value="${CSS.escape(id)}"]`).checked = true;
  filter(id);
  if (location.hash) document.querySelector(location.hash)?.scrollIntoView();
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
