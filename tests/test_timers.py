"""Check-in timers on the server: events from the phone applied exactly ("Jeg er OK" starts the
interval again; only checking out or stopping ends a timer; an older phone's "ok" still ends it),
overdue check-ins on the team page of that team only, the coordinator's e-mail through a real SMTP
server once per missed check-in, bad input refused, and the migration that brought the new rule."""
import email
import random
import re
import socket
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from pwa.kit import PAGES
from pwa.timers import replay
from tests.helpers import assert_matches_spec

PATH = "/api/timers/events"


def iso(moment):
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def ago(minutes):
    return datetime.now(timezone.utc) - timedelta(minutes=minutes)


def event(timer_id, kind, at, **extra):
    return dict({"id": str(uuid.uuid4()), "timer_id": timer_id, "type": kind, "at": iso(at)}, **extra)


def start(at, minutes=15, place="Opgang, Nørregade 12", band="high", timer_id=None):
    return event(timer_id or str(uuid.uuid4()), "start", at, minutes=minutes, place=place, band=band)


def send(actions, events, client=None):
    client = client or actions.client
    token = actions.session(client)["csrf_token"]
    resp = client.post(PATH, json={"events": events}, headers={"X-CSRFToken": token})
    assert_matches_spec(resp, PATH, "post")
    return resp


def timer_row(actions, timer_id):
    db = actions.db()
    try:
        row = db.execute("SELECT status, started_at, due_at, place, band, checked_in_at FROM checkin_timers"
                         " WHERE id = ?", [timer_id]).fetchone()
    finally:
        db.conn.close()
    return row and dict(row)


def timers_snapshot(actions):
    db = actions.db()
    try:
        return [db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("checkin_timers", "checkin_events")]
    finally:
        db.conn.close()


# --- events -------------------------------------------------------------------------

def test_start_then_ok_from_an_older_phone_closes_the_timer(logged_in):
    """Before issue 13 "Jeg er OK" ended the timer on the phone and sent 'ok': it still ends it here."""
    s = start(ago(5))
    resp = send(logged_in, [s])
    assert resp.json["results"] == [{"id": s["id"], "status": "stored"}]
    row = timer_row(logged_in, s["timer_id"])
    assert row["status"] == "running" and row["place"] == "Opgang, Nørregade 12" and row["band"] == "high"
    assert row["due_at"] == iso(datetime.fromisoformat(s["at"].replace("Z", "+00:00")) + timedelta(minutes=15))
    send(logged_in, [event(s["timer_id"], "ok", ago(1))])
    assert timer_row(logged_in, s["timer_id"])["status"] == "ok"


def test_offline_events_replayed_late_out_of_order_and_twice_close_the_right_timer(logged_in):
    """Two timers on one phone: the first extended then OK'd, the second checked out. The phone
    was offline for all of it; its queue arrives shuffled, and the whole queue arrives again."""
    t0 = ago(120)
    a = start(t0, minutes=15)
    a_ext1 = event(a["timer_id"], "extend", t0 + timedelta(minutes=14), minutes=15)   # due 15 -> 30
    a_ext2 = event(a["timer_id"], "extend", t0 + timedelta(minutes=40), minutes=15)   # ran out at 30: 40 + 15 = 55
    a_ok = event(a["timer_id"], "ok", t0 + timedelta(minutes=50))
    a_late = event(a["timer_id"], "extend", t0 + timedelta(minutes=52), minutes=15)   # after OK: changes nothing
    b = start(t0 + timedelta(minutes=60), minutes=30, place="Bænken ved Kirkepladsen", band=None)
    b_out = event(b["timer_id"], "checkout", t0 + timedelta(minutes=75))
    queue = [a, a_ext1, a_ext2, a_ok, a_late, b, b_out]

    # First only the extensions and the check-out reach the server (their starts are lost in a dead zone).
    early = [a_ext2, b_out, a_ext1]
    assert {r["status"] for r in send(logged_in, early).json["results"]} == {"stored"}
    assert timer_row(logged_in, a["timer_id"]) is None and timer_row(logged_in, b["timer_id"]) is None

    shuffled = queue[:]
    random.Random(4).shuffle(shuffled)
    results = send(logged_in, shuffled).json["results"]
    assert {r["id"]: r["status"] for r in results} == {
        e["id"]: ("duplicate" if e in early else "stored") for e in queue}
    again = send(logged_in, list(reversed(queue))).json["results"]
    assert {r["status"] for r in again} == {"duplicate"}

    ra, rb = timer_row(logged_in, a["timer_id"]), timer_row(logged_in, b["timer_id"])
    assert ra["status"] == "ok" and ra["due_at"] == iso(t0 + timedelta(minutes=55))
    assert rb["status"] == "checked_out" and rb["band"] is None and rb["place"] == "Bænken ved Kirkepladsen"
    assert rb["due_at"] == iso(t0 + timedelta(minutes=90))
    assert logged_in.count("checkin_events") == len(queue)


