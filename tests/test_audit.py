"""The access log: every read and change of a citizen's data is logged, the
database refuses to alter the log, and the citizen's rights (access, erasure)."""
import csv
import io
import json
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from pwa import access_log
from tests.helpers import backdated_log_rows, csrf_from, new_citizen, new_encounter

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
    backdated_log_rows(db, [{"at": "2019-01-01T00:00:00Z", "team_id": 1, "user_id": 1, "citizen_id": "old",
                             "action": "view"}])
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


# --- issue 12, item 7: the citizen filter is checked, joins are scoped, a GET writes no text it was given

@pytest.fixture
def other_teams_citizen(data):
    """Team Syd (Ole) holds a citizen of its own; Anna of Team Nord is logged in."""
    actions, _ = data
    actions.other_team()
    ole = actions.app.test_client()
    assert actions.login("ole", client=ole).status_code == 302
    theirs = new_citizen(alias="Syd-Hemmelig")
    assert actions.sync([theirs], client=ole).json["results"][0]["status"] == "stored"
    return actions, theirs["id"]


@pytest.mark.parametrize("page", ["/admin/access-log", "/admin/access-log.csv"])
def test_another_teams_citizen_is_not_found_and_not_logged(other_teams_citizen, page):
    actions, theirs = other_teams_citizen
    rows = len(log_rows(actions))
    for _ in range(2):  # the second visit showed the alias: the first had logged the id
        resp = actions.client.get(f"{page}?citizen={theirs}")
        assert resp.status_code == 404 and "Syd-Hemmelig" not in resp.get_data(as_text=True)
    assert len(log_rows(actions)) == rows


def test_an_old_row_naming_another_teams_citizen_never_shows_its_alias(other_teams_citizen):
    # Rows the unscoped page wrote before issue 12 may name another team's citizen: the join must not follow them.
    actions, theirs = other_teams_citizen
    db = sqlite3.connect(actions.app.config["DATABASE"])
    with db:
        db.execute("INSERT INTO access_log (team_id, user_id, citizen_id, action) VALUES (1, 1, ?, 'view')", [theirs])
    db.close()
    resp = actions.client.get(f"/admin/access-log?citizen={theirs}")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "Syd-Hemmelig" not in html and "(slettet borger)" in html


@pytest.mark.parametrize("value", ["x" * 100_000, "<script>alert(1)</script>", "' OR 1=1 --", "ikke-et-id"])
def test_text_in_the_citizen_filter_is_refused_and_never_written(data, value):
    actions, _ = data
    rows = len(log_rows(actions))
    resp = actions.client.get("/admin/access-log", query_string={"citizen": value})
    assert resp.status_code == 400 and "citizen:" in resp.get_data(as_text=True)
    assert len(log_rows(actions)) == rows
    assert actions.db().execute("SELECT count(*) FROM access_log WHERE citizen_id = ?", [value]).fetchone()[0] == 0


def test_the_teams_own_citizen_is_logged_by_its_canonical_id_even_after_erasure(data):
    actions, cid = data
    resp = actions.client.get(f"/admin/access-log?citizen={cid.upper()}")
    assert resp.status_code == 200 and ALIAS in resp.get_data(as_text=True)
    assert log_rows(actions)[-1][:2] == (cid, "view_access_log")
    token = csrf_from(actions.client.get(f"/citizens/{cid}").get_data(as_text=True))
    assert actions.client.post(f"/citizens/{cid}/erase", data={"csrf_token": token, "confirm_alias": ALIAS}
                               ).status_code == 302
    resp = actions.client.get(f"/admin/access-log?citizen={cid}")
    assert resp.status_code == 200 and "(slettet borger)" in resp.get_data(as_text=True)


# --- issue 12, item 8: no cell of the CSV starts like a formula

