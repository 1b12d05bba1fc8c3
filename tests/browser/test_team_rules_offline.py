"""The team's own rules in Chromium: the administrator sets them on /team, the phone keeps
them, and with the server stopped and the network off /bvc, /timer and /settings show them.
A phone that has never logged in shows the defaults, marked as defaults."""
import json

from playwright.sync_api import expect

from tests.browser.helpers import first_page, wait_for_offline_ready, wait_until
from tests.live import set_up_team

HIGH = "/bvc?items=forvirring&items=irritabilitet&items=fysiske_trusler"
DEFAULT_MARK = "Standard – ikke aftalt i teamet endnu"


def rule(page, rule_id, scope="#main"):
    return page.locator(f'{scope} [data-team-rule="{rule_id}"]').first


def test_rules_set_on_team_show_offline_on_bvc_timer_and_settings(launch, own_server, tmp_path):
    own_server.start()
    base = own_server.url
    ctx = launch(tmp_path / "profile")
    page = first_page(ctx)
    set_up_team(ctx.request, base)
    page.goto(base + "/bvc")
    wait_for_offline_ready(page)

    # The administrator sets the rules on /team.
    page.goto(base + "/team")
    section = page.locator("#aftaler")
    expect(section).to_contain_text(DEFAULT_MARK)
    section.get_by_text("Ret teamets aftaler").click()
    section.get_by_label("Kodeord for »vi går nu«").fill("Har du set min blå kuglepen?")
    section.get_by_label("Vejen ud").fill("Vi står altid mellem borgeren og døren.")
    section.get_by_label("Tjek-ind-tid ved høj risiko").fill("10")
    section.get_by_role("button", name="Gem aftalerne").click()
    expect(page.get_by_role("status").filter(has_text="Teamets aftaler er gemt")).to_be_visible()
    expect(section).not_to_contain_text(DEFAULT_MARK, use_inner_text=True)

    # The phone picks them up on its next visit to the kit with a signal.
    page.goto(base + "/bvc")
    wait_until(page, "(localStorage.getItem('gk.team-rules') || '').includes('kuglepen')")
    kept = json.loads(page.evaluate("localStorage.getItem('gk.team-rules')"))
    assert kept["team"]["name"] == "Team Nord"
    assert kept["rules"]["checkin_high"] == {"value": 10, "default": False}

    own_server.stop()
    ctx.set_offline(True)

    page.goto(base + HIGH)
    roles = page.locator("#risk-card")
    expect(roles).to_be_visible()
    code = rule(page, "code_word", "#risk-card")
    expect(code.locator("[data-rule-value]")).to_have_text("Har du set min blå kuglepen?")
    expect(code.locator("[data-rule-default]")).to_be_hidden()
    expect(rule(page, "way_out", "#risk-card")).to_contain_text("Vi står altid mellem borgeren og døren.")
    expect(page.locator("#timer-start")).to_have_text("Start tjek-ind-timer (10 min)")

    page.goto(base + "/timer")
    expect(rule(page, "checkin_high").locator("[data-rule-value]")).to_have_text("10")
    expect(rule(page, "code_word").locator("[data-rule-value]")).to_have_text("Har du set min blå kuglepen?")
    expect(page.locator('[data-minutes-for="high"]')).to_have_text("10")
    expect(page.locator("#aftaler [data-team-rules-from]")).to_contain_text("Team Nord, hentet")

    page.goto(base + "/settings")
    expect(rule(page, "code_word").locator("[data-rule-value]")).to_have_text("Har du set min blå kuglepen?")
    expect(rule(page, "checkin_high").locator("[data-rule-value]")).to_have_text("10")
    # Rules the administrator saved are the team's now, none of them a default.
    expect(page.locator("#aftaler [data-rule-default]:visible")).to_have_count(0)
    expect(page.locator("#aftaler")).to_contain_text("Teamets aftaler")
    ctx.close()  # the browser quits; its profile stays on disk

    # After a restart of the browser, still offline, the copy is still there.
    ctx = launch(tmp_path / "profile", offline=True)
    page = first_page(ctx)
    page.goto(base + HIGH)
    expect(rule(page, "code_word", "#risk-card").locator("[data-rule-value]")).to_have_text("Har du set min blå kuglepen?")


def test_a_phone_that_never_logged_in_shows_the_defaults_marked_as_defaults(launch, server, tmp_path):
    ctx = launch(tmp_path / "profile")
    page = first_page(ctx)
    page.goto(server.url + "/settings")
    wait_for_offline_ready(page)
    ctx.set_offline(True)
    for path in (HIGH, "/timer", "/settings"):
        page.goto(server.url + path)
        scope = "#risk-card" if path == HIGH else "#main"
        code = rule(page, "code_word", scope)
        expect(code.locator("[data-rule-value]")).to_have_text("Jeg har glemt opladeren i bilen")
        expect(code.locator("[data-rule-default]")).to_have_text(f"({DEFAULT_MARK})")
        expect(code.locator("[data-rule-default]")).to_be_visible()
    expect(rule(page, "checkin_high").locator("[data-rule-value]")).to_have_text("15")
    assert page.evaluate("localStorage.getItem('gk.team-rules')") is None