def test_ok_and_extend_in_the_same_instant_leave_the_timer_stopped(logged_in):
    s = start(ago(10))
    at = ago(5)
    send(logged_in, [s, event(s["timer_id"], "ok", at), event(s["timer_id"], "extend", at, minutes=15)])
    assert timer_row(logged_in, s["timer_id"])["status"] == "ok"


def test_a_second_start_for_the_same_timer_is_refused(logged_in):
    s = start(ago(10))
    send(logged_in, [s])
    again = start(ago(9), timer_id=s["timer_id"], minutes=60)
    [result] = send(logged_in, [again]).json["results"]
    assert result["status"] == "refused" and result["error"]["field"] == "timer_id"
    assert timer_row(logged_in, s["timer_id"])["due_at"] == iso(
        datetime.fromisoformat(s["at"].replace("Z", "+00:00")) + timedelta(minutes=15))


GOOD = {"minutes": 15, "place": "Trappen", "band": "high"}


@pytest.mark.parametrize("change, field", [
    ({"id": "123"}, "id"),
    ({"id": None}, "id"),
    ({"timer_id": "abc"}, "timer_id"),
    ({"type": "pause"}, "type"),
    ({"type": None}, "type"),
    ({"at": "i går"}, "at"),
    ({"at": "2026-11-23T10:00:00"}, "at"),
    ({"at": "2099-01-01T10:00:00Z"}, "at"),
    ({"at": 1700000000}, "at"),
    ({"at": "0120-03-08T00:33:09-05:28"}, "at"),
    ({"at": "0001-01-01T00:00:00+05:00"}, "at"),
    ({"minutes": 0}, "minutes"),
    ({"minutes": 721}, "minutes"),
    ({"minutes": "15"}, "minutes"),
    ({"minutes": True}, "minutes"),
    ({"minutes": 15.5}, "minutes"),
    ({"minutes": None}, "minutes"),
    ({"place": "p" * 121}, "place"),
    ({"place": 12}, "place"),
    ({"place": "Hos 010190-1234"}, "place"),
    ({"place": "Trappen \udab0"}, "place"),
    ({"band": "medium"}, "band"),
    ({"citizen": "Kasper"}, "citizen"),
])
def test_a_bad_start_is_refused_naming_the_field_and_changes_nothing(logged_in, change, field):
    send(logged_in, [start(ago(30))])
    before = timers_snapshot(logged_in)
    bad = dict(start(ago(3)), **change)
    [result] = send(logged_in, [bad]).json["results"]
    assert result["status"] == "refused" and result["error"]["field"] == field
    assert timers_snapshot(logged_in) == before


@pytest.mark.parametrize("kind, change, field", [
    ("extend", {}, "minutes"),
    ("ok", {"minutes": 15}, "minutes"),
    ("checkout", {"place": "Trappen"}, "place"),
    ("checkin", {"minutes": 15}, "minutes"),
    ("stop", {"band": "high"}, "band"),
    ("extend", {"minutes": 15, "band": "high"}, "band"),
])
def test_fields_that_belong_to_another_type_are_refused(logged_in, kind, change, field):
    s = start(ago(10))
    send(logged_in, [s])
    before = timers_snapshot(logged_in)
    [result] = send(logged_in, [event(s["timer_id"], kind, ago(1), **change)]).json["results"]
    assert result["status"] == "refused" and result["error"]["field"] == field
    assert timers_snapshot(logged_in) == before


