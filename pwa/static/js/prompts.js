// Prompts: filter techniques by the stage (carried over from /stages), and the
// interactive 0–10 scaling question with follow-ups for the chosen number.
import { initialStage, reflectInUrl, saveStage } from "./stage-choice.js";

const form = document.getElementById("prompt-filter");
if (form) {
  const select = form.elements.stage;
  const sections = [...document.querySelectorAll(".technique")];
  const status = document.getElementById("filter-status");
  const showAll = document.getElementById("show-all");
  const nameOf = (id) => select.querySelector(`option[value="${CSS.escape(id)}"]`).textContent
    .replace(/\s*\(.*\)$/, "");

  function filter(id, { remember }) {
    const all = !id || id === "alle";
    select.value = all ? "alle" : id;
    for (const s of sections) s.hidden = !all && !s.dataset.stages.split(" ").includes(id);
    for (const g of document.querySelectorAll(".method-group")) {
      g.hidden = [...g.querySelectorAll(".technique")].every((s) => s.hidden);
    }
    status.textContent = all ? "Viser alle spørgsmål." : `Viser spørgsmål til ${nameOf(id).toLowerCase()}.`;
    showAll.hidden = all;
    if (remember) {
      saveStage(id);
      reflectInUrl(id);
    }
  }

  select.addEventListener("change", () => filter(select.value, { remember: true }));
  showAll.addEventListener("click", (e) => {
    e.preventDefault();
    filter("alle", { remember: true });
    select.focus();
  });
  form.addEventListener("submit", (e) => e.preventDefault());

  filter(initialStage(form) || "alle", { remember: false });
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
