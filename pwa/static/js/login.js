// The login and setup forms send this phone's id (device.js), so the team
// can see its phones and shut out a lost one.
import "./device.js";

for (const input of document.querySelectorAll('input[name="device_id"]')) input.value = self.gk.device.id();