def test_a_refused_event_does_not_stop_the_rest(logged_in):
    s = start(ago(10))
    results = send(logged_in, [dict(start(ago(9)), minutes=0), s, "not an event"]).json["results"]
    assert [r["status"] for r in results] == ["refused", "stored", "refused"]
    assert results[2]["error"]["field"] is None


@pytest.mark.parametrize("body, content_type, status, field", [
    ("{not json", "application/json", 400, "body"),
    ("[]", "application/json", 400, "events"),
    ('{"events": {}}', "application/json", 400, "events"),
    ('{"events": [], "more": 1}', "application/json", 400, "more"),
    ("events=1", "application/x-www-form-urlencoded", 415, None),
    ('{"events": [' + ",".join(["{}"] * 501) + "]}", "application/json", 413, "events"),
])
def test_malformed_request_is_a_4xx_json_error_naming_the_field(logged_in, body, content_type, status, field):
    token = logged_in.session()["csrf_token"]
    before = timers_snapshot(logged_in)
    resp = logged_in.client.post(PATH, data=body, content_type=content_type, headers={"X-CSRFToken": token})
    assert resp.status_code == status and resp.json["error"]["field"] == field
    assert_matches_spec(resp, PATH, "post")
    assert timers_snapshot(logged_in) == before


def test_events_need_login_then_csrf(logged_in, app):
    anonymous = app.test_client()
    resp = anonymous.post(PATH, json={"events": [start(ago(1))]})
    assert resp.status_code == 401
    assert_matches_spec(resp, PATH, "post")
    resp = logged_in.client.post(PATH, json={"events": [start(ago(1))]})
    assert resp.status_code == 400 and resp.json["error"]["field"] == "csrf_token"
    assert logged_in.count("checkin_events") == 0


def test_another_workers_timer_cannot_be_touched(logged_in):
    s = start(ago(20))
    send(logged_in, [s])
    logged_in.add_worker()
    bo = logged_in.app.test_client()
    logged_in.login("bo", client=bo)
    ok = event(s["timer_id"], "ok", ago(1))
    [result] = send(logged_in, [ok], client=bo).json["results"]
    assert result["status"] == "refused" and result["error"]["field"] == "timer_id"
    # Nor can another worker reuse an event id to learn it exists.
    [result] = send(logged_in, [dict(start(ago(1)), id=s["id"])], client=bo).json["results"]
    assert result["status"] == "refused" and result["error"]["field"] == "id"
    assert timer_row(logged_in, s["timer_id"])["status"] == "running"


# --- "Jeg er OK" starts the interval again ------------------------------------------

T = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def at(minutes):
    return iso(T + timedelta(minutes=minutes))


def ev(kind, minute, **extra):
    return dict({"id": str(uuid.uuid4()), "type": kind, "at": at(minute), "minutes": None, "place": "",
                 "band": None}, **extra)


@pytest.mark.parametrize("later, status, due, checked_in", [
    ([], "running", 15, None),
    ([ev("checkin", 10)], "running", 25, 10),                          # the whole interval from the check-in
    ([ev("checkin", 10), ev("checkin", 22)], "running", 37, 22),
    ([ev("checkin", 40)], "running", 55, 40),                          # overdue, then OK: from the tap
    ([ev("extend", 5, minutes=15), ev("checkin", 10)], "running", 25, 10),   # a check-in ends the extra time
    ([ev("checkin", 10), ev("extend", 12, minutes=15)], "running", 40, 10),
    ([ev("checkin", 10), ev("checkout", 20)], "checked_out", 25, 10),
    ([ev("checkin", 10), ev("stop", 20), ev("checkin", 30)], "stopped", 25, 10),   # nothing after an end
    ([ev("ok", 10), ev("checkin", 12)], "ok", 15, None),               # an older phone's OK ended it
    ([ev("stop", 10, id="b"), ev("extend", 10, minutes=15, id="c"), ev("checkin", 10, id="a")],
     "stopped", 40, 10),                                               # one instant: check-in, extend, stop
])
def test_replay_a_checkin_restarts_the_interval_and_only_an_end_ends_it(later, status, due, checked_in):
    state = replay([ev("start", 0, minutes=15, place="Trappen", band="high"), *later])
    assert state["status"] == status and state["due_at"] == at(due)
    assert state["checked_in_at"] == (at(checked_in) if checked_in is not None else None)
    assert state["place"] == "Trappen" and state["band"] == "high" and state["started_at"] == at(0)


