"""`flask retention`: removes exactly what is past its period, in one transaction, and keeps the rest.

Cut-offs are computed here with Python's calendar, independently of the SQLite
arithmetic the command uses, and rows sit a minute or two on either side.
"""
import re
from datetime import datetime, timedelta, timezone

import pytest

from pwa import create_app
from tests.helpers import backdated_log_rows, new_citizen, new_encounter

FMT = "%Y-%m-%dT%H:%M:%SZ"
KEPT_BY_RETENTION = ("citizens", "encounters", "access_log")


def years_ago(n):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    try:
        return now.replace(year=now.year - n)
    except ValueError:  # 29 February: SQLite rolls over to 1 March, and so do we
        return now.replace(year=now.year - n, month=3, day=1)


def stamp(moment):
    return moment.strftime(FMT)


def tables(actions):
    db = actions.db()
    try:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(map(tuple, db.execute(f"SELECT * FROM {t}")), key=repr) for t in names}
    finally:
        db.conn.close()


def ids(actions, table):
    db = actions.db()
    try:
        return {r[0] for r in db.execute(f"SELECT id FROM {table}")}
    finally:
        db.conn.close()


@pytest.fixture
def history(logged_in):
    """Rows on both sides of the 24-month and 36-month cut-offs; returns what must go and what must stay."""
    uid = logged_in.session()["user"]["id"]
    cut, log_cut = years_ago(2), years_ago(3)
    minute = timedelta(minutes=1)
    gone_citizen = new_citizen(alias="Gammel", created_at=stamp(cut - 400 * minute))
    never_met_old = new_citizen(alias="Aldrig mødt", created_at=stamp(cut - 2 * minute))
    never_met_new = new_citizen(alias="Ny", created_at=stamp(cut + 2 * minute))
    long_known = new_citizen(alias="Kendt længe", created_at=stamp(cut - 3 * 365 * 24 * 60 * minute))
    old = [new_encounter([uid], gone_citizen["id"], occurred_at=stamp(cut - minute)),
           new_encounter([uid], long_known["id"], occurred_at=stamp(cut - 10 * 24 * 60 * minute)),
           new_encounter([uid], None, occurred_at=stamp(cut - minute))]
    recent = [new_encounter([uid], long_known["id"], occurred_at=stamp(cut + 2 * minute)),
              new_encounter([uid], None, occurred_at=stamp(cut + 2 * minute))]
    resp = logged_in.sync([gone_citizen, never_met_old, never_met_new, long_known] + old + recent)
    assert {r["status"] for r in resp.json["results"]} == {"stored"}
    db = logged_in.db()
    team_id = db.execute("SELECT team_id FROM users WHERE id = ?", [uid]).fetchone()[0]
    names = ("old", "inside", "new")
    log = dict(zip(names, backdated_log_rows(db.conn, [
        {"at": stamp(at), "team_id": team_id, "user_id": uid, "action": f"test-{name}"}
        for name, at in zip(names, (log_cut - minute, log_cut + 2 * minute, cut - minute))])))
    db.conn.close()
    return {"cut": cut, "log_cut": log_cut, "log": log,
            "gone_citizens": {gone_citizen["id"], never_met_old["id"]},
            "logged_citizens": (gone_citizen["id"], long_known["id"]),
            "kept_citizens": {never_met_new["id"], long_known["id"]},
            "gone_encounters": {e["id"] for e in old}, "kept_encounters": {e["id"] for e in recent}}


