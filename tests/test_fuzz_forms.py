"""Fuzzing the HTML forms, query strings and URL variables, not only the OpenAPI operations (issue 12, item 5).

tests/test_fuzz.py drives the JSON API from its OpenAPI document; the pages
and forms have no such document, so their parameters are found here:
- the routes, by walking Flask's URL map (every GET and POST rule);
- the form fields, by reading every <form> on every page the walk renders,
  as the administrator and as a worker, matched to the rule its action names;
- the query and form names views read (`request.args.get("q")` and the like),
  from the app's source, so a new one joins by itself.
Each route then gets generated requests (Hypothesis: some of its fields and
query names, with text, numbers, ids and odd values; URL variables from the
team's real ids to nonsense), logged in and with a valid CSRF token so the
views themselves run. What must hold for every answer: nothing at or above 500.

Bounded so it stays well under a minute: EXAMPLES per route and role, no
shrinking, no example database. GADEKONTAKT_FUZZ_FORMS=200 hunts deeper by hand.
"""
import os
import re
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from pwa import create_app
from tests.helpers import PASSWORD, Actions, csrf_from, new_citizen, new_encounter

EXAMPLES = int(os.environ.get("GADEKONTAKT_FUZZ_FORMS", 8))
VARIABLE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
READS = re.compile(r"request\.(?:args|form|values)(?:\.get(?:list)?\(|\[)\s*\"([^\"]+)\"")
# Ids no database holds: an <int:…> past SQLite's range overflowed into a 500.
BIG = ["0", "9223372036854775807", "9223372036854775808", "99999999999999999999999", "-1"]
PHONE = {"anna": "7c1e9a40-2b3d-4e5f-8a9b-0c1d2e3f4a5b", "bo": "8d2f0b51-3c4e-4f60-9b0c-1d2e3f4a5b6c"}


class Forms(HTMLParser):
    """(action, method, field names) of every <form> in a page."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs.get("action") or "", (attrs.get("method") or "get").upper(), set()))
        elif tag in ("input", "select", "textarea", "button") and self.forms and attrs.get("name"):
            self.forms[-1][2].add(attrs["name"])


class World:
    """A team with a citizen, an encounter, a place, a second worker and a victim for the admin's forms."""

    def __init__(self, app):
        self.app = app
        admin = app.test_client()
        self.actions = Actions(app, admin)
        assert self.actions.setup().status_code == 302
        for name, username in (("Bo", "bo"), ("Vera Offer", "vera")):
            assert self.actions.add_worker(name=name, username=username).status_code == 302
        token = csrf_from(admin.get("/team").get_data(as_text=True))
        assert admin.post("/team/places", data={"csrf_token": token, "pl-place": "Varmestuen"}).status_code == 302
        citizen = new_citizen()
        assert self.actions.sync([citizen, new_encounter([1], citizen["id"])]).status_code == 200
        # cron's first run, so /healthz answers 200 like the rest of a working instance.
        assert app.test_cli_runner().invoke(args=["notify-overdue"]).exit_code == 0
        vera = app.test_client()
        assert self.actions.login("vera", client=vera).status_code == 302
        db = self.actions.db()
        # URL variables: the team's own ids, but never the fuzzing clients' own account or phone.
        self.samples = {
            "citizen_id": citizen["id"],
            "worker_id": str(db.execute("SELECT id FROM users WHERE username = 'vera'").fetchone()[0]),
            "place_id": str(db.execute("SELECT id FROM places").fetchone()[0]),
            "device_id": db.execute("SELECT d.id FROM devices d JOIN users u ON u.id = d.last_user_id "
                                    "WHERE u.username = 'vera'").fetchone()[0],
            "filename": "css/app.css",
        }
        self.own_ids = {r[0] for r in db.execute("SELECT id FROM users WHERE username IN ('anna', 'bo')")}
        db.conn.close()
        self.clients = {}
        for username in ("anna", "bo"):
            self.clients[username] = app.test_client()
            self.login(username)

    def not_the_fuzzers_own(self, value):
        """A URL variable that is not the fuzzing accounts' own id (a fuzzed reset would lock them out)."""
        return bool(value) and not (value.isascii() and value.isdigit() and int(value) in self.own_ids)

    def login(self, username):
        client = self.clients[username]
        token = csrf_from(client.get("/login").get_data(as_text=True))
        resp = client.post("/login", data={"csrf_token": token, "username": username, "password": PASSWORD,
                                           "device_id": PHONE[username]})
        assert resp.status_code == 302, f"{username} could not log in again: {resp.status_code}"

    def still_logged_in(self, username):
        if self.clients[username].get("/api/session").json["user"] is None:  # a fuzzed logout, or a reset
            self.login(username)
        return self.clients[username]

    def url(self, rule, values=None):
        def sample(m):
            name = m.group(2)
            return quote((values or {}).get(name, self.samples.get(name, "1")), safe="")
        return VARIABLE.sub(sample, rule.rule)


