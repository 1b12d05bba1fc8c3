// A link to a card or a checklist step (from the search, or sent by a
// colleague) lands on it opened: every <details> that is or holds the
// fragment's target opens, and the target scrolls into view.
function openTarget() {
  let id;
  try { id = decodeURIComponent(location.hash.slice(1)); } catch { return; }
  const target = id && document.getElementById(id);
  if (!target) return;
  for (let el = target; el; el = el.parentElement) {
    if (el.tagName === "DETAILS") el.open = true;
  }
  target.scrollIntoView({ block: "start" });
}

addEventListener("hashchange", openTarget);
openTarget();