def test_retention_removes_what_is_past_its_period_and_keeps_the_rest(logged_in, runner, history):
    before = tables(logged_in)
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert ids(logged_in, "citizens") == history["kept_citizens"]
    assert ids(logged_in, "encounters") == history["kept_encounters"]
    after = tables(logged_in)
    logged_before = {r[0] for r in before["access_log"]}
    new_rows = [r for r in after["access_log"] if r[0] not in logged_before]
    assert {r[0] for r in after["access_log"]} - {r[0] for r in new_rows} == logged_before - {history["log"]["old"]}
    # Each deletion is in the access log, per citizen, with no user or device: the rule did it.
    details = {}
    for _id, _at, _team, user_id, device_id, citizen_id, action, detail in new_rows:
        assert (user_id, device_id, action) == (None, None, "retention")
        details.setdefault(citizen_id, []).append(detail.split(" ")[0])  # "1" (contacts) or "borgeren,"
    gone_with_contact, long_known = history["logged_citizens"]
    never_met_old = (history["gone_citizens"] - {gone_with_contact}).pop()
    assert {c: sorted(d) for c, d in details.items()} == {
        gone_with_contact: ["1", "borgeren,"], long_known: ["1"], never_met_old: ["borgeren,"]}
    page = logged_in.client.get("/admin/access-log").get_data(as_text=True)
    assert "Opbevaringsreglen slettede (opbevaringsperioden udløb) data om" in page
    for table in set(before) - set(KEPT_BY_RETENTION):
        assert after[table] == before[table], table
    # It says what it removed, and the cut-offs it used (within the seconds the test took).
    assert re.search(r"^encounters: removed 3 \(occurred before (\S+), 24 months\)$", result.output, re.M)
    assert re.search(r"^citizens: removed 2 \(no contact since \S+, 24 months\)$", result.output, re.M)
    assert re.search(r"^access_log: removed 1 \(logged before \S+, 36 months\)$", result.output, re.M)
    for label, expected in (("occurred before", history["cut"]), ("logged before", history["log_cut"])):
        shown = datetime.strptime(re.search(label + r" (\S+),", result.output).group(1), FMT)
        assert timedelta(0) <= shown.replace(tzinfo=timezone.utc) - expected < timedelta(minutes=1)
    # A second run finds nothing more.
    again = runner.invoke(args=["retention"])
    assert again.exit_code == 0 and again.output.count("removed 0") == 5


def test_dry_run_reports_the_same_and_changes_nothing(logged_in, runner, history):
    before = tables(logged_in)
    result = runner.invoke(args=["retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "encounters: would remove 3 " in result.output
    assert "citizens: would remove 2 " in result.output
    assert "access_log: would remove 1 " in result.output
    assert "Dry run: nothing was removed." in result.output
    assert tables(logged_in) == before


def test_periods_come_from_config(app, logged_in, runner, history):
    app.config.update(RETENTION_MONTHS=120, ACCESS_LOG_RETENTION_MONTHS=120)
    before = tables(logged_in)
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert result.output.count("removed 0") == 5 and "120 months" in result.output
    assert tables(logged_in) == before


def test_a_failure_removes_nothing(logged_in, runner, history):
    # Something still pointing at an expired citizen makes the citizens' delete fail;
    # the encounters deleted earlier in the same run must come back.
    db = logged_in.db()
    with db.conn:
        db.execute("CREATE TABLE hold (citizen_id TEXT REFERENCES citizens(id))")
        db.execute("INSERT INTO hold VALUES (?)", [sorted(history["gone_citizens"])[0]])
    db.conn.close()
    before = tables(logged_in)
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 1
    assert "Nothing removed: FOREIGN KEY constraint failed" in result.output
    assert tables(logged_in) == before


def test_a_log_period_shorter_than_the_database_allows_removes_nothing(app, logged_in, runner, history):
    # Migration 0003 always creates the delete trigger; were it missing, this must fail, not skip.
    app.config["ACCESS_LOG_RETENTION_MONTHS"] = 12  # the trigger keeps 36 unless app_meta says otherwise
    before = tables(logged_in)
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 1
    assert "Nothing removed: access_log is append-only" in result.output
    assert tables(logged_in) == before


@pytest.mark.parametrize("key, value", [("RETENTION_MONTHS", v) for v in (0, -1, "24", 2.5, True)] +
                         [("ACCESS_LOG_RETENTION_MONTHS", v) for v in (0, -1, 11, "36", True)])
def test_a_bad_period_is_refused(app, logged_in, runner, history, key, value):
    # ACCESS_LOG_RETENTION_MONTHS=0 once deleted the whole log (issue 12, item 9): at least twelve months.
    app.config[key] = value
    before = tables(logged_in)
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 2
    assert f"{key} must be a whole number of months, at least" in result.output
    assert tables(logged_in) == before


@pytest.mark.parametrize("value", [0, 11, "36", None])
def test_the_app_does_not_start_with_a_log_period_under_twelve_months(tmp_path, monkeypatch, value):
    monkeypatch.setenv("GADEKONTAKT_INSTANCE", str(tmp_path))
    with pytest.raises(ValueError, match="ACCESS_LOG_RETENTION_MONTHS must be a whole number of months, at least 12"):
        create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE": str(tmp_path / "t.sqlite"),
                    "ACCESS_LOG_RETENTION_MONTHS": value})


def test_without_an_access_log_the_rest_still_runs(logged_in, runner, history):
    db = logged_in.db()
    with db.conn:
        db.execute("DROP TABLE access_log")
    db.conn.close()
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert "access_log: no such table, skipped" in result.output
    assert ids(logged_in, "encounters") == history["kept_encounters"]
