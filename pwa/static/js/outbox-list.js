// The outbox on /log: each record waiting or refused, by kind and time (the
// record itself is sealed), why the server refused one, "Kassér" for a
// refused record and "Ret" for a contact, the summary in words and "Send nu".
import { outbox, sync } from "./phone-data.js";
import { clock } from "./dates.js";

// The server names a refused record's field; the worker knows it by the form's words.
const FIELD_NAMES = {
  alias: "Alias", description: "Beskrivelse", places: "Faste steder", place: "Sted", note: "Note",
  followup_step: "Næste skridt", followup_date: "Opfølgningsdato", occurred_at: "Tidspunkt",
  worker_ids: "Parret", citizen_id: "Borger", stage: "Stadie", techniques: "Teknikker", bvc: "BVC",
  bvc_total: "BVC", id: "Id", kind: "Type", created_at: "Oprettet",
  // Today's round.
  day: "Dag", stops: "Steder", round_id: "Runde", place_id: "Sted", done_at: "Tidspunkt",
  // Sealed in another team, on another phone, or by an older app (issue 12).
  team: "Team", device: "Telefon", v: "Version",
};

// Today's round (round.js) waits in the same outbox.
const ROUND_KINDS = { round: "Dagens runde", round_tick: "Sted krydset af på runden" };

function entryLine(e) {
  const what = ROUND_KINDS[e.kind] ||
    (e.kind === "citizen" ? "Ny borger" : e.meta && e.meta.amends ? "Rettelse af kontakt" : "Kontakt");
  const when = (e.meta && e.meta.occurred_at) || e.created_at;
  return `${what} · ${clock(when)}`;
}

function button(text, label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "btn btn-secondary btn-small";
  b.textContent = text;
  b.setAttribute("aria-label", label);
  b.addEventListener("click", onClick);
  return b;
}

function small(text) {
  const p = document.createElement("p");
  p.className = "small";
  p.textContent = text;
  return p;
}

// team(): the team logged in now, if any; correct(id, what) starts a correction.
export function outboxList({ team, correct }) {
  const summaryEl = document.getElementById("outbox-summary");
  const listEl = document.getElementById("outbox-list");
  const send = document.getElementById("outbox-send");

  function item(e, corrected) {
    const li = document.createElement("li");
    li.className = `outbox-item is-${e.status}`;
    li.dataset.id = e.id;
    const line = document.createElement("p");
    const tag = document.createElement("strong");
    // A conflict: the server holds another version under the same id (issue 12, item 6).
    tag.textContent = e.status !== "refused" ? "Venter" : e.conflict ? "Konflikt" : "Afvist";
    line.append(tag, ` ${entryLine(e)}`);
    li.append(line);
    if (e.status === "waiting" && team() && e.team !== team()) {
      // Never sent to another team than the one it was written in.
      li.append(small("Lavet i et andet team: sendes, når nogen fra det team logger ind på telefonen."));
    }
    if (e.status === "refused") {
      const why = document.createElement("p");
      const field = e.error && e.error.field ? `${FIELD_NAMES[e.error.field.split(".")[0]] || e.error.field}: ` : "";
      why.textContent = `${field}${(e.error && e.error.message) || "afvist af serveren"}`;
      li.append(why, button("Kassér", `Kassér: ${entryLine(e)}`, async () => {
        if (confirm("Kassér denne post? Den bliver ikke sendt, og den kan ikke hentes tilbage.")) {
          await outbox.discard(e.id);
        }
      }));
    }
    if (corrected.has(e.id)) {
      li.append(small("Rettet: rettelsen sendes lige efter og erstatter den."));
    } else if (e.kind === "encounter") {
      li.append(button("Ret", `Ret: ${entryLine(e)}`, () => correct(e.id, entryLine(e))));
    }
    return li;
  }

  async function render() {
    const [entries, st] = await Promise.all([outbox.list(), sync.status()]);
    const corrected = new Set(entries.filter((e) => e.status === "waiting" && e.meta && e.meta.amends)
      .map((e) => e.meta.amends));
    listEl.replaceChildren(...entries.map((e) => item(e, corrected)));
    const what = [];
    if (st.contacts) what.push(`${st.contacts} ${st.contacts === 1 ? "kontakt" : "kontakter"}`);
    if (st.citizens) what.push(`${st.citizens} ${st.citizens === 1 ? "ny borger" : "nye borgere"}`);
    let summary;
    if (!entries.length) summary = "Intet venter på at blive sendt.";
    else if (!st.records) summary = "";
    else if (st.authNeeded) summary = `${what.join(" og ")} venter. Log ind for at sende.`;
    else summary = `${what.join(" og ")} venter på at blive sendt.`;
    if (st.refused) {
      summary += `${summary ? " " : ""}${st.refused} afvist af serveren – se årsagen nedenfor. ` +
        "En afvist post bliver på telefonen, til du kasserer den.";
    }
    if (st.lastSync) summary += ` Sidst sendt ${clock(st.lastSync)}.`;
    if (summaryEl.textContent !== summary) summaryEl.textContent = summary;
    send.hidden = !st.waiting;
    send.disabled = st.busy;
  }

  send.addEventListener("click", () => document.dispatchEvent(new Event("gk:sync")));
  return { render };
}
