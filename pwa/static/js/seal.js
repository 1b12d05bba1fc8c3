// Sealing a record to the server's public key, on the phone, at save time.
// ECDH P-256 with a fresh key per record, HKDF-SHA-256, AES-256-GCM — the
// mirror of pwa/sealing.py (wire version 2). The additional data binds the
// record's id, the team it was written in and this phone's device id: every
// team seals to the same key, so without them a blob copied from one team's
// phone could be stored in another team. The phone keeps no key that opens
// the result: a stolen phone holds only ciphertext.
// A plain script on self.gk, like idb.js, so the service worker can load it.
(function (root) {
  "use strict";
  const VERSION = 2;
  const INFO = "gadekontakt-seal-v2";
  const enc = new TextEncoder();

  function b64url(bytes) {
    let s = "";
    for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // sealKey: {kid, jwk} as /api/session hands it out; team: the team's id
  // (a number); device: this phone's id as the session knows it.
  async function seal(record, sealKey, { team, device } = {}) {
    if (!sealKey || !sealKey.kid || !sealKey.jwk) throw new Error("no sealing key: log in once with network");
    if (!Number.isInteger(team) || typeof device !== "string" || !device) {
      throw new Error("no team or device id to seal with: log in once with network");
    }
    const server = await crypto.subtle.importKey("jwk", Object.assign({}, sealKey.jwk, { key_ops: [] }),
      { name: "ECDH", namedCurve: "P-256" }, false, []);
    const eph = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
    const shared = await crypto.subtle.deriveBits({ name: "ECDH", public: server }, eph.privateKey, 256);
    const hkdf = await crypto.subtle.importKey("raw", shared, "HKDF", false, ["deriveKey"]);
    const key = await crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: enc.encode(INFO + sealKey.kid) },
      hkdf, { name: "AES-GCM", length: 256 }, false, ["encrypt"]);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: enc.encode(`${record.id}|${team}|${device}`) },
      key, enc.encode(JSON.stringify(record)));
    const epk = await crypto.subtle.exportKey("jwk", eph.publicKey);
    return { kind: "sealed", v: VERSION, id: record.id, team, device, kid: sealKey.kid,
             epk: { kty: "EC", crv: "P-256", x: epk.x, y: epk.y }, iv: b64url(iv), ct: b64url(ct) };
  }

  (root.gk || (root.gk = {})).seal = seal;
})(self);
