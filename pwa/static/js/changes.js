// "What the phone keeps has changed": the one signal the pages redraw on (the
// outbox list, the header's sync status, the citizen pickers). It reaches the
// app's other tabs too, and comes from the service worker when its Background
// Sync has uploaded. A plain script on self.gk (see idb.js).
(function (root) {
  "use strict";
  const gk = root.gk || (root.gk = {});
  const events = new EventTarget();
  const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("gk-outbox") : null;
  if (channel) channel.onmessage = () => events.dispatchEvent(new Event("change"));

  function notify() {
    events.dispatchEvent(new Event("change"));
    if (channel) channel.postMessage("change");
  }

  gk.changes = { events, notify };
})(self);
