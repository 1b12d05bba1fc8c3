// A form's errors as the worker meets them: a summary box at the top (role
// alert, focused) listing each problem as a link to its field, and the same
// words under the field itself, tied to it by aria-describedby and marked
// aria-invalid. The summary box holds a <ul> for the list. A field's error
// goes as soon as the field is put right (clearFixed), not at the next save.

function clearField(input) {
  const field = input.closest(".field");
  field?.querySelector(`#${CSS.escape(input.id)}-err`)?.remove();
  field?.classList.remove("has-error");
  input.removeAttribute("aria-invalid");
  const rest = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && !id.endsWith("-err"));
  if (rest.length) input.setAttribute("aria-describedby", rest.join(" "));
  else input.removeAttribute("aria-describedby");
}

export function clearErrors(form, summary) {
  summary.hidden = true;
  summary.querySelector("ul").replaceChildren();
  for (const p of form.querySelectorAll(".field .error")) p.remove();
  for (const f of form.querySelectorAll(".has-error")) f.classList.remove("has-error");
  for (const input of form.querySelectorAll("[aria-invalid]")) clearField(input);
}

// errors: the [input, message] pairs found now. A field shown as wrong that is
// no longer among them is put right: its message goes, here and in the box,
// and the box goes with the last one. New problems wait for the next save.
export function clearFixed(form, summary, errors) {
  const still = new Set(errors.map(([input]) => input));
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    if (still.has(input)) continue;
    clearField(input);
    summary.querySelector(`a[href="#${CSS.escape(input.id)}"]`)?.closest("li")?.remove();
  }
  if (!summary.querySelector("li")) summary.hidden = true;
}

// errors: [input, message] pairs, in the order of the form.
export function showErrors(form, summary, errors) {
  clearErrors(form, summary);
  const list = summary.querySelector("ul");
  for (const [input, message] of errors) {
    const field = input.closest(".field");
    // A folded part of the form opens to show its problem.
    for (let d = input.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) d.open = true;
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
