// A form's errors as the worker meets them: a summary box at the top (role
// alert, focused) listing each problem as a link to its field, and the same
// words under the field itself, tied to it by aria-describedby and marked
// aria-invalid. The summary box holds a <ul> for the list.

export function clearErrors(form, summary) {
  summary.hidden = true;
  summary.querySelector("ul").replaceChildren();
  for (const p of form.querySelectorAll(".field .error")) p.remove();
  for (const f of form.querySelectorAll(".has-error")) f.classList.remove("has-error");
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    const rest = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => !id.endsWith("-err"));
    if (rest.length) input.setAttribute("aria-describedby", rest.join(" "));
    else input.removeAttribute("aria-describedby");
  }
}

// errors: [input, message] pairs, in the order of the form.
export function showErrors(form, summary, errors) {
  clearErrors(form, summary);
  const list = summary.querySelector("ul");
  for (const [input, message] of errors) {
    const field = input.closest(".field");
    const p = document.createElement("p");
    p.className = "error";
    p.id = `${input.id}-err`;
    p.textContent = message;
    field.classList.add("has-error");
    field.append(p);
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", [input.getAttribute("aria-describedby"), p.id].filter(Boolean).join(" "));
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = `#${input.id}`;
    a.textContent = message;
    a.addEventListener("click", (e) => { e.preventDefault(); input.focus(); });
    li.append(a);
    list.append(li);
  }
  summary.hidden = false;
  summary.focus();
}

// A problem with no field to point at (the phone could not save).
export function showProblem(form, summary, message) {
  clearErrors(form, summary);
  const li = document.createElement("li");
  li.textContent = message;
  summary.querySelector("ul").append(li);
  summary.hidden = false;
  summary.focus();
}
