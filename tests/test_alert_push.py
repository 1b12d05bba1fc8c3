"""The alarm's escalation and Web Push together (issue 16): `flask notify-overdue`
pushes the pair before it mails the coordinators, and each alert records that it was
pushed. A missed check-in goes to the worker's and the partner's phones (push.py);
help and duress go to the partner named at the timer's start, never to the phone
that raised them (a duress alert must not show on it). The local push service and
the subscriptions are the ones tests/test_push.py uses.
"""
import uuid

import pytest

from tests.helpers import PushKeys, notify, phone_alert, post_alerts, rows, start_timer, subscribe


@pytest.fixture
def pair(logged_in, push_service):
    """Anna and Bo, each with a phone subscribed to pushes."""
    assert logged_in.add_worker().status_code == 302
    bo = logged_in.phone("bo", str(uuid.uuid4()))
    ids = dict(rows(logged_in, "SELECT username, id FROM users"))
    phones = {"anna": PushKeys(push_service, "anna"), "bo": PushKeys(push_service, "bo")}
    assert subscribe(logged_in, logged_in.client, phones["anna"].subscription).status_code == 201
    assert subscribe(logged_in, bo, phones["bo"].subscription).status_code == 201
    return logged_in, ids, phones


def history(actions, alert_kind):
    return [a for (a,) in rows(actions, "SELECT h.action FROM alert_history h JOIN alerts a ON a.id = h.alert_id"
                                        " WHERE a.kind = ? ORDER BY h.id", [alert_kind])]


def test_a_missed_checkin_is_pushed_to_the_pair_and_its_alert_says_so(pair, push_service, runner):
    actions, ids, phones = pair
    start_timer(actions, actions.client, 20, partner_user_id=ids["bo"])
    notify(runner)
    assert len(push_service.to(phones["anna"].path)) == 1 and len(push_service.to(phones["bo"].path)) == 1
    assert history(actions, "overdue") == ["raised", "pushed"]
    assert rows(actions, "SELECT pushed_at IS NOT NULL FROM alerts") == [(1,)]
    notify(runner)   # once: no second push, no second history row
    assert len(push_service.to(phones["bo"].path)) == 1 and history(actions, "overdue") == ["raised", "pushed"]


@pytest.mark.parametrize("kind", ["help", "duress"])
def test_help_and_duress_are_pushed_to_the_partner_only(pair, push_service, runner, kind):
    actions, ids, phones = pair
    start_timer(actions, actions.client, 5, minutes=60, partner_user_id=ids["bo"])   # running, not due
    alert = phone_alert(kind)
    assert post_alerts(actions, [alert]).json["results"][0]["status"] == "stored"
    notify(runner)
    [to_bo] = push_service.to(phones["bo"].path)
    [(alert_id,)] = rows(actions, "SELECT id FROM alerts WHERE kind = ?", [kind])
    assert phones["bo"].decrypt(to_bo) == {"type": kind, "alert": alert_id}
    assert push_service.to(phones["anna"].path) == []        # never the phone that raised it
    assert history(actions, kind)[:2] == ["raised", "pushed"]
    notify(runner)
    assert len(push_service.to(phones["bo"].path)) == 1


def test_without_a_partner_nothing_is_pushed_and_the_next_run_asks_again(pair, push_service, runner):
    actions, ids, phones = pair
    start_timer(actions, actions.client, 5, minutes=60)      # no partner named
    assert post_alerts(actions, [phone_alert("help")]).json["results"][0]["status"] == "stored"
    notify(runner)
    assert push_service.to(phones["anna"].path) == [] and push_service.to(phones["bo"].path) == []
    assert rows(actions, "SELECT pushed_at FROM alerts") == [(None,)]
    assert "pushed" not in history(actions, "help")
