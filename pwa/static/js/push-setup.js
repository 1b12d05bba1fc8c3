// "Slå varsler til" on /settings: Web Push, so a missed check-in reaches this
// phone (and the partner's) from the server even when the app is closed.
// Asked only from a tap here, never at a first visit. The permission prompt
// comes first, while the tap still counts as the worker's; then the server's
// key, the browser's subscription, and the server told whom it is for. What
// the page says is the server's word (GET /api/push/subscriptions), not only
// what the browser kept: a logout or a lost-phone report ends it there.

const root = document.getElementById("push-setup");
if (root) {
  const $ = (id) => document.getElementById(id);
  const state = $("push-state");
  const on = $("push-on");
  const off = $("push-off");
  const supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

  const say = (text) => { state.textContent = text; };
  const show = (canTurnOn, canTurnOff) => { on.hidden = !canTurnOn; off.hidden = !canTurnOff; };

  // The application server key arrives base64url; subscribe() wants its bytes.
  function bytes(b64url) {
    const s = atob(b64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (b64url.length % 4)) % 4));
    return Uint8Array.from(s, (c) => c.charCodeAt(0));
  }

  const sameKey = (sub, key) => {
    const had = sub.options && sub.options.applicationServerKey;
    if (!had) return false;
    const a = new Uint8Array(had);
    return a.length === key.length && a.every((v, i) => v === key[i]);
  };

  async function session() {
    const resp = await fetch("/api/session", { credentials: "same-origin" });
    return resp.json();
  }

  // The session first: asked logged out, /api/push/subscriptions would answer 401 (an error in the console).
  async function serverState() {
    if (!(await session()).user) return "logged-out";
    const resp = await fetch("/api/push/subscriptions", { credentials: "same-origin" });
    if (resp.status === 401) return "logged-out";
    return resp.ok ? (await resp.json()).status : "error";
  }

  // A browser that cannot reach its push service may never answer subscribe(); the worker is told, not left waiting.
  function inTime(promise, ms = 20000) {
    return Promise.race([promise, new Promise((_, reject) => setTimeout(
      () => reject(Object.assign(new Error("timeout"), { name: "TimeoutError" })), ms))]);
  }

  async function refresh() {
    if (!supported) {
      say("Denne browser kan ikke modtage varsler fra serveren. Telefonens egen alarm virker, mens timeren er åben.");
      return show(false, false);
    }
    if (Notification.permission === "denied") {
      say("Varsler er blokeret for denne side. Slå dem til under browserens indstillinger for siden, og kom tilbage hertil.");
      return show(false, false);
    }
    if (!navigator.onLine) {
      say("Uden net kan vi ikke se, om varsler er slået til. Prøv igen, når der er forbindelse.");
      return show(false, false);
    }
    try {
      const found = await serverState();
      if (found === "logged-out") {
        say("Log ind først: serveren skal vide, hvis telefon varslet skal til.");
        return show(false, false);
      }
      if (found === "error") throw new Error("server");
      if (found === "stored") {
        say("Varsler er slået til på denne telefon.");
        return show(false, true);
      }
      say("Varsler fra serveren er ikke slået til på denne telefon.");
      return show(true, false);
    } catch {
      say("Kunne ikke spørge serveren. Prøv igen, når der er forbindelse.");
      return show(true, false);
    }
  }

  async function turnOn() {
    on.disabled = true;
    try {
      // First, while the tap counts: some browsers ask only from a tap.
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        say("Varsler er ikke tilladt. Telefonens egen alarm virker stadig, mens timeren er åben.");
        return;
      }
      say("Slår varsler til …");
      const s = await session();
      if (!s.user) {
        say("Log ind først: serveren skal vide, hvis telefon varslet skal til.");
        return;
      }
      const key = bytes((await (await fetch("/api/push/key")).json()).key);
      const reg = await navigator.serviceWorker.ready;
      let sub = await reg.pushManager.getSubscription();
      // Made for another key (a reinstalled server): the push service would refuse our pushes.
      if (sub && !sameKey(sub, key)) {
        await sub.unsubscribe();
        sub = null;
      }
      sub = sub || await inTime(reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }));
      const resp = await fetch("/api/push/subscriptions", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": s.csrf_token },
        body: JSON.stringify(sub.toJSON()),
      });
      if (!resp.ok) {
        const body = await resp.json().catch(() => ({}));
        say(`Serveren tog ikke imod telefonens tilmelding: ${(body.error && body.error.message) || resp.status}.`);
        return;
      }
      await refresh();
      state.textContent += " Du får et varsel, når en tjek-ind er overskredet.";
    } catch (e) {
      say(`Telefonen kunne ikke slå varsler til (${e.name || "fejl"}). Telefonens egen alarm virker stadig, mens timeren er åben.`);
    } finally {
      on.disabled = false;
    }
  }

  async function turnOff() {
    off.disabled = true;
    try {
      const reg = await navigator.serviceWorker.ready;
      const sub = await reg.pushManager.getSubscription();
      if (sub) await sub.unsubscribe();
      const s = await session();
      if (s.user) {
        await fetch("/api/push/subscriptions", {
          method: "DELETE", credentials: "same-origin", headers: { "X-CSRFToken": s.csrf_token },
        });
      }
      await refresh();
    } catch {
      say("Kunne ikke slå varsler fra. Prøv igen, når der er forbindelse.");
    } finally {
      off.disabled = false;
    }
  }

  on.addEventListener("click", turnOn);
  off.addEventListener("click", turnOff);
  addEventListener("online", refresh);
  refresh();
}
