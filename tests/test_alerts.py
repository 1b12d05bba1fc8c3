"""Alerts with an owner (issue 16): a missed check-in opens one alert; the coordinators hear of
it by e-mail (a real SMTP server) and SMS (a local HTTP gateway) once the team's minutes have
passed, each step once, unless someone on the team takes it; a check-in closes it by itself;
"Jeg tager den" and "Luk" on /team, scoped to the team, with CSRF; the history append-only.
The clock is controlled: escalation is asked at exact moments after the due time."""
import base64
import email
import email.policy
import json
import sqlite3
import threading
import uuid
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pwa import overdue
from pwa.db import get_db
from tests.helpers import csrf_from, iso, phone_alert, post_alerts

EVENTS = "/api/timers/events"


def send_events(actions, events, client=None):
    client = client or actions.client
    token = actions.session(client)["csrf_token"]
    resp = client.post(EVENTS, json={"events": events}, headers={"X-CSRFToken": token})
    assert resp.status_code == 200 and all(r["status"] == "stored" for r in resp.json["results"]), resp.json
    return resp


def start_timer(actions, started, minutes=15, place="Opgang, Nørregade 12", client=None):
    """A timer started on the phone at `started`; returns (timer id, due time)."""
    timer_id = str(uuid.uuid4())
    send_events(actions, [{"id": str(uuid.uuid4()), "timer_id": timer_id, "type": "start", "at": iso(started),
                           "minutes": minutes, "place": place, "band": "high"}], client)
    return timer_id, started + timedelta(minutes=minutes)


def run(app, at):
    """One run of `flask notify-overdue` at the moment `at`: (alerts opened, messages sent, failed)."""
    with app.app_context():
        db = get_db()
        opened = overdue.open_overdue_alerts(db, at)
        return (opened, *overdue.escalate(db, at))


def rows(actions, sql, args=()):
    db = actions.db()
    try:
        return [dict(r) for r in db.execute(sql, args).fetchall()]
    finally:
        db.conn.close()


def history(actions, alert_id):
    return [r["action"] for r in rows(actions, "SELECT action FROM alert_history WHERE alert_id = ? ORDER BY id",
                                      [alert_id])]


@pytest.fixture
def inbox():
    """aiosmtpd on a loopback port, keeping every message it receives."""
    from aiosmtpd.controller import Controller

    from tests.live import free_port

    class Inbox:
        messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default)))
            return "250 OK"

    box = Inbox()
    box.messages = []
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture
def gateway():
    """A local SMS gateway answering as GatewayAPI's POST /rest/mtsms does; keeps every request.
    Set `gateway.status` to make it fail."""
    got = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(body)})
            status = server.status
            answer = {"ids": [len(got)], "usage": {}} if status == 200 else {"code": "0x0216", "message": "nope"}
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.status = 200
    server.requests = got
    server.url = f"http://127.0.0.1:{server.server_address[1]}/rest/mtsms"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def escalation(app, logged_in, inbox, gateway):
    """E-mail and SMS both on, to Team Nord's coordinator."""
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=inbox.port, MAIL_FROM="gadekontakt@example.org",
                      COORDINATOR_EMAIL="koordinator@example.org", SMS_GATEWAY_URL=gateway.url,
                      SMS_GATEWAY_KEY="test-token", COORDINATOR_PHONE="+45 87 65 43 21")
    return logged_in


def now():
    return datetime.now(timezone.utc)


# --- escalation with a controlled clock ---------------------------------------------------