def test_checkins_keep_a_timer_running_and_off_the_overdue_list_until_one_is_missed(logged_in):
    s = start(ago(50), minutes=15, place="Opgang, Nørregade 12")
    send(logged_in, [s, event(s["timer_id"], "checkin", ago(38)), event(s["timer_id"], "checkin", ago(24))])
    row = timer_row(logged_in, s["timer_id"])
    assert row["status"] == "running" and row["checked_in_at"] > s["at"]
    # Due 15 minutes after the last check-in, 24 minutes ago: nine minutes overdue.
    section = logged_in.client.get("/team").get_data(as_text=True).split('id="h-overdue"')[1].split("<h2")[0]
    assert "Opgang, Nørregade 12" in section and ("9 min. over tid" in section or "8 min. over tid" in section)
    assert "sidst tjekket ind kl." in section
    send(logged_in, [event(s["timer_id"], "checkin", ago(0))])
    page = logged_in.client.get("/team").get_data(as_text=True)
    assert "Nørregade" not in page and "Ingen overskredne tjek-ind" in page
    assert timer_row(logged_in, s["timer_id"])["status"] == "running"
    send(logged_in, [event(s["timer_id"], "stop", ago(0))])
    assert timer_row(logged_in, s["timer_id"])["status"] == "stopped"


# --- the team page ------------------------------------------------------------------

def test_overdue_check_in_shows_on_the_team_page_of_that_team_only(logged_in):
    late = start(ago(20), minutes=15, place="Opgang, Nørregade 12")       # 5 minutes overdue
    running = start(ago(5), minutes=15, place="Stationen")                 # not yet due
    done = start(ago(40), minutes=15, place="Kirkepladsen")                # overdue, but checked in
    send(logged_in, [late, running, done, event(done["timer_id"], "ok", ago(26))])
    page = logged_in.client.get("/team").get_data(as_text=True)
    section = page.split('id="h-overdue"')[1].split("<h2")[0]
    assert "Anna Admin" in section and "Opgang, Nørregade 12" in section
    assert "5 min. over tid" in section or "4 min. over tid" in section
    assert "Stationen" not in section and "Kirkepladsen" not in section
    assert "Høj risiko" in section

    logged_in.other_team()
    ole = logged_in.app.test_client()
    logged_in.login("ole", client=ole)
    other = ole.get("/team").get_data(as_text=True)
    assert "Overskredne tjek-ind" in other
    assert "Nørregade" not in other and "Anna Admin" not in other
    assert "Ingen overskredne tjek-ind" in other

    # Once the late worker checks in, the team page clears.
    send(logged_in, [event(late["timer_id"], "ok", ago(0))])
    page = logged_in.client.get("/team").get_data(as_text=True)
    assert "Nørregade" not in page and "Ingen overskredne tjek-ind" in page


# --- the coordinator's e-mail through a real SMTP server -------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    """aiosmtpd on a loopback port, keeping every message it receives."""
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
            return "250 OK"

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_overdue_mail_reaches_the_coordinator_once(logged_in, smtp_server, runner, app):
    controller, inbox = smtp_server
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, MAIL_FROM="gadekontakt@example.org",
                      COORDINATOR_EMAIL={"1": "koordinator@nord.example.org", "2": "koordinator@syd.example.org"})
    # Due 15 minutes ago: past the team's 10 minutes (escalate_after) with no check-in.
    late = start(ago(30), place="Opgang, Nørregade 12")
    send(logged_in, [late, start(ago(2), place="Stationen")])
    # Team Syd has its own overdue timer, mailed to its own coordinator.
    logged_in.other_team()
    ole = logged_in.app.test_client()
    logged_in.login("ole", client=ole)
    send(logged_in, [start(ago(30), place="Havnen")], client=ole)

    result = runner.invoke(args=["notify-overdue"])
    assert result.exit_code == 0, result.output
    assert "Sent 2, failed 0." in result.output
    by_rcpt = {tuple(rcpt): msg for rcpt, msg in inbox.messages}
    assert set(by_rcpt) == {("koordinator@nord.example.org",), ("koordinator@syd.example.org",)}
    nord = by_rcpt[("koordinator@nord.example.org",)]
    body = nord.get_payload(decode=True).decode()
    assert "Anna Admin" in nord["Subject"] and "Opgang, Nørregade 12" in body
    assert "Stationen" not in body and "Havnen" not in body
    assert "Havnen" in by_rcpt[("koordinator@syd.example.org",)].get_payload(decode=True).decode()

    # Every minute from cron: no second mail for the same timer.
    assert "Sent 0, failed 0." in runner.invoke(args=["notify-overdue"]).output
    assert len(inbox.messages) == 2


