// /settings: the worker chooses a check-in code and a duress code for
// "Tjek ind med kode" (checkin-code.js keeps their hashes on this phone).
// Shown whether or not the team has turned the rule on, so a worker can
// choose them before the day it starts.
import { codeProblem, hasCodes, setCodes, clearCodes } from "./checkin-code.js";
import { teamRuleOn } from "./team-rules.js";

const form = document.getElementById("code-form");
if (form) {
  const $ = (id) => document.getElementById(id);
  const status = $("code-status");
  const error = $("code-err");

  function show() {
    const on = teamRuleOn("checkin_code");
    $("code-state").textContent = (hasCodes() ? "Koderne er valgt på denne telefon." : "Ingen koder valgt på denne telefon.") +
      (on ? " Teamet tjekker ind med kode." : " Teamet bruger ikke kode endnu.");
    $("code-clear").hidden = !hasCodes();
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const ok = form.elements.code_ok.value;
    const duress = form.elements.code_duress.value;
    const problem = codeProblem(ok, duress);
    error.textContent = problem || "";
    error.hidden = !problem;
    if (problem) {
      status.textContent = "";
      return;
    }
    await setCodes(ok, duress);
    form.reset();
    status.textContent = "Koderne er gemt på telefonen. Husk dem – de kan ikke vises igen.";
    show();
  });
  $("code-clear").addEventListener("click", () => {
    clearCodes();
    status.textContent = "Koderne er slettet fra telefonen.";
    show();
  });
  document.addEventListener("gk:team-rules", show);
  show();
}
