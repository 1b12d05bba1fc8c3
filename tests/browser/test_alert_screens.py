"""The new screens of issue 16 (alarm), light and dark at 320 px: the team page's open alerts
(with a refused close), the help button's confirm step on /timer and /bvc, the check-in code
prompt, and the codes on /settings pass axe, have 48 px targets and never scroll sideways.
With GK_SHOTS=<folder> set, each state is also saved at 360 and 320 px for a person to look at."""
import os
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.browser.helpers import AXE, PASSWORD, TARGETS, axe_violations, sign_in_with_cookies
from tests.helpers import csrf_from
from tests.live import LiveServer, set_up_team

SHOTS = os.environ.get("GK_SHOTS")


@pytest.fixture(scope="module")
def alarm_server(tmp_path_factory, pw):
    """Team Nord with Bo, who has pressed the help button and (unseen by him) typed his duress code,
    and whose check-in is overdue; "Tjek ind med kode" is on. Anna (admin) is the one looking."""
    s = LiveServer(tmp_path_factory.mktemp("alarm-server")).start()
    anna = pw.request.new_context(base_url=s.url)
    bo = pw.request.new_context(base_url=s.url)
    try:
        set_up_team(anna, s.url)
        token = csrf_from(anna.get("/team").text())
        anna.post("/team/workers", form={"csrf_token": token, "name": "Bo Berg", "username": "bo", "password": PASSWORD})
        form = {"csrf_token": token, "tr-code_word": "Kuglepen", "tr-way_out": "Døren", "tr-sms_rule": "Altid",
                "tr-checkin_low": "60", "tr-checkin_moderate": "30", "tr-checkin_high": "15", "tr-score_keep": "120",
                "tr-escalate_after": "10", "tr-checkin_code": "y"}
        assert anna.post("/team/rules", form=form).ok
        bo.post("/login", form={"csrf_token": csrf_from(bo.get("/login").text()), "username": "bo",
                                "password": PASSWORD})
        session = bo.get("/api/session").json()
        now = datetime.now(timezone.utc)
        at = lambda m: (now - timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%S.000Z")  # noqa: E731
        timer = str(uuid.uuid4())
        bo.post("/api/timers/events", headers={"X-CSRFToken": session["csrf_token"]}, data={"events": [
            {"id": str(uuid.uuid4()), "timer_id": timer, "type": "start", "at": at(40), "minutes": 15,
             "place": "Opgang, Nørregade 12, 2. th.", "band": "high"}]})
        resp = bo.post("/api/alerts", headers={"X-CSRFToken": session["csrf_token"]}, data={"alerts": [
            {"id": str(uuid.uuid4()), "kind": kind, "at": at(m), "timer_id": timer, "place": "Banegårdsparken",
             "place_at": at(40)} for kind, m in (("help", 3), ("duress", 1))]})
        assert [r["status"] for r in resp.json()["results"]] == ["stored", "stored"]
        env = dict(os.environ, GADEKONTAKT_INSTANCE=str(s.instance_dir))
        subprocess.run([sys.executable, "-m", "flask", "--app", "pwa", "notify-overdue"], env=env, check=True,
                       capture_output=True)
        s.cookies = anna.storage_state()["cookies"]
        yield s
    finally:
        anna.dispose()
        bo.dispose()
        s.stop()


def shoot(page, name, scheme, *parts):
    """The whole page, and each part that is new (a selector) on its own, at 360 and 320 px."""
    if not SHOTS:
        return
    for width in (360, 320):
        page.set_viewport_size({"width": width, "height": 740})
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}-{scheme}.png"), full_page=True)
        for i, part in enumerate(parts):
            page.locator(part).first.screenshot(path=str(Path(SHOTS) / f"{name}-{width}-{scheme}-part{i}.png"))
    page.set_viewport_size({"width": 320, "height": 640})


def check(page):
    assert axe_violations(page, AXE.read_text()) == []
    assert page.evaluate(TARGETS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_alarm_screens_pass_axe_targets_and_320px(new_context, alarm_server, scheme):
    ctx = new_context(viewport={"width": 320, "height": 640}, color_scheme=scheme)
    sign_in_with_cookies(ctx, alarm_server.cookies)
    page = ctx.new_page()
    base = alarm_server.url

    page.goto(base + "/team")
    alerts = page.locator(".alert-item")
    assert alerts.count() >= 3          # the light run also sends Anna's own help alert
    assert "Stille alarm (tvangskode): Bo Berg" in alerts.nth(0).inner_text()     # duress first
    page.locator(".alert-close").first.locator("summary").click()
    page.locator(".alert-close").first.get_by_role("button", name="Luk").click()
    assert page.locator(".alert-close .error").first.is_visible()
    check(page)
    shoot(page, "team-alerts", scheme, "#alarmer")
    taken = page.get_by_text("Taget af Anna Admin").count()
    page.get_by_role("button", name="Jeg tager den").first.click()
    page.get_by_text("Taget af Anna Admin").nth(taken).wait_for()

    page.goto(base + "/settings")
    page.get_by_label("Din tjek-ind-kode").fill("2468")
    page.get_by_label("Din tvangskode").fill("1357")
    page.get_by_role("button", name="Vælg koderne").click()
    page.locator("#code-status").filter(has_text="gemt").wait_for()
    check(page)
    shoot(page, "settings-codes", scheme, "#koder")

    page.goto(base + "/timer")
    page.get_by_label("Sted").fill("Banegårdsparken")
    page.get_by_role("button", name="Start timer").click()
    page.get_by_role("button", name="Jeg er OK").click()
    page.get_by_label("Din tjek-ind-kode").wait_for()
    page.get_by_role("button", name="Hjælp").click()
    page.get_by_role("button", name="Ja, send hjælp-alarm").wait_for()
    check(page)
    shoot(page, "timer-code-help", scheme, "#t-running", "#help")

    page.goto(base + "/bvc")
    page.get_by_role("button", name="Hjælp").click()
    page.get_by_role("button", name="Ja, send hjælp-alarm").click()
    page.locator("#help-status").filter(has_text="sendt").wait_for()
    check(page)
    shoot(page, "bvc-help-sent", scheme, "#help")