def test_each_missed_checkin_is_mailed_once_with_the_last_checkin(logged_in, smtp_server, runner, app):
    controller, inbox = smtp_server
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, MAIL_FROM="gadekontakt@example.org",
                      COORDINATOR_EMAIL="koordinator@example.org")
    s = start(ago(40), minutes=15, place="Banegårdsparken")         # due 25 minutes ago
    send(logged_in, [s])
    assert "Sent 1," in runner.invoke(args=["notify-overdue"]).output
    assert "Ikke tjekket ind siden starten." in inbox.messages[0][1].get_payload(decode=True).decode()
    assert "Sent 0," in runner.invoke(args=["notify-overdue"]).output
    # The worker checked in (the phone was offline; it arrives now): the next check-in was due
    # 15 minutes after it, 13 minutes ago, and was missed too. That is a new missed check-in.
    checkin = event(s["timer_id"], "checkin", ago(28))
    send(logged_in, [checkin])
    assert "Sent 1," in runner.invoke(args=["notify-overdue"]).output
    second = inbox.messages[1][1].get_payload(decode=True).decode()
    stamp_ = datetime.fromisoformat(checkin["at"].replace("Z", "+00:00")).astimezone(ZoneInfo("Europe/Copenhagen"))
    assert f"Sidst tjekket ind kl. {stamp_:%H.%M}." in second and "Banegårdsparken" in second
    assert "Sent 0," in runner.invoke(args=["notify-overdue"]).output
    # Checked in on time from now on: nothing more to mail.
    send(logged_in, [event(s["timer_id"], "checkin", ago(0))])
    assert "Sent 0," in runner.invoke(args=["notify-overdue"]).output
    assert len(inbox.messages) == 2


def test_a_failed_send_is_retried_on_the_next_run(logged_in, smtp_server, runner, app):
    controller, inbox = smtp_server
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), MAIL_FROM="gadekontakt@example.org",
                      COORDINATOR_EMAIL="koordinator@example.org")
    send(logged_in, [start(ago(30))])
    result = runner.invoke(args=["notify-overdue"])
    assert result.exit_code == 1 and "failed 1" in result.output
    app.config["SMTP_PORT"] = controller.port       # the mail server is back
    assert "Sent 1," in runner.invoke(args=["notify-overdue"]).output
    assert [rcpt for rcpt, _ in inbox.messages] == [["koordinator@example.org"]]


def test_without_smtp_settings_nothing_is_sent(logged_in, runner):
    send(logged_in, [start(ago(20))])
    result = runner.invoke(args=["notify-overdue"])
    assert result.exit_code == 0 and "E-mail is off" in result.output


# --- the pages ------------------------------------------------------------------------

def test_timer_and_settings_pages_are_precached_field_kit_pages(client):
    assert {"/timer", "/settings"} <= set(PAGES)
    sw = client.get("/sw.js").get_data(as_text=True)
    assert '"/timer"' in sw and '"/settings"' in sw
    for path in ("/timer", "/settings"):
        resp = client.get(path)
        assert resp.status_code == 200 and "Log ind" not in resp.get_data(as_text=True)


def test_high_band_shows_one_card_with_the_action_the_roles_and_the_teams_rules(client):
    html = client.get("/bvc?items=forvirring&items=irritabilitet&items=fysiske_trusler").get_data(as_text=True)
    card = html.split('id="risk-card"')[1].split("</section>")[0]
    assert "Deeskalering SKAL igangsættes" in card and "Manualen Bilag 1A" in card
    assert "Taler med borgeren" in card and "Observerer og afgør, om I går" in card and "Manualen 4.3.1" in card
    # The code word and the way out are the team's rules; with no team yet, the defaults, marked so.
    assert "Kodeord for »vi går nu«" in card and "Vejen ud" in card and "Teamets aftaler" in card
    assert "Standard – ikke aftalt i teamet endnu" in card
    assert " hidden" not in re.search(r'<section id="risk-card"[^>]*>', html).group(0)
    # The pair rules are in one place, folded below, and not repeated in the card.
    unrest = "Mærker I begyndende uro i gruppen, taler kun én af jer med borgerne"
    assert html.count(unrest) == 1 and unrest not in card
    low = client.get("/bvc").get_data(as_text=True)
    assert " hidden" in re.search(r'<section id="risk-card"[^>]*>', low).group(0)


