// Times as the phone writes them for a worker: "i dag 12:44" or "3.11. 12:44"
// in the phone's own time zone, and the value a datetime-local input takes.
const pad = (n) => String(n).padStart(2, "0");

// `today` goes before the time of a moment from today ("" leaves it bare).
export function clock(iso, today = "i dag ") {
  const t = new Date(iso);
  const hm = `${pad(t.getHours())}:${pad(t.getMinutes())}`;
  return t.toDateString() === new Date().toDateString() ? `${today}${hm}` : `${t.getDate()}.${t.getMonth() + 1}. ${hm}`;
}

export function localInput(d) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
