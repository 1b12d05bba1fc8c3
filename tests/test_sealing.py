"""Sealed records: opened only by the server, uploaded exactly once; key rotation;
a lost phone's outbox held in quarantine until an administrator decides."""
import os
import stat

import pytest

from pwa import sealing
from tests.helpers import csrf_from, new_citizen, new_encounter, seal_as_phone


def seal(actions, record):
    return seal_as_phone(actions.session(), record)


def test_private_key_is_created_at_setup_with_mode_0600(app):
    folder = sealing.Path(app.instance_path) / "keys"
    [pem] = [p for p in folder.glob("*.pem") if p.name != "vapid.pem"]   # vapid.pem is Web Push's (test_push.py)
    assert stat.S_IMODE(os.stat(pem).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700


def test_session_hands_the_public_key_only_after_login(logged_in):
    assert logged_in.app.test_client().get("/api/session").json["seal_key"] is None
    key = logged_in.session()["seal_key"]
    assert key["jwk"]["crv"] == "P-256" and "d" not in key["jwk"]


def test_sealed_records_are_stored_exactly_once(logged_in):
    me = logged_in.session()["user"]["id"]
    citizen = new_citizen(alias="Forseglet")
    sealed = [seal(logged_in, citizen), seal(logged_in, new_encounter([me], citizen["id"], note="Hemmelig"))]
    assert "Forseglet" not in str(sealed) and "Hemmelig" not in str(sealed)
    assert [r["status"] for r in logged_in.sync(sealed).json["results"]] == ["stored", "stored"]
    assert [r["status"] for r in logged_in.sync(sealed).json["results"]] == ["duplicate", "duplicate"]
    assert [r["alias"] for r in logged_in.db().execute("SELECT alias FROM citizens")] == ["Forseglet"]


@pytest.mark.parametrize("tamper, field", [
    (lambda s: dict(s, ct=s["ct"][:-4] + "AAAA"), "ct"),
    (lambda s: dict(s, id="2f1c8a4e-2b7d-4c1e-9a8b-3d2f1e0c9b8a"), "ct"),     # moved to another id
    (lambda s: dict(s, kid="0000000000000000"), "kid"),
    (lambda s: dict(s, kid="../../secret_key"), "kid"),
    (lambda s: dict(s, epk={"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}), "epk"),
    (lambda s: dict(s, iv="short"), "ct"),
])
def test_tampered_sealed_records_are_refused(logged_in, tamper, field):
    sealed = tamper(seal(logged_in, new_citizen()))
    [result] = logged_in.sync([sealed]).json["results"]
    assert result["status"] == "refused" and result["error"]["field"] == field
    assert logged_in.count("citizens") == 0


def test_inner_record_must_carry_the_outer_id(logged_in):
    citizen = new_citizen()
    sealed = seal(logged_in, citizen)
    other = seal(logged_in, dict(citizen, id="3f1c8a4e-2b7d-4c1e-9a8b-3d2f1e0c9b8a"))
    forged = dict(other, id=citizen["id"])  # AAD mismatch as well
    assert logged_in.sync([forged]).json["results"][0]["status"] == "refused"
    assert logged_in.sync([sealed]).json["results"][0]["status"] == "stored"


def test_rotation_keeps_old_keys_able_to_open(logged_in, runner):
    session = logged_in.session()
    old_key = session["seal_key"]
    sealed_under_old = seal_as_phone(session, new_citizen(alias="Gammel"))
    result = runner.invoke(args=["rotate-key"])
    assert result.exit_code == 0 and old_key["kid"] in result.output
    new_key = logged_in.session()["seal_key"]
    assert new_key["kid"] != old_key["kid"]
    assert logged_in.sync([sealed_under_old]).json["results"][0]["status"] == "stored"


DEVICE = "0b8e2c3a-1d4f-4e5a-8b6c-7d8e9f0a1b2c"


@pytest.fixture
def lost_phone(logged_in):
    logged_in.add_worker()
    phone = logged_in.phone("bo", DEVICE)
    session = logged_in.session(phone)
    bo_id = session["user"]["id"]
    citizen = new_citizen(alias="Fra-mistet")
    outbox = [seal_as_phone(session, citizen), seal_as_phone(session, new_encounter([bo_id], citizen["id"]))]
    logged_in.mark_lost(DEVICE)
    return logged_in, phone, outbox


def test_lost_phone_learns_it_is_lost_and_hands_in_its_outbox(lost_phone):
    actions, phone, outbox = lost_phone
    assert phone.get("/api/session", headers={"X-Device-Id": DEVICE}).json["device_lost"] is True
    assert actions.sync(outbox, client=phone).status_code in (400, 401)  # its session is gone
    resp = phone.post("/api/quarantine", json={"records": outbox}, headers={"X-Device-Id": DEVICE})
    assert resp.status_code == 200 and resp.json["wipe"] is True
    assert [r["status"] for r in resp.json["results"]] == ["quarantined", "quarantined"]
    again = phone.post("/api/quarantine", json={"records": outbox}, headers={"X-Device-Id": DEVICE})
    assert again.status_code == 200
    assert actions.count("quarantine") == 2 and actions.count("citizens") == 0


def test_quarantine_only_for_lost_devices_and_only_sealed(lost_phone):
    actions, phone, outbox = lost_phone
    other = "9b8e2c3a-1d4f-4e5a-8b6c-7d8e9f0a1b2c"
    assert phone.post("/api/quarantine", json={"records": outbox}, headers={"X-Device-Id": other}).status_code == 403
    assert phone.post("/api/quarantine", json={"records": outbox}).status_code == 403
    plain = phone.post("/api/quarantine", json={"records": [new_citizen()]}, headers={"X-Device-Id": DEVICE})
    assert plain.json["results"][0]["status"] == "refused"
    # Kept only as a refusal with its reason (tests/test_quarantine.py), never as something to accept.
    rows = actions.db().execute("SELECT status, sealed FROM quarantine").fetchall()
    assert [tuple(r) for r in rows] == [("refused", "")]


@pytest.mark.parametrize("decision, citizens", [("accept", 1), ("discard", 0)])
def test_admin_accepts_or_discards_quarantine(lost_phone, decision, citizens):
    actions, phone, outbox = lost_phone
    phone.post("/api/quarantine", json={"records": outbox}, headers={"X-Device-Id": DEVICE})
    html = actions.client.get("/team").get_data(as_text=True)
    assert "2 poster" in html
    token = csrf_from(html)
    resp = actions.client.post(f"/team/quarantine/{DEVICE}", data={"csrf_token": token, "decision": decision})
    assert resp.status_code == 302
    assert actions.count("citizens") == citizens and actions.count("encounters") == citizens
    undecided = actions.db().execute("SELECT count(*) FROM quarantine WHERE decided_at IS NULL").fetchone()[0]
    assert undecided == 0
    if decision == "accept":
        row = actions.db().execute("SELECT created_by FROM encounters").fetchone()
        assert row[0] == 2  # stored as Bo's, who used the phone
