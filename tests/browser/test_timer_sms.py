"""The forms the timer's sms: link takes (js/timer-sms.js), in Chromium: iOS reads the body after
"&", Android and the rest after "?" (RFC 5724); one recipient per link, because two in one link
are dropped or misread by some messages apps; with no number, the link still opens the app with
the text written. And on a phone that says it is an iPhone, the alarm's links take the iOS form."""
import re
from datetime import datetime
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import fill_settings, freeze

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")
IPAD = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Safari/605.1.15")   # iPadOS asks for the desktop site by default
ANDROID = ("Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/126.0 Mobile Safari/537.36")
BODY = "ALARM: Mette har ikke tjekket ind. Sidst: Banegårdsparken kl. 12.44 & 50% ? #1"
ENCODED = "ALARM%3A%20Mette%20har%20ikke%20tjekket%20ind.%20Sidst%3A%20Baneg%C3%A5rdsparken%20kl.%2012.44%20%26%2050%25%20%3F%20%231"


def sms(page, fn, *args):
    return page.evaluate(f"args => import('/static/js/timer-sms.js').then(m => m.{fn}(...args))", list(args))


@pytest.mark.parametrize("style, number, href", [
    ("ios", "+4512345678", f"sms:+4512345678&body={ENCODED}"),
    ("standard", "+4512345678", f"sms:+4512345678?body={ENCODED}"),
    ("ios", "", f"sms:&body={ENCODED}"),
    ("standard", "", f"sms:?body={ENCODED}"),
])
def test_the_link_for_each_platform_with_and_without_a_number(page, server, style, number, href):
    page.goto(server.url + "/timer")
    assert sms(page, "smsHref", number, BODY, style) == href
    # Whatever the text holds, the body is one parameter that decodes to exactly it.
    assert unquote(href.split("body=", 1)[1]) == BODY


@pytest.mark.parametrize("ua, touch, style", [
    (IPHONE, 5, "ios"), (IPAD, 5, "ios"), (IPAD, 0, "standard"), (ANDROID, 5, "standard"), ("", 0, "standard"),
])
def test_the_platform_is_read_from_the_browser(page, server, ua, touch, style):
    page.goto(server.url + "/timer")
    assert sms(page, "smsStyle", {"userAgent": ua, "maxTouchPoints": touch}) == style


def test_one_link_per_recipient_and_one_without_when_there_is_none(page, server):
    page.goto(server.url + "/timer")
    two = sms(page, "recipients", {"coordinator_phone": "87 65 43 21"},
              {"me": {"name": "Mette"}, "partner": {"name": "Bo", "phone": "12345678"}})
    assert two == [{"name": "Bo", "number": "+4512345678"}, {"name": "koordinatoren", "number": "+4587654321"}]
    links = sms(page, "smsLinks", two, "Hej", "standard")
    assert links == [{"name": "Bo", "href": "sms:+4512345678?body=Hej"},
                     {"name": "koordinatoren", "href": "sms:+4587654321?body=Hej"}]
    # The same number for both is one recipient; a number that is no number is none.
    same = sms(page, "recipients", {"coordinator_phone": "+45 12 34 56 78"},
               {"me": {"name": "Mette"}, "partner": {"name": "Bo", "phone": "12345678"}})
    assert same == [{"name": "Bo", "number": "+4512345678"}]
    assert sms(page, "recipients", {"coordinator_phone": "ring til Ole"}, None) == []
    assert sms(page, "smsLinks", [], "Hej", "ios") == [{"name": None, "href": "sms:&body=Hej"}]


def test_on_an_iphone_the_alarm_links_take_the_ios_form(new_context, server):
    page = new_context(user_agent=IPHONE, timezone_id="Europe/Copenhagen").new_page()
    at = datetime(2026, 11, 23, 12, 44, tzinfo=ZoneInfo("Europe/Copenhagen"))
    freeze(page, at)
    page.goto(server.url + "/settings")
    fill_settings(page, me="Mette", coordinator="87 65 43 21")
    page.goto(server.url + "/timer")
    page.get_by_role("radio", name="Andet antal minutter").check()
    page.get_by_label("Minutter", exact=True).fill("1")
    page.get_by_label("Sted").fill("Banegårdsparken")
    page.get_by_role("button", name="Start timer (1 min)").click()
    page.clock.run_for("01:01")
    expect(page.get_by_role("alert")).to_contain_text("Tiden er gået kl. 12.45")
    hrefs = [a.get_attribute("href") for a in page.locator("#t-sms-alarm a").all()]
    assert [re.match(r"sms:(\+\d+)&body=", h).group(1) for h in hrefs] == ["+4512345678", "+4587654321"]
    body = unquote(hrefs[0].split("&body=", 1)[1])
    assert body == ("ALARM: Mette har ikke tjekket ind (senest kl. 12.45). Sidst: Banegårdsparken kl. 12.44. "
                    "Ring til Mette nu. Får du ikke svar, så følg teamets aftale.")
    assert len(body) <= 160          # one SMS
    expect(page.get_by_role("link", name="Send alarm-sms til Bo")).to_be_visible()
    expect(page.get_by_role("link", name="Send alarm-sms til koordinatoren")).to_be_visible()
