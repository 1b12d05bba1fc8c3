// The makkerscore on /bvc (issue 16): two workers score the same citizen on
// one phone, each without seeing the other's score, then see both.
//
//   solo     – the first scores as always and taps "Skjul og giv videre";
//   partner  – the six items are cleared for the partner; the first score is
//              kept on the phone only (bvc-score.js), never in this page, so
//              neither the screen nor a screen reader can give it away;
//   both     – "Vis begge" shows both, item by item, agree or differ in words
//              and a shape; the higher score is ticked as the pair's result,
//              so the bar, the risk card, the timer and "Gem i kontaktlog"
//              (bvc.js) all follow it without knowing of pairs.
// "Nulstil" (bvc.js) clears the kept score, and with it both.
import { keepPair, loadScore, pairParts } from "./bvc-score.js";

const form = document.getElementById("bvc");
const section = document.getElementById("pair");
if (form && section) {
  const $ = (sel) => section.querySelector(sel);
  const bands = JSON.parse(form.dataset.bands);
  const keepMinutes = Number(form.dataset.scoreKeep);
  const boxes = [...form.querySelectorAll('input[name="items"]')];
  const itemsBox = form.querySelector("fieldset.items");
  const logLink = document.getElementById("bvc-log");
  const said = $("[data-pair-said]");
  // The items' names as the page shows them (from the content file).
  const names = Object.fromEntries(boxes.map((b) => [b.value, b.closest("label").textContent.trim()]));
  const bandOf = (n) => bands.find((b) => b.min <= n && n <= b.max);

  const stateOf = (pair) => (!pair ? "solo" : pair.second ? "both" : "partner");
  const ticked = () => boxes.filter((b) => b.checked).map((b) => b.value);

  // Tick exactly these, and let bvc.js keep and show them as the worker's own change.
  function tick(items) {
    const set = new Set(items);
    for (const b of boxes) b.checked = set.has(b.value);
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function show(pair) {
    const state = stateOf(pair);
    section.dataset.state = state;
    for (const part of section.querySelectorAll("[data-pair-show]")) part.hidden = part.dataset.pairShow !== state;
    itemsBox.hidden = state === "both";
    // Half a pair is no result: nothing to log until both have scored.
    logLink.hidden = state === "partner";
    const list = $("[data-pair-items]");
    list.replaceChildren();
    $("[data-pair-summary]").replaceChildren();
    if (state === "both") showBoth(pair, list);
  }

  function showBoth(pair, list) {
    const first = new Set(pair.first);
    const second = new Set(pair.second);
    let agree = 0;
    for (const id of boxes.map((b) => b.value)) {
      const same = first.has(id) === second.has(id);
      agree += same;
      const li = document.createElement("li");
      li.className = `pair-item ${same ? "pair-agree" : "pair-differ"}`;
      const mark = document.createElement("span");
      mark.className = "pair-mark";
      mark.setAttribute("aria-hidden", "true");
      mark.textContent = same ? "=" : "≠";
      const name = document.createElement("strong");
      name.textContent = names[id];
      const verdict = document.createElement("span");
      verdict.className = "pair-verdict";
      verdict.textContent = same ? `Enige: ${first.has(id) ? "observeret" : "ikke observeret"}`
        : `Uenige: kun observeret i ${first.has(id) ? "1." : "2."} score`;
      li.append(mark, name, verdict);
      list.append(li);
    }
    const { result } = pairParts(pair);
    const total = (items) => `${items.length} – ${bandOf(items.length).name}.`;
    // One fact a line; the spaces between keep them apart for a screen reader too.
    const lines = [`1. score: ${total(pair.first)}`, `2. score: ${total(pair.second)}`,
                   `Enige om ${agree} af ${boxes.length} punkter.`,
                   `Parrets resultat er den højeste: ${result.length} – ${bandOf(result.length).label}.`];
    $("[data-pair-summary]").replaceChildren(...lines.flatMap((text, i) => {
      const line = document.createElement("span");
      line.textContent = text;
      if (i === lines.length - 1) line.className = "pair-result";
      return i ? [" ", line] : [line];
    }));
  }

  $("#pair-hide").addEventListener("click", () => {
    keepPair({ first: ticked(), second: null }, keepMinutes);
    tick([]);
    show(loadScore().pair);
    said.textContent = "Den første score er skjult. Giv telefonen til din makker.";
    boxes[0].focus();
  });

  $("#pair-show").addEventListener("click", () => {
    const kept = loadScore();
    // The first score's keeping time ran out while the partner scored: a score of one again.
    const first = kept && kept.pair ? kept.pair.first : null;
    if (!first) {
      keepPair(null, keepMinutes);
      show(null);
      return;
    }
    const pair = { first, second: ticked() };
    keepPair(pair, keepMinutes);
    tick(pairParts(pair).result);
    show(pair);
    said.textContent = "";
    document.getElementById("pair-both").focus();
  });

  // "Nulstil" (bvc.js clears the kept score first), another tab, a reload: show what is kept.
  form.addEventListener("reset", () => {
    said.textContent = "";
    show(null);
    boxes[0].focus();   // bvc.js tried while the items were hidden
  });
  addEventListener("storage", (e) => {
    if (e.key === null || e.key === "gk.bvc") show((loadScore() || { pair: null }).pair);
  });

  section.hidden = false;
  show((loadScore() || { pair: null }).pair);
}
