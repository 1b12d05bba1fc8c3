"""Pages, headers, bad input, the service worker script and the manifest, over HTTP."""
import json
import re
from html.parser import HTMLParser

import pytest

from pwa import assets
from pwa.headers import CSP
from pwa.kit import PAGES


class InlineFinder(HTMLParser):
    """Collects what a strict CSP would block: inline script, style, handlers."""

    def __init__(self):
        super().__init__()
        self.problems = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            if "src" not in a and a.get("type") != "application/json":
                self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style>")
        for name in a:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"{tag}[{name}]")


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_in_danish_with_security_headers(client, path):
    resp = client.get(path)
    assert resp.status_code == 200
    assert resp.mimetype == "text/html"
    assert '<html lang="da" ' in resp.get_data(as_text=True)
    assert resp.headers["Content-Security-Policy"] == CSP
    assert "unsafe" not in CSP
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert resp.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in resp.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in resp.headers  # plain HTTP in tests


@pytest.mark.parametrize("path", PAGES + ["/bvc?items=forvirring&items=fysiske_trusler&items=verbale_trusler",
                                          "/stages?stage=relapse", "/prompts?stage=action"])
def test_no_inline_script_style_or_handlers(client, path):
    finder = InlineFinder()
    finder.feed(client.get(path).get_data(as_text=True))
    assert finder.problems == []


def test_hsts_when_served_over_https(tmp_path, monkeypatch):
    from pwa import create_app
    monkeypatch.setenv("GADEKONTAKT_INSTANCE", str(tmp_path))
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE": str(tmp_path / "d.sqlite"), "HTTPS": True})
    hsts = app.test_client().get("/").headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000


@pytest.mark.parametrize("query, field", [
    ({"items": "kniv"}, "items"),
    ({"items": ["forvirring", "slag"]}, "items"),
    ({"borger": "maaske"}, "borger"),
])
def test_bvc_bad_input_is_a_400_naming_the_field(client, query, field):
    resp = client.get("/bvc", query_string=query)
    assert resp.status_code == 400
    assert f"{field}:" in resp.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/stages?stage=nirvana", "/prompts?stage=7"])
def test_unknown_stage_is_a_400_naming_the_field(client, path):
    resp = client.get(path)
    assert resp.status_code == 400
    assert "stage:" in resp.get_data(as_text=True)


def test_api_errors_are_json_in_one_shape(client):
    resp = client.get("/api/does-not-exist")
    assert resp.status_code == 404
    assert resp.is_json
    assert set(resp.json["error"]) == {"status", "message", "field"}
    assert resp.json["error"]["status"] == 404
    assert "no-store" in resp.headers["Cache-Control"]


def test_page_errors_are_html(client):
    resp = client.get("/no-such-page")
    assert resp.status_code == 404 and resp.mimetype == "text/html"


def test_stage_choice_renders_only_that_stage(client):
    html = client.get("/stages?stage=contemplation").get_data(as_text=True)
    shown = re.findall(r'<section class="stage-detail" id="stage-(\w+)" data-stage="\w+"(?! hidden)', html)
    assert shown == ["contemplation"]
    assert 'value="contemplation" checked' in html


def test_prompts_filter_by_stage_without_javascript(client):
    html = client.get("/prompts?stage=action").get_data(as_text=True)
    visible = re.findall(r'<details class="technique" id="t-(\w+)" data-stages="[^"]*"(?! hidden)', html)
    assert "skalaspoergsmaal" in visible and "maal" in visible
    assert "spejling" not in visible
    # No MI technique fits this stage, so the MI heading goes too.
    assert html.count('<div class="method-group" hidden>') == 1
    # The stage is asked first, as radio buttons (one tap each), the chosen one ticked.
    assert re.search(r'<input type="radio" name="stage" value="action" checked>', html)
    all_html = client.get("/prompts").get_data(as_text=True)
    assert re.search(r'<input type="radio" name="stage" value="alle" checked>', all_html)
    # All techniques, each folded until tapped: the page is a list to choose from.
    techniques = re.findall(r'<details class="technique" id="t-(\w+)" data-stages="[^"]*"( hidden)?>', all_html)
    assert len(techniques) == 10 and not any(hidden for _, hidden in techniques)


def test_static_assets_are_hashed_and_cached_for_a_year(client):
    html = client.get("/bvc").get_data(as_text=True)
    # A modulepreload names the URL a module's static import resolves to,
    # which has no ?v= (the browser's module map is keyed by the exact URL);
    # everything else the page loads itself is hashed.
    preloads = re.findall(r'<link rel="modulepreload" href="(/static/[^"]+)"', html)
    assert preloads and all("?" not in u and u.endswith(".js") for u in preloads)
    urls = [u for u in re.findall(r'(?:src|href)="(/static/[^"]+)"', html) if u not in preloads]
    assert urls and all("?v=" in u for u in urls)
    resp = client.get(urls[0])
    assert resp.status_code == 200
    assert "immutable" in resp.headers["Cache-Control"] and "max-age=31536000" in resp.headers["Cache-Control"]
    assert "no-cache" not in resp.headers["Cache-Control"]


