// "Jeg er OK" with a code, where the team checks in with one (team rule
// checkin_code) and this phone has the worker's codes (checkin-code.js).
// The check-in code checks in; the duress code checks in in exactly the same
// way and, silently, raises a duress alert (timer.js decides what follows);
// any other code checks in nothing and says so. The prompt is a small form
// under the button, never a dialog that could trap the worker: "+15 min",
// the SMS and "Stop timeren" stay where they are.
import { checkCode, hasCodes } from "./checkin-code.js";
import { teamRuleOn } from "./team-rules.js";

export function teamAsksForCode() {
  return teamRuleOn("checkin_code");
}

export function codeNeeded() {
  return teamAsksForCode() && hasCodes();
}

export function codePrompt(form, opener, onCode) {
  const input = form.querySelector("input");
  const error = form.querySelector(".error");

  function wrong(message) {
    error.textContent = message;
    error.hidden = !message;
    if (message) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  }

  function close() {
    form.hidden = true;
    input.value = "";
    wrong("");
    opener.setAttribute("aria-expanded", "false");
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const result = await checkCode(input.value);
    if (!result) {
      input.value = "";
      wrong("Forkert kode – du er ikke tjekket ind. Prøv igen.");
      input.focus();
      return;
    }
    close();
    opener.focus({ preventScroll: true });
    onCode(result);
  });
  form.querySelector("[data-cancel]").addEventListener("click", () => { close(); opener.focus(); });

  return {
    open() {
      form.hidden = false;
      opener.setAttribute("aria-expanded", "true");
      input.focus();
    },
    close,
  };
}
