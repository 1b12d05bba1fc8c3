// How a citizen from the phone's cached team list is shown: in a picker, and
// as the last known risk band with its age ("Sidst: Moderat risiko, for 3
// dage siden"). Shared by the BVC page and the contact log.

// Whole calendar days in the phone's own time zone, as a worker counts them.
export function ageInWords(iso, now = new Date()) {
  if (!iso) return "";
  const then = new Date(iso);
  const day = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((day(now) - day(then)) / 86400000);
  return days <= 0 ? "i dag" : days === 1 ? "i går" : `for ${days} dage siden`;
}

export function citizenLabel(c) {
  const desc = c.description ? ` – ${c.description.length > 40 ? c.description.slice(0, 39) + "…" : c.description}` : "";
  return c.alias + desc + (c.pending ? " (ikke sendt endnu)" : "");
}

// Fill a <select>'s group of citizen options, keeping the current choice.
export function fillCitizenOptions(select, group, citizens) {
  const chosen = select.value;
  group.replaceChildren(...citizens.map((c) => new Option(citizenLabel(c), c.id)));
  if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
}

// Show a citizen's last band (by word, shape and colour) in a .result box.
export function showLastBand(box, citizen, bands, stages) {
  if (!citizen) {
    box.hidden = true;
    return;
  }
  const band = citizen.last_band && bands.find((b) => b.id === citizen.last_band);
  box.className = `result last-band band-${band ? band.id : "none"}`;
  const text = band ? `Sidst: ${band.name}, ${ageInWords(citizen.last_bvc_at)}` : "Ingen risikovurdering endnu";
  box.querySelector("[data-last-text]").textContent = text;
  const stageEl = box.querySelector("[data-last-stage]");
  if (stageEl) {
    const stage = citizen.last_stage && stages && stages[citizen.last_stage];
    stageEl.textContent = stage ? `Seneste stadie: ${stage}` : "";
    stageEl.hidden = !stage;
  }
  box.hidden = false;
}