@pytest.mark.parametrize("path, compressed", [("/bvc", True), ("/sw.js", True), ("/manifest.webmanifest", True),
                                              ("/api/session", False), ("/login", False), ("/setup", False)])
def test_only_answers_without_secrets_are_compressed(client, path, compressed):
    resp = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert (resp.headers.get("Content-Encoding") == "gzip") == compressed


def test_service_worker_precaches_every_page_and_asset(client):
    resp = client.get("/sw.js")
    assert resp.status_code == 200 and resp.mimetype == "text/javascript"
    assert "no-cache" in resp.headers["Cache-Control"]
    body = resp.get_data(as_text=True)
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", body).group(1))
    assert set(PAGES) <= set(precache)
    assert "/manifest.webmanifest" in precache
    assets_cached = {u.split("?")[0] for u in precache if u.startswith("/static/")}
    assert assets_cached == {f"/static/{f}" for f in assets.static_files()}
    for url in precache:
        assert client.get(url).status_code == 200, url
    assert '"/api/"' in body  # the API is never cached


def test_version_follows_content_and_salt(tmp_path, monkeypatch):
    from pwa import create_app
    monkeypatch.setenv("GADEKONTAKT_INSTANCE", str(tmp_path))
    versions = set()
    for salt in ("a", "b"):
        app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE": str(tmp_path / "d.sqlite"),
                          "ASSET_SALT": salt})
        body = app.test_client().get("/sw.js").get_data(as_text=True)
        versions.add(re.search(r'const VERSION = "(\w+)"', body).group(1))
    assert len(versions) == 2