def test_bvc_offers_a_timer_whose_length_follows_the_band(client):
    high = client.get("/bvc?items=forvirring&items=irritabilitet&items=fysiske_trusler").get_data(as_text=True)
    assert "Start tjek-ind-timer (15 min)" in high and 'href="/timer?band=high"' in high
    low = client.get("/bvc").get_data(as_text=True)
    assert "Start tjek-ind-timer (60 min)" in low and 'href="/timer?band=low"' in low


# --- the migration -----------------------------------------------------------------

def test_the_migration_keeps_every_timer_and_event_and_what_they_meant(tmp_path):
    """0016 rebuilds both tables (SQLite cannot change a CHECK in place): rows, indexes and the
    old 'ok' survive, the new event types and the 'stopped' status are accepted, nonsense is not."""
    import sqlite3

    from sqlite_utils import Database

    from migrations.migrations import migrations
    db = Database(tmp_path / "old.sqlite")
    migrations.apply(db, stop_before="0016_checkin_restarts_the_interval")
    db.execute("INSERT INTO teams (id, name) VALUES (1, 'Team Nord')")
    db.execute("INSERT INTO users (id, team_id, username, name, password_hash) VALUES (1, 1, 'anna', 'Anna', 'x')")
    old = [("a", "start", at(0), 15), ("b", "ok", at(10), None), ("c", "start", at(20), 30)]
    for eid, kind, when, minutes in old:
        db.execute("INSERT INTO checkin_events (id, timer_id, team_id, user_id, type, at, minutes)"
                   " VALUES (?, ?, 1, 1, ?, ?, ?)", [eid, "t1" if eid != "c" else "t2", kind, when, minutes])
    db.execute("INSERT INTO checkin_timers (id, team_id, user_id, started_at, due_at, status, updated_at)"
               " VALUES ('t1', 1, 1, ?, ?, 'ok', ?)", [at(0), at(15), at(10)])
    db.execute("INSERT INTO checkin_timers (id, team_id, user_id, started_at, due_at, status, updated_at,"
               " notified_at) VALUES ('t2', 1, 1, ?, ?, 'running', ?, ?)", [at(20), at(50), at(20), at(51)])
    db.conn.commit()
    events_before = db.execute("SELECT * FROM checkin_events ORDER BY id").fetchall()
    # Later steps may add columns (0020: the partner); the ones there were keep their values.
    columns = ", ".join(r[1] for r in db.execute("PRAGMA table_info(checkin_events)"))

    migrations.apply(db)
    assert db.execute(f"SELECT {columns} FROM checkin_events ORDER BY id").fetchall() == events_before
    assert db.execute("SELECT id, status, due_at, checked_in_at, notified_at FROM checkin_timers ORDER BY id"
                      ).fetchall() == [("t1", "ok", at(15), None, None), ("t2", "running", at(50), None, at(51))]
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'"
                                        " AND tbl_name LIKE 'checkin_%' AND name NOT LIKE 'sqlite_%'")}
    assert indexes == {"checkin_timers_team_due", "checkin_events_timer"}
    with db.conn:
        db.execute("INSERT INTO checkin_events (id, timer_id, team_id, user_id, type, at)"
                   " VALUES ('d', 't2', 1, 1, 'checkin', ?), ('e', 't2', 1, 1, 'stop', ?)", [at(30), at(40)])
        db.execute("UPDATE checkin_timers SET status = 'stopped', checked_in_at = ? WHERE id = 't2'", [at(30)])
    for bad in ("INSERT INTO checkin_events (id, timer_id, team_id, user_id, type, at) VALUES ('f', 't2', 1, 1,"
                " 'pause', '2026-01-01T00:00:00.000Z')", "UPDATE checkin_timers SET status = 'paused'"):
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(bad)
