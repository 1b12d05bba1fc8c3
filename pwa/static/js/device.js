// This phone's id, made once and kept, sent with the login form so the team
// can see its phones and shut out a lost one.
const KEY = "gk.device";

export function deviceId() {
  let id = null;
  try { id = localStorage.getItem(KEY); } catch { /* storage blocked */ }
  if (!id) {
    id = crypto.randomUUID();
    try { localStorage.setItem(KEY, id); } catch { /* a new id each time, then */ }
  }
  return id;
}

for (const input of document.querySelectorAll('input[name="device_id"]')) input.value = deviceId();
