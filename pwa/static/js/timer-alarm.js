// The alarm when a check-in is missed: vibration, a sound and a notification,
// each where the phone allows it. Browsers let a page vibrate or play sound
// only after the user has tapped it, so every tap on a timer page unlocks the
// sound, and the notification (permission asked only from a tap) covers a
// page the worker is not looking at.

const PATTERN = [400, 200, 400, 200, 800];
let audio = null;

function audioContext() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return null;
  if (!audio) audio = new Ctx();
  return audio;
}

// Called from tap handlers: a context created or resumed inside a tap may play later.
export function unlockSound() {
  const ctx = audioContext();
  if (ctx && ctx.state === "suspended") ctx.resume().catch(() => {});
}

function beep(ctx, at, freq) {
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = "square";
  osc.frequency.value = freq;
  gain.gain.setValueAtTime(0.0001, at);
  gain.gain.exponentialRampToValueAtTime(0.5, at + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.35);
  osc.connect(gain).connect(ctx.destination);
  osc.start(at);
  osc.stop(at + 0.4);
}

function sound() {
  if (!navigator.userActivation || !navigator.userActivation.hasBeenActive) return false;
  const ctx = audioContext();
  if (!ctx) return false;
  if (ctx.state === "suspended") ctx.resume().catch(() => {});
  const t = ctx.currentTime + 0.05;
  [880, 660, 880, 660].forEach((f, i) => beep(ctx, t + i * 0.45, f));
  return true;
}

function vibrate() {
  // Without a tap on the page first, Chrome blocks vibrate() and says so in the console.
  if (!("vibrate" in navigator) || !navigator.userActivation || !navigator.userActivation.hasBeenActive) return false;
  return navigator.vibrate(PATTERN);
}

export function canNotify() {
  return "Notification" in window && "serviceWorker" in navigator;
}

export function notificationPermission() {
  return canNotify() ? Notification.permission : "unsupported";
}

// Only ever called from a tap handler.
export async function askNotificationPermission() {
  if (!canNotify()) return "unsupported";
  try {
    return await Notification.requestPermission();
  } catch {
    return Notification.permission;
  }
}

async function notify(title, body) {
  if (notificationPermission() !== "granted") return false;
  try {
    const reg = await navigator.serviceWorker.getRegistration("/");
    if (!reg) return false;
    await reg.showNotification(title, {
      body, tag: "gk-checkin", renotify: true, requireInteraction: true, vibrate: PATTERN,
      data: { url: "/timer" }, lang: "da",
    });
    return true;
  } catch {
    return false;
  }
}

export function ring({ title, body, quiet = false }) {
  if (!quiet) {
    vibrate();
    sound();
  }
  return notify(title, body);
}

export async function clearNotification() {
  try {
    const reg = canNotify() && await navigator.serviceWorker.getRegistration("/");
    if (reg) for (const n of await reg.getNotifications({ tag: "gk-checkin" })) n.close();
  } catch { /* nothing to clear */ }
}
