"""Long lists come a page at a time: what a worker scans on a phone, and what one view
writes to the access log, stay the same size after ten years (issue 17)."""
import re
from datetime import datetime, timedelta, timezone

import pytest

from pwa.rules import PAGE_SIZE as PER_PAGE
from tests.helpers import new_citizen, new_encounter


@pytest.fixture
def caseload(logged_in):
    """120 citizens, met one a day going back: the first met most recently."""
    me = logged_in.session()["user"]["id"]
    now = datetime.now(timezone.utc)
    citizens = [new_citizen(alias=f"Borger {n:03d}") for n in range(120)]
    records = citizens + [new_encounter([me], c["id"], occurred_at=(now - timedelta(days=n)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")) for n, c in enumerate(citizens)]
    for i in range(0, len(records), 100):
        assert logged_in.sync(records[i:i + 100]).status_code == 200
    return logged_in, [c["id"] for c in citizens]


def shown(html):
    return re.findall(r'href="/citizens/([0-9a-f-]{36})"', html)


def listed_in_log(actions):
    return actions.db().execute("SELECT count(*) FROM access_log WHERE action = 'list'").fetchone()[0]


def test_the_citizen_list_comes_fifty_at_a_time_newest_contact_first(caseload):
    actions, ids = caseload
    c = actions.client
    first = c.get("/citizens").get_data(as_text=True)
    assert shown(first) == ids[:PER_PAGE] and PER_PAGE == 50
    assert 'rel="next" href="/citizens?page=2"' in first and 'rel="prev"' not in first
    assert listed_in_log(actions) == PER_PAGE  # only what the worker saw
    second = c.get("/citizens?page=2").get_data(as_text=True)
    assert shown(second) == ids[PER_PAGE:2 * PER_PAGE]
    third = c.get("/citizens?page=3").get_data(as_text=True)
    assert shown(third) == ids[2 * PER_PAGE:] and 'rel="next"' not in third
    assert 'rel="prev" href="/citizens?page=2"' in third
    assert "Der er ikke flere borgere" in c.get("/citizens?page=4").get_data(as_text=True)


def test_a_search_pages_too_and_keeps_its_query(caseload):
    actions, ids = caseload
    html = actions.client.get("/citizens?q=Borger").get_data(as_text=True)
    assert shown(html) == ids[:PER_PAGE] and 'href="/citizens?q=Borger&amp;page=2"' in html


@pytest.mark.parametrize("page", ["0", "-1", "x", "10001", "1.5", "٣"])
def test_a_bad_page_number_is_refused_naming_the_field(caseload, page):
    actions, _ = caseload
    resp = actions.client.get(f"/citizens?page={page}")
    assert resp.status_code == 400 and "page:" in resp.get_data(as_text=True)


def test_the_access_log_pages_backwards_without_gaps_or_repeats(caseload):
    actions, ids = caseload
    c = actions.client
    all_ids = [r[0] for r in actions.db().execute("SELECT id FROM access_log ORDER BY id DESC")]
    seen, url = [], "/admin/access-log"
    for _ in range(10):
        html = c.get(url).get_data(as_text=True)
        entries = re.findall(r'<li><p><strong>', html)
        assert len(entries) <= PER_PAGE
        seen.append(len(entries))
        nxt = re.search(r'rel="next" href="([^"]+)"', html)
        if not nxt:
            break
        url = nxt.group(1).replace("&amp;", "&")
    # Every entry that existed when paging began, once (viewing the log adds none without a citizen filter).
    assert sum(seen) == len(all_ids) and len(seen) > 2 and seen[0] == PER_PAGE


def test_the_access_log_of_one_citizen_pages_by_entry_id(caseload):
    actions, ids = caseload
    c = actions.client
    for _ in range(60):
        c.get(f"/citizens/{ids[0]}")
    html = c.get(f"/admin/access-log?citizen={ids[0]}").get_data(as_text=True)
    nxt = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert nxt.startswith(f"/admin/access-log?citizen={ids[0]}&before=")
    older = c.get(nxt).get_data(as_text=True)
    assert older.count("<li><p><strong>") > 0 and 'href="/admin/access-log?citizen=' in older


@pytest.mark.parametrize("before", ["x", "-5", "1" * 19, "٣"])
def test_a_bad_before_is_refused_naming_the_field(caseload, before):
    actions, _ = caseload
    resp = actions.client.get(f"/admin/access-log?before={before}")
    assert resp.status_code == 400 and "before:" in resp.get_data(as_text=True)


def test_a_citizens_page_shows_the_newest_fifty_contacts_then_older_ones(logged_in):
    me = logged_in.session()["user"]["id"]
    citizen = new_citizen(alias="Mange Kontakter")
    now = datetime.now(timezone.utc)
    notes = [f"Kontakt-{n:03d}" for n in range(120)]   # n days ago
    records = [citizen] + [new_encounter([me], citizen["id"], note=note, occurred_at=(now - timedelta(days=n))
                                         .strftime("%Y-%m-%dT%H:%M:%SZ")) for n, note in enumerate(notes)]
    for i in range(0, len(records), 100):
        assert logged_in.sync(records[i:i + 100]).status_code == 200
    c, url = logged_in.client, f"/citizens/{citizen['id']}"
    pages = [c.get(url + ("" if p == 1 else f"?page={p}")).get_data(as_text=True) for p in (1, 2, 3)]
    shown = [re.findall(r"<p>(Kontakt-\d{3})</p>", html) for html in pages]
    # Newest at the top of each page; together every contact once.
    assert shown[0] == notes[:50] and shown[1] == notes[50:100] and shown[2] == notes[100:]
    assert f'rel="next" href="{url}?page=2"' in pages[0] and 'rel="prev"' not in pages[0]
    assert f'rel="prev" href="{url}"' in pages[1] and 'rel="next"' not in pages[2]
    assert c.get(url + "?page=x").status_code == 400
