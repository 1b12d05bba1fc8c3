"""Issue 12, item 3: a lost phone's hand-in is checked at the door, capped, and
decided by an administrator who sees what each record is.

Whoever holds a lost phone has its device id, its team id and the server's
public key, so they can seal invented citizens and contacts exactly as the
phone would (seal_as_phone). Before, the administrator saw only a count and
accepted everything as the worker's own; one malformed record made "accept"
fail with a 500 for the whole phone; 2,000 records of ~2 MB were taken.
"""
import json
from datetime import datetime, timedelta, timezone

import pytest

from pwa import rules
from tests.helpers import csrf_from, new_citizen, new_encounter, seal_as_phone

DEVICE = "0b8e2c3a-1d4f-4e5a-8b6c-7d8e9f0a1b2c"


def stamp(delta):
    return (datetime.now(timezone.utc) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


BEFORE, AFTER = timedelta(hours=-3), timedelta(minutes=5)


class LostPhone:
    """Bo's phone in Team Nord, reported lost by Anna (the administrator, logged in on `actions`)."""

    def __init__(self, actions):
        self.actions = actions
        actions.add_worker()
        self.client = actions.phone("bo", DEVICE)
        self.session = actions.session(self.client)
        self.bo = self.session["user"]["id"]
        assert actions.mark_lost(DEVICE).status_code == 302

    def seal(self, record):
        return seal_as_phone(self.session, record)

    def hand_in(self, records):
        resp = self.client.post("/api/quarantine", json={"records": records}, headers={"X-Device-Id": DEVICE})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return [(r["status"], (r.get("error") or {}).get("field")) for r in resp.json["results"]]

    def review(self):
        return self.actions.client.get(f"/team/quarantine/{DEVICE}")

    def rows(self):
        return self.actions.db().execute("SELECT * FROM quarantine ORDER BY id").fetchall()

    def decide(self, decision, row_id=None):
        token = csrf_from(self.review().get_data(as_text=True))
        url = f"/team/quarantine/{DEVICE}" + (f"/{row_id}" if row_id else "")
        return self.actions.client.post(url, data={"csrf_token": token, "decision": decision})


@pytest.fixture
def lost(logged_in):
    return LostPhone(logged_in)


def genuine_and_forged(lost):
    """What Bo wrote before the loss, and what the finder invented after it."""
    mine = new_citizen(alias="Lone", created_at=stamp(BEFORE))
    forged = new_citizen(alias="Opdigtet", created_at=stamp(AFTER))
    return [mine, new_encounter([lost.bo], mine["id"], note="Skrevet af Bo før tabet", created_at=stamp(BEFORE)),
            forged, new_encounter([lost.bo], forged["id"], note="x" * 321, created_at=stamp(AFTER))]


def test_the_administrator_sees_what_each_record_is_before_anything_is_stored(lost):
    records = genuine_and_forged(lost)
    assert lost.hand_in([lost.seal(r) for r in records]) == [("quarantined", None)] * 4
    team = lost.actions.client.get("/team").get_data(as_text=True)
    assert "4 poster" in team and "2 oprettet, efter telefonen blev meldt mistet" in team
    page = lost.review().get_data(as_text=True)
    items = page.split('<li class="person')[1:]
    assert len(items) == 4
    assert "Ny borger" in items[0] and "Lone" in items[0] and "Oprettet, før telefonen blev meldt mistet" in items[0]
    assert "Kontakt" in items[1] and "Lone" in items[1] and "note på 23 tegn" in items[1]
    assert "Opdigtet" in items[2] and "⚠ Oprettet, efter telefonen blev meldt mistet" in items[2]
    assert "note på 321 tegn" in items[3] and "⚠" in items[3]
    assert "Skrevet af Bo" not in page          # the length of a note, never the note
    assert lost.actions.count("citizens") == 0 and lost.actions.count("encounters") == 0
    # Seeing the aliases is itself logged.
    logged = lost.actions.db().execute("SELECT citizen_id, user_id FROM access_log "
                                       "WHERE action = 'review_quarantine' ORDER BY citizen_id").fetchall()
    assert sorted(r[0] for r in logged) == sorted([records[0]["id"], records[2]["id"]])


def test_record_by_record_the_genuine_are_kept_with_their_provenance_and_the_forged_discarded(lost):
    records = genuine_and_forged(lost)
    lost.hand_in([lost.seal(r) for r in records])
    ids = [r["id"] for r in lost.rows()]
    for row_id, decision in zip(ids, ["accept", "accept", "discard", "discard"]):
        assert lost.decide(decision, row_id).status_code == 302
    db = lost.actions.db()
    assert [tuple(r) for r in db.execute("SELECT alias, created_by FROM citizens")] == [("Lone", lost.bo)]
    assert [r[0] for r in db.execute("SELECT note FROM encounters")] == ["Skrevet af Bo før tabet"]
    rows = lost.rows()
    assert [r["decision"] for r in rows] == ["accept", "accept", "discard", "discard"]
    assert all(r["sealed"] == "" and r["alias"] is None and r["decided_by"] == 1 for r in rows)
    # The access log names the administrator who accepted, and where the records came from.
    log = db.execute("SELECT action, user_id, detail FROM access_log WHERE action LIKE 'create%' ORDER BY id").fetchall()
    assert [r["action"] for r in log] == ["create", "create_encounter"]
    assert all(r["user_id"] == 1 and f"afleveret fra mistet telefon {DEVICE[:8]}" in r["detail"] for r in log)
    assert "Intet venter" in lost.review().get_data(as_text=True)


def test_all_at_once_stores_each_record_on_its_own(lost):
    citizen = new_citizen(alias="Lone")
    encounter = new_encounter([lost.bo], citizen["id"])
    lost.hand_in([lost.seal(citizen), lost.seal(encounter)])
    # Discarding the citizen first leaves its contact unable to be stored: it stays, with the reason.
    citizen_row = lost.rows()[0]["id"]
    lost.decide("discard", citizen_row)
    other = new_citizen(alias="Mads")
    lost.hand_in([lost.seal(other)])
    resp = lost.decide("accept")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/team/quarantine/{DEVICE}")
    assert [r[0] for r in lost.actions.db().execute("SELECT alias FROM citizens")] == ["Mads"]
    page = lost.actions.client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "1 post gemt. 1 kunne ikke gemmes" in page and "Kunne ikke gemmes: ukendt borger i dit team" in page


BAD = {
    "plain": lambda lost: new_citizen(),
    "tampered": lambda lost: dict(lost.seal(new_citizen()), ct="A" * 40),
    "cpr_in_note": lambda lost: lost.seal(new_encounter([lost.bo], note="Født 010190-1234")),
    "unknown_worker": lambda lost: lost.seal(new_encounter([99])),
    "object_in_techniques": lambda lost: lost.seal(new_encounter([lost.bo], techniques=[{}])),
    "too_big": lambda lost: dict(lost.seal(new_citizen()), pad="x" * rules.MAX_SEALED_BYTES),
}
FIELDS = {"plain": "kind", "tampered": "ct", "cpr_in_note": "note", "unknown_worker": "worker_ids",
          "object_in_techniques": "techniques", "too_big": "ct"}


@pytest.mark.parametrize("bad", BAD)
def test_what_fails_at_the_door_is_refused_with_its_reason_kept_and_blocks_nothing(lost, bad):
    citizen = new_citizen(alias="Lone")
    results = lost.hand_in([lost.seal(citizen), BAD[bad](lost)])
    assert results == [("quarantined", None), ("refused", FIELDS[bad])]
    held, refused = lost.rows()
    assert refused["status"] == "refused" and refused["sealed"] == ""
    assert json.loads(refused["result"])["error"]["field"] == FIELDS[bad]
    assert "Afvist ved afleveringen" in lost.review().get_data(as_text=True)
    # "Gem alle" stores the good one and leaves the refusal to be dismissed; nothing is a 500.
    assert lost.decide("accept").status_code == 302
    assert [r[0] for r in lost.actions.db().execute("SELECT alias FROM citizens")] == ["Lone"]
    assert lost.decide("discard", refused["id"]).status_code == 302
    assert all(r["decided_at"] for r in lost.rows())


def test_a_record_with_no_id_to_keep_a_reason_under_is_only_answered(lost):
    assert lost.hand_in([{"kind": "sealed"}, 7, {"id": "nope"}]) == [("refused", "id")] * 3
    assert lost.rows() == []


def test_the_count_cap_holds_across_hand_ins(lost, monkeypatch):
    monkeypatch.setattr(rules, "MAX_QUARANTINED", 3)
    assert lost.hand_in([lost.seal(new_citizen()) for _ in range(2)]) == [("quarantined", None)] * 2
    # A refusal counts too: each one cost a check.
    assert lost.hand_in([new_citizen(), lost.seal(new_citizen())]) == [("refused", "kind"), ("refused", "records")]
    assert len(lost.rows()) == 3


def test_the_byte_cap_holds_across_hand_ins(lost, monkeypatch):
    one = len(json.dumps(lost.seal(new_citizen())))
    monkeypatch.setattr(rules, "MAX_QUARANTINED_BYTES", int(one * 2.5))
    assert lost.hand_in([lost.seal(new_citizen()) for _ in range(2)]) == [("quarantined", None)] * 2
    assert lost.hand_in([lost.seal(new_citizen())]) == [("refused", "records")]


@pytest.mark.parametrize("wide", ["\U0001F600", "\x01"], ids=["four_bytes", "escaped_in_json"])
def test_the_caps_refuse_no_valid_record(lost, wide):
    """The longest record a phone can make, in its widest characters, still fits the per-record cap."""
    citizen = new_citizen(alias=wide * rules.LIMITS["alias"], description=wide * rules.LIMITS["description"],
                          places=wide * rules.LIMITS["places"])
    encounter = new_encounter([lost.bo], citizen["id"], place=wide * rules.LIMITS["place"],
                              note=wide * rules.LIMITS["note"], followup_step=wide * rules.LIMITS["followup_step"])
    sealed = [lost.seal(citizen), lost.seal(encounter)]
    assert max(len(json.dumps(s)) for s in sealed) < rules.MAX_SEALED_BYTES
    assert lost.hand_in(sealed) == [("quarantined", None)] * 2


def test_the_same_record_handed_in_twice_is_held_once_and_another_version_is_refused(lost):
    citizen = new_citizen(alias="Lone")
    assert lost.hand_in([lost.seal(citizen)]) == [("quarantined", None)]
    assert lost.hand_in([lost.seal(citizen)]) == [("quarantined", None)]
    assert lost.hand_in([lost.seal(dict(citizen, alias="Lone 2"))]) == [("refused", "id")]
    assert [r["status"] for r in lost.rows()] == ["held"]


def test_a_record_the_server_already_has_is_not_held_again(lost):
    """Uploaded before the loss, its answer lost on the way: the hand-in is a duplicate, nothing to decide."""
    citizen = new_citizen()
    lost.actions.sync([citizen])
    assert lost.hand_in([lost.seal(citizen)]) == [("duplicate", None)]
    assert lost.rows() == []


def test_another_team_neither_sees_nor_decides(lost):
    lost.hand_in([lost.seal(new_citizen(alias="Lone"))])
    lost.actions.other_team()
    ole = lost.actions.app.test_client()
    lost.actions.login("ole", client=ole)
    assert ole.get(f"/team/quarantine/{DEVICE}").status_code == 404
    token = csrf_from(ole.get("/team").get_data(as_text=True))
    assert ole.post(f"/team/quarantine/{DEVICE}", data={"csrf_token": token, "decision": "accept"}).status_code == 404
    assert [r["status"] for r in lost.rows()] == ["held"] and lost.actions.count("citizens") == 0


def test_a_worker_who_is_not_an_administrator_cannot_review(lost):
    lost.hand_in([lost.seal(new_citizen(alias="Lone"))])
    lost.actions.add_worker(name="Cai", username="cai")
    cai = lost.actions.app.test_client()
    lost.actions.login("cai", client=cai)
    assert cai.get(f"/team/quarantine/{DEVICE}").status_code == 403
