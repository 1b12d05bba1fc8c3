"""The phone's cryptography in real Chromium: records sealed by WebCrypto open
only on the server; the PIN vault keeps the citizen list unreadable without
the PIN and deletes it after five wrong tries."""
import json
import sqlite3
import subprocess
import sys

from tests.browser.helpers import PASSWORD
from tests.helpers import seal_as_phone
from tests.live import ROOT

SCRIPTS = ["js/idb.js", "js/seal.js", "js/vault.js"]


def load_scripts(page, server):
    page.goto(server.url + "/offline")
    for name in SCRIPTS:
        src = page.evaluate(f"fetch('/static/{name}').then(r => r.text())")
        page.evaluate(src)  # evaluate is not bound by the page's CSP


def login(page, server):
    """Set up a fresh server's first team through the real form; the context is then logged in."""
    req = page.context.request
    html = req.get(server.url + "/setup").text()
    token = html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    req.post(server.url + "/setup", form={"csrf_token": token, "team_name": "Krypto", "name": "Kim",
                                          "username": "kim", "password": PASSWORD, "password_confirm": PASSWORD})
    return req.get(server.url + "/api/session").json()


SEAL = "([r, s]) => gk.seal(r, s.seal_key, {team: s.team.id, device: s.device.id})"


def test_a_record_sealed_in_chromium_opens_on_the_server_only(page, own_server):
    server = own_server.start()
    session = login(page, server)
    load_scripts(page, server)
    record = {"kind": "citizen", "id": "5b0e7d1c-3f7a-4c55-9a11-2f4d6e8a9b10", "alias": "Forseglet-i-Chromium"}
    sealed = page.evaluate(SEAL, [record, session])
    assert "Forseglet" not in json.dumps(sealed)
    assert set(sealed) == {"kind", "v", "id", "team", "device", "kid", "epk", "iv", "ct"}
    assert (sealed["v"], sealed["team"], sealed["device"]) == (2, session["team"]["id"], session["device"]["id"])
    resp = page.context.request.post(server.url + "/api/sync", data={"records": [sealed]},
                                     headers={"X-CSRFToken": session["csrf_token"]})
    assert resp.json()["results"] == [{"id": record["id"], "status": "stored"}]
    citizens = page.context.request.get(server.url + "/api/citizens").json()["citizens"]
    assert "Forseglet-i-Chromium" in [c["alias"] for c in citizens]
    # The same ciphertext under another id does not open (the id is bound in).
    moved = dict(sealed, id="6b0e7d1c-3f7a-4c55-9a11-2f4d6e8a9b10")
    resp = page.context.request.post(server.url + "/api/sync", data={"records": [moved]},
                                     headers={"X-CSRFToken": session["csrf_token"]})
    assert resp.json()["results"][0]["status"] == "refused"


def test_python_and_webcrypto_agree_on_the_format(page, own_server):
    """pwa.sealing.seal (the tests' phone) and the phone's seal.js make the same envelope."""
    server = own_server.start()
    session = login(page, server)
    load_scripts(page, server)
    record = {"kind": "citizen", "id": "7b0e7d1c-3f7a-4c55-9a11-2f4d6e8a9b10", "alias": "x"}
    from_js = page.evaluate(SEAL, [record, session])
    from_py = seal_as_phone(session, record)
    assert set(from_js) == set(from_py) and set(from_js["epk"]) == set(from_py["epk"])
    assert {k: from_js[k] for k in ("v", "id", "team", "device", "kid")} == \
        {k: from_py[k] for k in ("v", "id", "team", "device", "kid")}


def test_seal_js_will_not_seal_without_a_team_and_a_device(page, own_server):
    server = own_server.start()
    session = login(page, server)
    load_scripts(page, server)
    record = {"kind": "citizen", "id": "8b0e7d1c-3f7a-4c55-9a11-2f4d6e8a9b10", "alias": "x"}
    for context in ({}, {"team": session["team"]["id"]}, {"team": "1", "device": session["device"]["id"]}):
        error = page.evaluate("([r, k, c]) => gk.seal(r, k, c).then(() => null, (e) => e.message)",
                              [record, session["seal_key"], context])
        assert error and "team or device" in error


def test_a_blob_sealed_in_chromium_for_one_team_is_refused_in_another(page, own_server, pw):
    """The attack of issue 12, item 2, over HTTP: Team Syd's worker uploads a blob sealed on Team Nord's phone."""
    server = own_server.start()
    session = login(page, server)
    load_scripts(page, server)
    create_team = subprocess.run([sys.executable, "-m", "flask", "--app", "pwa", "create-team", "Team Syd", "ole",
                                  "--name", "Ole", "--password", PASSWORD], cwd=ROOT, env=server._env(),
                                 capture_output=True, text=True, timeout=120)
    assert create_team.returncode == 0, create_team.stderr
    record = {"kind": "citizen", "id": "9b0e7d1c-3f7a-4c55-9a11-2f4d6e8a9b10", "alias": "Nords-borger"}
    blob = page.evaluate(SEAL, [record, session])
    ole = pw.request.new_context(base_url=server.url)
    try:
        html = ole.get("/login").text()
        token = html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        ole.post("/login", form={"csrf_token": token, "username": "ole", "password": PASSWORD})
        his = ole.get("/api/session").json()
        assert his["team"]["name"] == "Team Syd"
        resp = ole.post("/api/sync", data={"records": [blob]}, headers={"X-CSRFToken": his["csrf_token"]})
        [result] = resp.json()["results"]
        assert (result["status"], result["error"]["field"]) == ("refused", "team")
        assert ole.get("/api/citizens").json()["citizens"] == []
    finally:
        ole.dispose()
    # Stored nowhere; the owner's own upload goes through.
    mine = page.context.request.post(server.url + "/api/sync", data={"records": [blob]},
                                     headers={"X-CSRFToken": session["csrf_token"]})
    assert mine.json()["results"] == [{"id": record["id"], "status": "stored"}]
    db = sqlite3.connect(server.instance_dir / "gadekontakt.sqlite")
    try:
        assert db.execute("SELECT c.alias, t.name FROM citizens c JOIN teams t ON t.id = c.team_id").fetchall() == \
            [("Nords-borger", "Krypto")]
    finally:
        db.close()


