// A new citizen's alias that the team already has: said while it is typed,
// with a button that picks the known citizen instead, so the same person does
// not become two. The check reads the team's list in the PIN vault; locked,
// or with no PIN, the phone cannot see the list, and says so with the button
// that opens it (then it checks again). Nothing is asked of the server: the
// same words hold with and without network.
import { vault } from "./phone-data.js";
import { citizenLabel } from "./citizen-info.js";
import { el } from "./dom.js";

// "A.B.", "ab" and "A B" are the same alias to a colleague reading the list.
export const sameAlias = (a) => a.normalize("NFKC").toLocaleLowerCase("da").replace(/[^\p{L}\p{N}]/gu, "");

// citizens(): the list the picker holds; pick(id): choose that citizen in
// the form; unlock(): open the list (PIN), resolving true when it opened.
export function aliasCheck({ input, box, citizens, pick, unlock }) {
  let timer = null;

  async function check() {
    const alias = input.value.trim();
    const key = sameAlias(alias);
    if (!key) { box.replaceChildren(); return; }
    const state = await vault.state();
    if (input.value.trim() !== alias) return;  // typed on meanwhile: the next check answers
    if (state === "unlocked") {
      const found = citizens().filter((c) => sameAlias(c.alias) === key).slice(0, 3);
      box.replaceChildren(...(found.length ? [el("div", { class: "note note-warn" },
        el("p", {}, el("strong", { text: `Teamet har allerede »${found[0].alias}«.` }),
           " Er det den samme borger, så vælg den i stedet for at oprette en ny."),
        ...found.map((c) => {
          const b = el("button", { type: "button", class: "btn btn-secondary btn-small", text: `Vælg ${citizenLabel(c)}` });
          b.addEventListener("click", () => pick(c.id));
          return b;
        }))] : []));
      return;
    }
    const button = el("button", { type: "button", class: "btn btn-secondary btn-small",
                                  text: state === "locked" ? "Lås op og tjek" : "Vælg PIN" });
    button.addEventListener("click", async () => { if (await unlock()) check(); });
    box.replaceChildren(el("div", { class: "note" }, el("p", { text: state === "locked"
      ? "Borgerlisten er låst, så telefonen kan ikke se, om teamet allerede har dette alias."
      : "Uden PIN har telefonen ikke teamets borgerliste og kan ikke se, om teamet allerede har dette alias." }),
    button));
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => check().catch(() => {}), 250);
  });
  document.addEventListener("gk:unlocked", () => { check().catch(() => {}); });
  return { check, clear: () => box.replaceChildren() };
}