def test_manifest_is_installable(client):
    resp = client.get("/manifest.webmanifest")
    assert resp.mimetype == "application/manifest+json"
    m = resp.json
    assert m["lang"] == "da" and m["display"] == "standalone" and m["start_url"] == "/"
    assert m["name"] and m["short_name"] and m["theme_color"]
    sizes = {(i["sizes"], i["purpose"]) for i in m["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in m["icons"]:
        r = client.get(icon["src"])
        assert r.status_code == 200 and r.mimetype == "image/png"
        w, h = int.from_bytes(r.data[16:20], "big"), int.from_bytes(r.data[20:24], "big")
        assert f"{w}x{h}" == icon["sizes"]


def test_manifest_offers_shortcuts_to_the_bvc_the_timer_and_a_new_contact(client):
    shortcuts = client.get("/manifest.webmanifest").json["shortcuts"]
    assert [(s["short_name"], s["url"]) for s in shortcuts] == [("BVC", "/bvc"), ("Timer", "/timer"),
                                                                 ("Ny kontakt", "/log")]
    # Each opens offline: a precached page, with an icon the phone can show.
    assert all(s["url"] in PAGES and s["name"] for s in shortcuts)
    for s in shortcuts:
        [icon] = s["icons"]
        assert client.get(icon["src"]).status_code == 200 and icon["sizes"] == "192x192"


def test_about_says_how_to_install_on_android_and_iphone_as_our_advice(client):
    html = client.get("/about").get_data(as_text=True)
    section = html.split('<section id="installer"')[1].split("</section>")[0]
    assert '<h3 id="installer-android">Android (Chrome)</h3>' in section
    assert '<h3 id="installer-iphone">iPhone (Safari)</h3>' in section
    assert "»Installér app«" in section and "»Føj til hjemmeskærm«" in section
    assert '<span class="cite cite-practice">God praksis</span>' in section
    # Found by the offline search too.
    hits = client.get("/search?q=hjemmeskærm").get_data(as_text=True)
    assert 'href="/about#installer"' in hits


def test_about_credits_bvc_with_its_published_source(client):
    html = client.get("/about").get_data(as_text=True)
    assert "© Almvik, Woods &amp; Rasmussen (2000)" in html
    assert "Journal of Interpersonal Violence 15(12), s. 1284–1296" in html
    # The credit line lives on /about only, beside its source.
    for path in PAGES:
        if path != "/about":
            assert "Almvik" not in client.get(path).get_data(as_text=True), path


def _guidance_entries(node):
    """Every {"text", "source"} entry in the content file."""
    if isinstance(node, dict):
        if isinstance(node.get("text"), str) and isinstance(node.get("source"), dict):
            yield node
        for v in node.values():
            yield from _guidance_entries(v)
    elif isinstance(node, list):
        for v in node:
            yield from _guidance_entries(v)


@pytest.mark.parametrize("path", ["/bvc?items=forvirring&items=irritabilitet&items=fysiske_trusler", "/bvc",
                                  "/stages", "/prompts", "/timer", "/about"])
def test_guidance_is_shown_with_whose_words_it_is(client, path):
    from markupsafe import escape

    from pwa import content as c
    html = client.get(path).get_data(as_text=True)
    shown = 0
    for entry in _guidance_entries(c.content()):
        text = str(escape(entry["text"]))
        if text in html:
            shown += 1
            label = str(escape(c.source_label(entry["source"])))
            cite = f'<span class="cite cite-{entry["source"]["kind"]}">{label}</span>'
            assert re.search(re.escape(text) + r"\s*" + re.escape(cite), html), (path, entry["text"])
    assert shown >= 1


def test_every_page_of_the_kit_names_its_sources_by_kind(client):
    for path in ("/bvc", "/stages", "/prompts", "/manual"):
        html = client.get(path).get_data(as_text=True)
        assert 'class="cite cite-manual">Manualen ' in html, path
    bvc = client.get("/bvc?items=forvirring&items=irritabilitet&items=fysiske_trusler").get_data(as_text=True)
    assert 'class="cite cite-practice">God praksis</span>' in bvc
    assert 'class="cite cite-team">Teamets aftaler</span>' in bvc


def test_static_assets_cost_no_database_query(logged_in):
    """Precaching fetches every asset; none of them may cost a session lookup."""
    from pwa.db import get_db
    html = logged_in.client.get("/bvc").get_data(as_text=True)
    css = re.search(r'href="(/static/css/app.css[^"]+)"', html).group(1)
    with logged_in.app.app_context():
        conn = get_db().conn  # the test client serves on this thread, with this connection
    statements = []
    conn.set_trace_callback(statements.append)
    try:
        assert logged_in.client.get(css).status_code == 200
        assert statements == []
        logged_in.client.get("/api/session")
        assert any("sessions" in sql for sql in statements)  # the trace does see page requests
    finally:
        conn.set_trace_callback(None)


def test_every_field_card_is_on_its_page_with_its_section(client):
    from pwa import content as c
    for card in c.content()["cards"]:
        html = client.get(card["page"]).get_data(as_text=True)
        block = html.split(f'id="c-{card["id"]}"')[1].split("</details>")[0]
        assert f'<span class="cite cite-manual">Manualen {card["source"]["section"]}</span>' in block, card["id"]


def test_cards_sit_where_they_are_needed(client):
    manual = client.get("/manual").get_data(as_text=True)
    step = manual.split('id="f3t2"')[1].split("</details>\n  </details>")[0]
    assert 'id="c-udebliver"' in step            # inside step 2 of phase 3, one tap from the checklist
    prompts = client.get("/prompts").get_data(as_text=True)
    miracle = prompts.split('id="t-mirakelspoergsmaal"')[1].split('<details class="technique"')[0]
    assert 'id="c-mirakel-hele"' in miracle


@pytest.mark.parametrize("q, first_title, url", [
    ("udebliver", "Borgeren udebliver fra behandling", "/manual#c-udebliver"),
    ("skala", "Skalaspørgsmål", "/prompts?stage=alle#t-skalaspoergsmaal"),
    ("MIRAKEL helhed", "Mirakelspørgsmålet i sin helhed", "/prompts#c-mirakel-hele"),   # any case, every word
])
def test_search_answers_without_javascript_and_names_whose_words(client, q, first_title, url):
    html = client.get("/search", query_string={"q": q}).get_data(as_text=True)
    first = re.search(r'<li class="result-item"><a href="([^"]+)">([^<]+)</a>\s*<p>(.*?)</p>', html, re.S)
    assert (first.group(1), first.group(2)) == (url, first_title)
    assert re.search(r'<span class="cite cite-manual">Manualen [\d.]+</span>', first.group(3))


def test_the_search_page_carries_its_whole_index_for_offline_use(client):
    from pwa import content, search
    html = client.get("/search").get_data(as_text=True)
    index = json.loads(re.search(r'<script type="application/json" id="search-index">(.*?)</script>', html, re.S).group(1))
    assert index == search.index()
    assert {e["url"] for e in index} >= {f"{c['page']}#c-{c['id']}" for c in content.content()["cards"]}


def test_a_search_too_long_is_a_400_naming_the_field(client):
    resp = client.get("/search", query_string={"q": "x" * 81})
    assert resp.status_code == 400 and "q:" in resp.get_data(as_text=True)