VAULT_JS = """async ([pin, list]) => {
  await gk.vault.create(pin, {hours: 12});
  await gk.vault.saveList(list);
  const stored = JSON.stringify(await gk.idb.get('kv', 'vault_list')) + JSON.stringify(await gk.idb.get('kv', 'vault'));
  return {stored, read: await gk.vault.readList(), state: await gk.vault.state()};
}"""


def test_vault_keeps_the_list_unreadable_without_the_pin(page, server):
    load_scripts(page, server)
    out = page.evaluate(VAULT_JS, ["482913", [{"id": "a", "alias": "Hemmelig-Alias", "last_band": "high"}]])
    assert out["state"] == "unlocked" and out["read"][0]["alias"] == "Hemmelig-Alias"
    assert "Hemmelig" not in out["stored"] and "482913" not in out["stored"]
    page.evaluate("gk.vault.lock()")
    assert page.evaluate("gk.vault.state()") == "locked"
    assert page.evaluate("gk.vault.readList()") is None
    assert page.evaluate("gk.vault.unlock('482913')") == {"result": "ok", "left": 5}
    assert page.evaluate("gk.vault.readList()")[0]["alias"] == "Hemmelig-Alias"


def test_five_wrong_pins_delete_the_list(page, server):
    load_scripts(page, server)
    page.evaluate(VAULT_JS, ["482913", [{"id": "a", "alias": "Hemmelig-Alias"}]])
    page.evaluate("gk.vault.lock()")
    results = [page.evaluate("gk.vault.unlock('000000')") for _ in range(5)]
    assert [r["result"] for r in results] == ["wrong"] * 4 + ["wiped"]
    assert [r["left"] for r in results[:4]] == [4, 3, 2, 1]
    assert page.evaluate("gk.idb.get('kv', 'vault_list')") is None
    assert page.evaluate("gk.vault.unlock('482913')")["result"] == "wiped"
    assert page.evaluate("gk.vault.state()") == "none"


def test_vault_expires_with_the_shift(page, server):
    load_scripts(page, server)
    page.evaluate(VAULT_JS, ["482913", [{"id": "a", "alias": "x"}]])
    page.evaluate("gk.idb.get('kv','vault').then(v => gk.idb.set('kv','vault', Object.assign(v, {expires_at: Date.now() - 1})))")
    assert page.evaluate("gk.vault.state()") == "none"
    assert page.evaluate("gk.idb.get('kv', 'vault_list')") is None


def test_pin_must_be_six_digits_or_more(page, server):
    load_scripts(page, server)
    assert page.evaluate("['12345', '123456', '12a456', '123456789012', '1234567890123'].map(gk.vault.validPin)") == \
        [False, True, False, True, False]


def test_vault_lifetime_follows_the_operators_policy(page, server):
    load_scripts(page, server)
    page.evaluate("gk.idb.set('kv', 'policy', {lock_minutes: 2, list_hours: 1})")
    left_ms = page.evaluate("gk.vault.create('482913').then(() => gk.idb.get('kv', 'vault')).then(v => v.expires_at - Date.now())")
    assert 3500_000 < left_ms <= 3600_000


def test_the_contact_draft_is_kept_only_in_the_vault_and_goes_with_it(page, server):
    load_scripts(page, server)
    draft = {"values": ["ny", "Hemmelig-Alias", "Hemmelig-Note"], "saved_at": "2026-11-30T12:40:00.000Z"}
    # No PIN, no draft: nothing is written at all.
    assert page.evaluate("d => gk.vault.saveDraft(d)", draft) is False
    assert page.evaluate("gk.idb.get('kv', 'vault_draft')") is None
    page.evaluate(VAULT_JS, ["482913", []])
    assert page.evaluate("d => gk.vault.saveDraft(d)", draft) is True
    stored = json.dumps(page.evaluate("gk.idb.get('kv', 'vault_draft')"))
    assert "Hemmelig" not in stored and "2026-11-30T12:40" in stored   # only when, in clear
    assert page.evaluate("gk.vault.readDraft()") == draft
    # Locked: it is there, and from when, but unreadable.
    page.evaluate("gk.vault.lock()")
    assert page.evaluate("gk.vault.readDraft()") is None
    assert page.evaluate("gk.vault.draftAt()") == draft["saved_at"]
    assert page.evaluate("gk.vault.unlock('482913')")["result"] == "ok"
    assert page.evaluate("gk.vault.readDraft()") == draft
    # Five wrong PINs (or logout, or the shift's end) take it with the list.
    page.evaluate("gk.vault.lock()")
    for _ in range(5):
        page.evaluate("gk.vault.unlock('000000')")
    assert page.evaluate("gk.idb.get('kv', 'vault_draft')") is None
    assert page.evaluate("gk.vault.draftAt()") is None