@pytest.mark.parametrize("name", ['=HYPERLINK("https://evil.example","Klik")', "+45 tal", "-2+3", "@SUM(A1)"])
def test_csv_cells_that_start_like_a_formula_are_neutralised(data, name):
    actions, _ = data
    assert actions.add_worker(name=name).status_code == 302
    bo = actions.app.test_client()
    assert actions.login("bo", client=bo).status_code == 302
    assert bo.get("/citizens").status_code == 200  # logs a "list" row under Bo's name
    text = actions.client.get("/admin/access-log.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    names = {r[1] for r in rows[1:]}
    assert "'" + name in names and name not in names
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert text.startswith('"tidspunkt_utc",')  # every cell quoted


@pytest.mark.parametrize("value, cell", [("\t=1+1", "'\t=1+1"), ("\r=1+1", "'\r=1+1"), ("=1", "'=1"), ("Anna", "Anna"),
                                         (None, ""), (7, "7"), ("a=1", "a=1")])
def test_csv_cell_quotes_what_a_spreadsheet_would_run(value, cell):
    # Tab and CR cannot reach a cell through the forms (they trim); the rule holds for them all the same.
    assert access_log.csv_cell(value) == cell


# --- issue 12, item 9: no statement rewrites, backdates or empties the log

def _stamp(delta=timedelta(0)):
    return (datetime.now(timezone.utc) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("sql", [
    "REPLACE INTO access_log (id, team_id, action) VALUES (:id, 1, 'view')",
    "INSERT OR REPLACE INTO access_log (id, team_id, action) VALUES (:id, 1, 'view')",
    "INSERT OR IGNORE INTO access_log (id, team_id, action) VALUES (:id, 1, 'view')",
    "INSERT INTO access_log (id, team_id, action) VALUES (:id, 1, 'view') ON CONFLICT (id) DO UPDATE SET action = 'x'",
    "UPDATE OR REPLACE access_log SET id = :id + 1 WHERE id = :id",
])
def test_no_statement_rewrites_a_log_row(data, sql):
    actions, _ = data
    db = sqlite3.connect(actions.app.config["DATABASE"])
    before = db.execute("SELECT * FROM access_log ORDER BY id").fetchall()
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute(sql, {"id": before[0][0]})
    db.rollback()
    assert db.execute("SELECT * FROM access_log ORDER BY id").fetchall() == before


@pytest.mark.parametrize("at", ["2019-01-01T00:00:00Z", -6, 6, "2099-01-01T00:00:00Z", "2019-01-01 00:00:00", "i går", ""])
def test_a_row_dated_other_than_now_is_refused(data, at):
    # A backdated row could be deleted at once as "past retention": the reviewer's way to erase a trace.
    actions, _ = data
    if isinstance(at, int):  # minutes from now, taken when the test runs
        at = _stamp(timedelta(minutes=at))
    db = sqlite3.connect(actions.app.config["DATABASE"])
    rows = len(log_rows(actions))
    with pytest.raises(sqlite3.IntegrityError, match="stamped with the time they are written"):
        db.execute("INSERT INTO access_log (at, team_id, action) VALUES (?, 1, 'view')", [at])
    db.rollback()
    assert len(log_rows(actions)) == rows


@pytest.mark.parametrize("row_id", [0, -1, -7])
def test_a_row_with_an_id_sqlite_would_not_choose_is_refused(data, row_id):
    actions, _ = data
    db = sqlite3.connect(actions.app.config["DATABASE"])
    with pytest.raises(sqlite3.IntegrityError, match="stamped"):
        db.execute("INSERT INTO access_log (id, team_id, action) VALUES (?, 1, 'view')", [row_id])


def test_rows_stamped_now_or_within_the_tolerance_are_appended(data):
    actions, _ = data
    db = sqlite3.connect(actions.app.config["DATABASE"])
    with db:
        db.execute("INSERT INTO access_log (team_id, action) VALUES (1, 'view')")
        for delta in (-timedelta(minutes=4), timedelta(minutes=4)):
            db.execute("INSERT INTO access_log (at, team_id, action) VALUES (?, 1, 'view')", [_stamp(delta)])
    assert len(log_rows(actions)) == 5


@pytest.mark.parametrize("recorded", ["0", "-3", "1", "abc", ""])
def test_the_database_keeps_twelve_months_whatever_app_meta_says(data, recorded):
    actions, _ = data
    db = sqlite3.connect(actions.app.config["DATABASE"])
    young, old = backdated_log_rows(db, [
        {"at": _stamp(-timedelta(days=330)), "team_id": 1, "action": "view"},
        {"at": _stamp(-timedelta(days=370)), "team_id": 1, "action": "view"}])
    with db:
        db.execute("UPDATE app_meta SET value = ? WHERE key = 'access_log_retention_months'", [recorded])
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM access_log WHERE id = ?", [young])
    db.rollback()
    with db:
        assert db.execute("DELETE FROM access_log WHERE id = ?", [old]).rowcount == 1