def form_fields(world):
    """{(endpoint, method): field names} from every <form> on every page the walk renders, for both roles."""
    adapter = world.app.url_map.bind("localhost")
    found = {}
    for username in world.clients:
        client = world.still_logged_in(username)
        for rule in world.app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            page = world.url(rule)
            resp = client.get(page)
            if not resp.content_type.startswith("text/html"):
                continue
            parser = Forms()
            parser.feed(resp.get_data(as_text=True))
            for action, method, names in parser.forms:
                try:
                    endpoint, _ = adapter.match(urlsplit(action or page).path, method=method)
                except Exception:  # a form pointing outside the app would be a finding of its own
                    raise AssertionError(f"{page}: a form posts to {action!r}, which no route takes")
                found.setdefault((endpoint, method), set()).update(names)
    return found


def names_views_read():
    source = "\n".join(p.read_text(encoding="utf-8") for p in (Path(__file__).parent.parent / "pwa").glob("*.py"))
    return set(READS.findall(source))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz-forms")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GADEKONTAKT_INSTANCE", str(path))
        app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE": str(path / "fuzz.sqlite")})
    return World(app)


def values(world):
    odd = ["", "0", "-1", "1", "2", "99999999999999999999999", "-99999999999999999999999", "1e3", "²", "١", "null",
           "[]", "{}", "%00", "\x00", "a" * 5000, "../../etc/passwd", "<script>alert(1)</script>", "' OR 1=1 --",
           "\u202e", "010190-1234", "accept", "discard", "y", "on", str(uuid.uuid4()), world.samples["citizen_id"],
           world.samples["citizen_id"].upper(), world.samples["device_id"], "Kasper K.", PASSWORD,
           "https://evil.example", "//evil.example", "/%09/evil.example"]
    return st.one_of(st.sampled_from(odd), st.integers().map(str),
                     st.text(st.characters(exclude_categories=("Cs",)), max_size=200))


def test_the_walk_finds_the_forms_and_the_query_names(world):
    fields = form_fields(world)
    # The login, the team page's forms, a citizen's edit and erase, the access log's filter, the searches.
    assert {("auth.login", "POST"), ("team.add_worker", "POST"), ("team.add_place", "POST"),
            ("team.reset_password", "POST"), ("team.save_rules", "POST"), ("citizens.edit", "POST"),
            ("citizens.erase", "POST"), ("access_log.view", "GET"), ("citizens.index", "GET")} <= set(fields)
    assert {"q", "citizen", "user", "next", "decision", "confirm_alias", "active"} <= names_views_read()


@pytest.mark.parametrize("username", ["anna", "bo"])
def test_no_form_query_string_or_url_variable_makes_a_5xx(world, username):
    fields = form_fields(world)
    query_names = sorted(names_views_read() | {n for (e, m), names in fields.items() if m == "GET" for n in names})
    text = values(world)
    failures = []
    routes = [(rule, method) for rule in world.app.url_map.iter_rules() if rule.endpoint != "static"
              for method in sorted(rule.methods & {"GET", "POST"})]
    for rule, method in routes:
        names = sorted(fields.get((rule.endpoint, method), set()) - {"csrf_token"}) + query_names
        variables = [m.group(2) for m in VARIABLE.finditer(rule.rule)]

        @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(form=st.dictionaries(st.sampled_from(names), text, max_size=6),
               query=st.dictionaries(st.sampled_from(query_names), text, max_size=3),
               path=st.fixed_dictionaries({v: st.one_of(st.just(world.samples.get(v, "1")), st.sampled_from(BIG),
                                                        text.filter(world.not_the_fuzzers_own)) for v in variables}))
        def check(form, query, path):
            client = world.still_logged_in(username)
            url = world.url(rule, path)
            try:
                if method == "GET":
                    resp = client.get(url, query_string={**query, **form})
                else:
                    token = client.get("/api/session").json["csrf_token"]
                    resp = client.post(url, query_string=query, data={**form, "csrf_token": token},
                                       headers={"X-CSRFToken": token})
                status = resp.status_code
            except Exception as e:  # TESTING propagates what would have been a 500
                status = repr(e)
            if not isinstance(status, int) or status >= 500:
                failures.append(f"{username} {method} {url} query={query!r} form={form!r}: {status}")

        check()
    assert len(routes) > 40
    assert not failures, "\n".join(failures[:20])
