// The login and setup forms send this phone's id (device.js), so the team
// can see its phones and shut out a lost one. A login also asks the next
// page to offer the PIN (pin-offer.js), since without one the team's known
// citizens cannot be picked on this phone, and marks the phone as one that
// has been logged in (app.js), so its pages load the phone's data code.
import "./device.js";

for (const input of document.querySelectorAll('input[name="device_id"]')) input.value = self.gk.device.id();
for (const form of document.querySelectorAll("form[data-login]")) {
  form.addEventListener("submit", () => {
    try { sessionStorage.setItem("gk.pinOffer", "1"); } catch { /* then no offer: the form's own button stays */ }
    // The page after a login may come from the service worker's cache, which
    // cannot say who is logged in: mark the phone here (app.js).
    if (self.gk && self.gk.markPhoneUsed) self.gk.markPhoneUsed();
  });
}