def test_a_missed_checkin_opens_one_alert_and_reaches_the_coordinators_once_after_ten_minutes(
        app, escalation, inbox, gateway):
    timer_id, due = start_timer(escalation, now() - timedelta(minutes=20))
    assert run(app, due - timedelta(seconds=1)) == (0, 0, 0)          # not missed yet
    assert run(app, due + timedelta(minutes=1)) == (1, 0, 0)          # missed: an alert, nobody told yet
    assert run(app, due + timedelta(minutes=2)) == (0, 0, 0)          # still the same one alert
    assert run(app, due + timedelta(minutes=9, seconds=59)) == (0, 0, 0)
    assert run(app, due + timedelta(minutes=10)) == (0, 2, 0)         # the team's 10 minutes: e-mail and SMS
    assert run(app, due + timedelta(minutes=11)) == (0, 0, 0)         # each step once
    assert run(app, due + timedelta(minutes=30)) == (0, 0, 0)

    [alert] = rows(escalation, "SELECT * FROM alerts")
    assert (alert["kind"], alert["timer_id"], alert["state"]) == ("overdue", timer_id, "open")
    assert alert["place"] == "Opgang, Nørregade 12" and alert["due_at"] == iso(due)
    assert history(escalation, alert["id"]) == ["raised", "mailed", "texted"]

    [(rcpt, mail)] = inbox.messages
    assert rcpt == ["koordinator@example.org"] and "Anna Admin har ikke tjekket ind" in mail["Subject"]
    assert "Opgang, Nørregade 12" in mail.get_payload(decode=True).decode()
    [req] = gateway.requests
    assert req["path"] == "/rest/mtsms"
    assert req["headers"]["Authorization"] == "Basic " + base64.b64encode(b"test-token:").decode()
    assert req["json"]["recipients"] == [{"msisdn": 4587654321}] and req["json"]["sender"] == "Gadekontakt"
    assert "Anna Admin har ikke tjekket ind" in req["json"]["message"]
    assert "Nørregade 12" in req["json"]["message"]


def test_the_teams_own_minutes_decide_when_the_coordinators_are_told(app, escalation):
    form = {f"tr-{k}": v for k, v in {"code_word": "Kuglepen", "way_out": "Døren", "sms_rule": "Altid",
                                      "checkin_low": "60", "checkin_moderate": "30", "checkin_high": "15",
                                      "score_keep": "120", "escalate_after": "3"}.items()}
    token = csrf_from(escalation.client.get("/team").get_data(as_text=True))
    assert escalation.client.post("/team/rules", data=dict(form, csrf_token=token)).status_code == 302
    assert "Koordinatoren får besked" in escalation.client.get("/team").get_data(as_text=True)
    _, due = start_timer(escalation, now() - timedelta(minutes=20))
    assert run(app, due + timedelta(minutes=2, seconds=59)) == (1, 0, 0)
    assert run(app, due + timedelta(minutes=3)) == (0, 2, 0)


def take(actions, alert_id, client=None):
    client = client or actions.client
    token = csrf_from(client.get("/team").get_data(as_text=True))
    return client.post(f"/team/alerts/{alert_id}/take", data={"csrf_token": token})


def close(actions, alert_id, outcome, client=None):
    client = client or actions.client
    token = csrf_from(client.get("/team").get_data(as_text=True))
    return client.post(f"/team/alerts/{alert_id}/close", data={"csrf_token": token, f"a{alert_id}-outcome": outcome})


def test_taking_the_alert_stops_the_escalation_and_shows_who_owns_it(app, escalation, inbox, gateway):
    _, due = start_timer(escalation, now() - timedelta(minutes=20))
    run(app, due + timedelta(minutes=1))
    [alert] = rows(escalation, "SELECT id FROM alerts")
    page = escalation.client.get("/team").get_data(as_text=True)
    assert "Overskredet tjek-ind: Anna Admin" in page and "Ingen har taget den endnu." in page

    resp = take(escalation, alert["id"])
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/team#alarmer")
    page = escalation.client.get("/team").get_data(as_text=True)
    assert "Taget af Anna Admin" in page and "Jeg tager den" not in page
    assert run(app, due + timedelta(minutes=30)) == (0, 0, 0)
    assert inbox.messages == [] and gateway.requests == []
    # Taken twice: the second is told, and nothing changes.
    assert take(escalation, alert["id"]).status_code == 409
    assert history(escalation, alert["id"]) == ["raised", "taken"]

    assert close(escalation, alert["id"], "Talt med Anna, alt OK").status_code == 302
    [row] = rows(escalation, "SELECT state, closed_by, outcome FROM alerts")
    assert row == {"state": "closed", "closed_by": 1, "outcome": "Talt med Anna, alt OK"}
    assert history(escalation, alert["id"]) == ["raised", "taken", "closed"]
    page = escalation.client.get("/team").get_data(as_text=True)
    assert "Ingen åbne alarmer" in page and "Talt med Anna, alt OK" in page


