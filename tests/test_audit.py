"""The access log: every read and change of a citizen's data is logged, the
database refuses to alter the log, and the citizen's rights (access, erasure)."""
import csv
import io
import json
import sqlite3

import pytest

from tests.helpers import csrf_from, new_citizen, new_encounter

ALIAS, NOTE = "Zorro-Unik", "Hemmelig-Note-42"


@pytest.fixture
def data(logged_in):
    me = logged_in.session()["user"]["id"]
    citizen = new_citizen(alias=ALIAS)
    logged_in.sync([citizen, new_encounter([me], citizen["id"], note=NOTE)])
    return logged_in, citizen["id"]


def log_rows(actions, citizen_id=None):
    sql = "SELECT citizen_id, action, user_id, device_id FROM access_log"
    params = []
    if citizen_id:
        sql, params = sql + " WHERE citizen_id = ?", [citizen_id]
    return actions.db().execute(sql + " ORDER BY id", params).fetchall()


def test_sync_logs_creation_with_user_and_device(data):
    actions, cid = data
    rows = log_rows(actions, cid)
    assert [r[1] for r in rows] == ["create", "create_encounter"]
    assert all(r[2] == 1 and r[3] for r in rows)


def test_update_and_delete_on_the_log_fail_in_sql(data):
    actions, _ = data
    db = sqlite3.connect(actions.app.config["DATABASE"])
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE access_log SET action = 'view'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM access_log")
    db.rollback()
    assert len(log_rows(actions)) == 2


def test_only_entries_past_their_retention_can_be_deleted(data):
    actions, _ = data
    db = sqlite3.connect(actions.app.config["DATABASE"])
    db.execute("INSERT INTO access_log (at, team_id, user_id, citizen_id, action) "
                "VALUES ('2019-01-01T00:00:00Z', 1, 1, 'old', 'view')")
    db.commit()
    assert db.execute("DELETE FROM access_log WHERE citizen_id = 'old'").rowcount == 1
    db.commit()
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("DELETE FROM access_log WHERE action = 'create'")


SAMPLES = {"worker_id": "1", "place_id": "1"}


def _url(rule, cid, device):
    values = {}
    for arg in rule.arguments:
        values[arg] = cid if "citizen" in arg else device if arg == "device_id" else SAMPLES.get(arg, "1")
    url = rule.rule
    for arg, value in values.items():
        url = url.replace(f"<{arg}>", value).replace(f"<int:{arg}>", value)
    return url


def test_every_route_that_reveals_a_citizen_logs_it(app, data):
    """Walk the URL map: any answer that shows the citizen's alias or note must have logged a read."""
    actions, cid = data
    device = actions.db().execute("SELECT id FROM devices").fetchone()[0]
    checked = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        url = _url(rule, cid, device)
        before = len(log_rows(actions, cid))
        body = actions.client.get(url).get_data(as_text=True)
        if ALIAS in body or NOTE in body:
            checked.append(rule.rule)
            assert len(log_rows(actions, cid)) > before, f"{rule.rule} showed citizen data without logging it"
    assert {"/citizens", "/citizens/<citizen_id>", "/api/citizens", "/api/citizens/<citizen_id>",
            "/citizens/<citizen_id>/export"} <= set(checked)


def test_every_write_route_that_changes_a_citizen_logs_it(app, data):
    actions, cid = data
    writes = [r for r in app.url_map.iter_rules() if r.methods & {"POST", "PUT", "PATCH", "DELETE"}]
    assert any(r.rule == "/api/sync" for r in writes)
    new = new_citizen(alias="Ny-Borger")
    actions.sync([new])
    assert [r[1] for r in log_rows(actions, new["id"])] == ["create"]
    token = csrf_from(actions.client.get(f"/citizens/{cid}").get_data(as_text=True))
    actions.client.post(f"/citizens/{cid}/erase", data={"csrf_token": token, "confirm_alias": ALIAS})
    assert log_rows(actions, cid)[-1][1] == "erase"


def test_access_log_per_citizen_and_per_worker_and_csv(data):
    actions, cid = data
    actions.client.get(f"/citizens/{cid}")
    html = actions.client.get(f"/admin/access-log?citizen={cid}").get_data(as_text=True)
    assert "åbnede" in html and ALIAS in html
    before = len(log_rows(actions, cid))
    per_worker = actions.client.get("/admin/access-log?user=1").get_data(as_text=True)
    # The alias, not an id fragment: the administrator may see the team's
    # citizens, and seeing them here is logged like any other read.
    assert "oprettede" in per_worker and ALIAS in per_worker and f"borger {cid[:8]}" not in per_worker
    [seen] = log_rows(actions, cid)[before:]
    assert (seen["citizen_id"], seen["action"], seen["user_id"]) == (cid, "view_access_log", 1)
    resp = actions.client.get(f"/admin/access-log.csv?citizen={cid}")
    assert resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert {r["handling"] for r in rows} >= {"create", "create_encounter", "view"}
    assert all(r["borger_id"] == cid for r in rows)


def test_a_worker_cannot_read_the_access_log(data):
    actions, _ = data
    actions.add_worker()
    bo = actions.app.test_client()
    actions.login("bo", client=bo)
    assert bo.get("/admin/access-log").status_code == 403
    assert bo.get("/admin/access-log.csv").status_code == 403


def test_access_log_is_per_team(data):
    actions, cid = data
    actions.other_team()
    actions.logout()
    actions.login("ole")
    html = actions.client.get("/admin/access-log").get_data(as_text=True)
    assert cid[:8] not in html


def test_export_holds_everything_about_one_citizen(data):
    actions, cid = data
    resp = actions.client.get(f"/citizens/{cid}/export")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    body = json.loads(resp.get_data(as_text=True))
    assert body["citizen"]["alias"] == ALIAS
    assert body["encounters"][0]["note"] == NOTE
    assert [e["action"] for e in body["access_log"]][-1] == "export"


def test_erasure_deletes_the_citizen_and_encounters_and_is_logged(data):
    actions, cid = data
    other = new_citizen(alias="Bliver")
    actions.sync([other])
    token = csrf_from(actions.client.get(f"/citizens/{cid}").get_data(as_text=True))
    wrong = actions.client.post(f"/citizens/{cid}/erase", data={"csrf_token": token, "confirm_alias": "forkert"})
    assert wrong.status_code == 400 and actions.count("citizens") == 2
    resp = actions.client.post(f"/citizens/{cid}/erase", data={"csrf_token": token, "confirm_alias": ALIAS})
    assert resp.status_code == 302
    assert actions.count("citizens") == 1 and actions.count("encounters") == 0
    assert log_rows(actions, cid)[-1][1] == "erase"
    assert actions.client.get(f"/citizens/{cid}").status_code == 404


def test_only_an_admin_exports_or_erases(data):
    actions, cid = data
    actions.add_worker()
    bo = actions.app.test_client()
    actions.login("bo", client=bo)
    assert bo.get(f"/citizens/{cid}/export").status_code == 403
    token = bo.get("/api/session").json["csrf_token"]
    assert bo.post(f"/citizens/{cid}/erase", data={"csrf_token": token, "confirm_alias": ALIAS}).status_code == 403
    assert actions.count("citizens") == 1