def test_a_checkin_closes_the_missed_checkins_alert_by_itself(app, escalation, inbox):
    timer_id, due = start_timer(escalation, now() - timedelta(minutes=20))
    run(app, due + timedelta(minutes=1))
    send_events(escalation, [{"id": str(uuid.uuid4()), "timer_id": timer_id, "type": "checkin",
                              "at": iso(due + timedelta(minutes=2))}])
    [alert] = rows(escalation, "SELECT id, state, closed_by, outcome FROM alerts")
    assert (alert["state"], alert["closed_by"]) == ("closed", None)
    assert alert["outcome"] == "Tjekket ind (»Jeg er OK«)."
    assert history(escalation, alert["id"]) == ["raised", "closed"]
    assert run(app, due + timedelta(minutes=12)) == (0, 0, 0) and inbox.messages == []


@pytest.mark.parametrize("outcome, message", [
    ("", "Hvordan endte det: skriv kort, hvordan det endte."),
    ("x" * 201, "Hvordan endte det: højst 200 tegn."),
    ("Borger 010190-1234 var vred", "Ligner et CPR-nummer"),
])
def test_closing_needs_a_one_line_outcome_and_bad_input_changes_nothing(app, escalation, outcome, message):
    _, due = start_timer(escalation, now() - timedelta(minutes=20))
    run(app, due + timedelta(minutes=1))
    [alert] = rows(escalation, "SELECT id FROM alerts")
    resp = close(escalation, alert["id"], outcome)
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    assert rows(escalation, "SELECT state, outcome FROM alerts") == [{"state": "open", "outcome": ""}]
    assert history(escalation, alert["id"]) == ["raised"]


def test_another_teams_alert_does_not_exist_and_every_form_needs_its_token(app, escalation):
    _, due = start_timer(escalation, now() - timedelta(minutes=20), place="Havnen")
    run(app, due + timedelta(minutes=1))
    [alert] = rows(escalation, "SELECT id FROM alerts")
    escalation.other_team()
    ole = app.test_client()
    escalation.login("ole", client=ole)
    assert "Havnen" not in ole.get("/team").get_data(as_text=True)
    assert take(escalation, alert["id"], client=ole).status_code == 404
    assert close(escalation, alert["id"], "Lukket udefra", client=ole).status_code == 404
    assert escalation.client.post(f"/team/alerts/{alert['id']}/take").status_code == 400   # no CSRF token
    assert take(escalation, 9999).status_code == 404
    assert rows(escalation, "SELECT state FROM alerts") == [{"state": "open"}]
    assert history(escalation, alert["id"]) == ["raised"]


def test_the_alert_history_is_append_only(app, escalation):
    _, due = start_timer(escalation, now() - timedelta(minutes=20))
    run(app, due + timedelta(minutes=1))
    db = sqlite3.connect(app.config["DATABASE"])
    try:
        for sql in ("UPDATE alert_history SET action = 'closed'", "DELETE FROM alert_history",
                    "INSERT OR REPLACE INTO alert_history (id, alert_id, at, action) VALUES (1, 1, 'x', 'closed')"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                db.execute(sql)
        assert db.execute("SELECT action FROM alert_history").fetchall() == [("raised",)]
    finally:
        db.close()


def test_a_failed_step_is_tried_again_and_sent_once(app, escalation, inbox, gateway):
    _, due = start_timer(escalation, now() - timedelta(minutes=20))
    gateway.status = 500
    assert run(app, due + timedelta(minutes=10)) == (1, 1, 1)        # mail sent, SMS failed
    assert run(app, due + timedelta(minutes=11)) == (0, 0, 1)
    gateway.status = 200
    assert run(app, due + timedelta(minutes=12)) == (0, 1, 0)
    assert run(app, due + timedelta(minutes=13)) == (0, 0, 0)
    assert len(inbox.messages) == 1 and len(gateway.requests) == 3
    [alert] = rows(escalation, "SELECT id FROM alerts")
    assert history(escalation, alert["id"]) == ["raised", "mailed", "texted"]


def test_without_a_gateway_no_sms_is_sent_and_the_command_says_so(app, logged_in, runner):
    start_timer(logged_in, now() - timedelta(minutes=30))
    result = runner.invoke(args=["notify-overdue"])
    assert result.exit_code == 0, result.output
    assert "Opened 1 alert(s)." in result.output and "SMS is off" in result.output
    assert rows(logged_in, "SELECT kind, state FROM alerts") == [{"kind": "overdue", "state": "open"}]


# --- the phone's help button and duress code: POST /api/alerts ---------------------------------

def test_help_from_the_phone_is_one_alert_shown_to_the_team_and_escalated_at_once(app, escalation, inbox, gateway):
    assert escalation.add_worker().status_code == 302
    help_ = phone_alert("help")
    resp = post_alerts(escalation, [help_])
    assert resp.status_code == 200 and resp.json["results"] == [{"id": help_["id"], "status": "stored"}]
    # Sent again by a phone that never heard the answer: the same alert.
    assert post_alerts(escalation, [help_]).json["results"][0]["status"] == "duplicate"
    [alert] = rows(escalation, "SELECT * FROM alerts")
    assert (alert["kind"], alert["user_id"], alert["place"]) == ("help", 1, "Banegårdsparken")
    assert alert["raised_at"] == help_["at"] and alert["place_at"] == help_["place_at"]
    bo = escalation.phone("bo", str(uuid.uuid4()))
    assert "Hjælp-knappen: Anna Admin" in bo.get("/team").get_data(as_text=True)
    assert run(app, now()) == (0, 2, 0)       # no waiting: help goes to the coordinators now
    assert "har trykket på hjælp-knappen" in inbox.messages[0][1]["Subject"]
    assert "beder om hjælp" in gateway.requests[0]["json"]["message"]


def test_a_duress_alert_is_never_shown_to_the_worker_it_is_about(app, escalation, inbox):
    assert escalation.add_worker().status_code == 302
    duress = phone_alert("duress")
    assert post_alerts(escalation, [duress]).json["results"][0]["status"] == "stored"
    [alert] = rows(escalation, "SELECT id FROM alerts")
    mine = escalation.client.get("/team").get_data(as_text=True)
    assert "Stille alarm" not in mine and "tvangskode" not in mine and "Ingen åbne alarmer" in mine
    assert take(escalation, alert["id"]).status_code == 404           # nor can that worker take or close it
    assert close(escalation, alert["id"], "Alt OK").status_code == 404
    bo = escalation.phone("bo", str(uuid.uuid4()))
    assert "Stille alarm (tvangskode): Anna Admin" in bo.get("/team").get_data(as_text=True)
    assert take(escalation, alert["id"], client=bo).status_code == 302
    run(app, now())
    assert inbox.messages == []            # taken before the minute's run: nothing more to send
    assert history(escalation, alert["id"]) == ["raised", "taken"]


def test_duress_reaches_the_coordinators_with_the_place(app, escalation, inbox, gateway):
    post_alerts(escalation, [phone_alert("duress")])
    assert run(app, now()) == (0, 2, 0)
    mail = inbox.messages[0][1]
    assert mail["Subject"] == "Gadekontakt: STILLE ALARM fra Anna Admin"
    assert "Banegårdsparken" in mail.get_payload(decode=True).decode()
    assert "STILLE ALARM" in gateway.requests[0]["json"]["message"]


@pytest.mark.parametrize("change, field", [
    ({"kind": "overdue"}, "kind"), ({"kind": None}, "kind"), ({"id": "nope"}, "id"), ({"at": "i går"}, "at"),
    ({"place": "x" * 121}, "place"), ({"place": "010190-1234"}, "place"), ({"timer_id": 5}, "timer_id"),
    ({"place_at": "1999-01-01T00:00:00Z"}, "place_at"), ({"where": "park"}, "where"),
])
def test_a_bad_alert_is_refused_naming_the_field_and_stores_nothing(escalation, change, field):
    resp = post_alerts(escalation, [dict(phone_alert(), **change)])
    [result] = resp.json["results"]
    assert resp.status_code == 200 and result["status"] == "refused" and result["error"]["field"] == field
    assert rows(escalation, "SELECT id FROM alerts") == [] and rows(escalation, "SELECT id FROM alert_history") == []


def test_alerts_need_a_login_then_csrf_and_an_id_is_its_senders(app, escalation):
    anonymous = app.test_client()
    resp = anonymous.post("/api/alerts", json={"alerts": [phone_alert()]})
    assert resp.status_code == 401 and resp.json["error"]["status"] == 401
    resp = escalation.client.post("/api/alerts", json={"alerts": [phone_alert()]})
    assert resp.status_code == 400
    used = phone_alert()
    post_alerts(escalation, [used])
    escalation.other_team()
    ole = app.test_client()
    escalation.login("ole", client=ole)
    [result] = post_alerts(escalation, [used], client=ole).json["results"]
    assert result["status"] == "refused" and result["error"]["field"] == "id"
    assert rows(escalation, "SELECT team_id FROM alerts") == [{"team_id": 1}]
