"""Module scripts and their preloads, and the scripts the service worker loads.

The expected lists are written out by hand: a module added to or dropped from
a page must show up here, not be derived by the code under test."""
import re

import pytest

from pwa import assets

DATA = ["idb.js", "seal.js", "vault.js", "device.js", "changes.js", "api.js", "handin.js", "session.js",
        "citizen-cache.js", "outbox.js", "sync.js"]
TIMER = ["timer-core.js", "timer-alarm.js", "device.js", "team-rules.js", "rules.js"]
SCORE = ["bvc.js", "bvc-score.js"]

# Each page: its module scripts, and every module they import statically,
# however deep (dynamic imports wait for the first paint, so they are not
# preloaded: sync-status.js, lock.js, the timer chip, place-door.js, and on /bvc the citizen list, the
# timer button, the makkerscore and the help button).
PAGES = {
    "/": (["app.js"], []),
    "/bvc": (["app.js", "bvc.js", "open-target.js"], ["bvc-score.js", "team-rules.js"]),
    "/stages": (["app.js", "stages.js", "open-target.js"], ["stage-choice.js"]),
    "/prompts": (["app.js", "prompts.js", "open-target.js"], ["stage-choice.js"]),
    "/manual": (["app.js", "open-target.js"], []),
    "/search": (["app.js", "search.js"], []),
    "/about": (["app.js"], []),
    "/offline": (["app.js"], []),
    "/log": (["app.js", "log.js"],
             ["phone-data.js", *DATA, "contact-form.js", "contact-view.js", "contact-lists.js", "corrections.js",
              "outbox-list.js", "form-errors.js", "dates.js", *SCORE, "citizen-info.js", "lock.js", "timer-core.js",
              "team-rules.js", "rules.js", "stage-choice.js", "draft.js", "alias-check.js", "dom.js"]),
    "/timer": (["app.js", "timer.js", "help-button.js", "partner-alert.js"],
               [*TIMER, *SCORE, "timer-form.js", "timer-sms.js", "timer-sync.js", "checkin-prompt.js", "checkin-code.js"]),
    "/round": (["app.js", "round.js"], ["phone-data.js", *DATA, "place-info.js"]),
    "/settings": (["app.js", "settings.js", "code-settings.js", "push-setup.js"],
                  ["timer-core.js", "device.js", "team-rules.js", "rules.js", "checkin-code.js"]),
    "/login": (["app.js", "login.js"], ["device.js"]),
    "/citizens": (["app.js"], []),
    "/team": (["app.js"], []),
    "/team/start": (["app.js"], []),
    "/places": (["app.js"], []),
}


def modules(html):
    scripts = re.findall(r'<script type="module" src="([^"]+)"></script>', html)
    preloads = re.findall(r'<link rel="modulepreload" href="([^"]+)">', html)
    return scripts, preloads


@pytest.mark.parametrize("path", PAGES)
def test_every_static_import_is_preloaded_at_the_url_it_resolves_to(logged_in, path):
    scripts, imported = PAGES[path]
    resp = logged_in.client.get(path)
    assert resp.status_code == 200
    got_scripts, preloads = modules(resp.get_data(as_text=True))
    # The page's own scripts by their hashed URL; each import by the URL
    # "./x.js" resolves to from /static/js/, with no ?v= (the browser's
    # module map is keyed by the exact URL; the worker serves it from its
    # hashed precache).
    assert [re.sub(r"\?v=[0-9a-f]{12}$", "", s) for s in got_scripts] == [f"/static/js/{s}" for s in scripts]
    assert all(re.search(r"\?v=[0-9a-f]{12}$", s) for s in got_scripts)
    assert sorted(preloads) == sorted(f"/static/js/{m}" for m in imported)
    assert len(preloads) == len(set(preloads))


def test_the_service_worker_loads_the_phones_data_code_in_order(client):
    body = client.get("/sw.js").get_data(as_text=True)
    call = re.search(r"^importScripts\((.*?)\);$", body, re.M | re.S).group(1)
    assert re.findall(r'"/static/js/([\w-]+\.js)\?v=[0-9a-f]{12}"', call) == DATA


@pytest.mark.parametrize("name", DATA)
def test_the_workers_scripts_are_plain_scripts(name):
    # importScripts of a file with an import or export statement throws, and
    # the service worker then never installs: no offline kit at all.
    source = (assets.STATIC / "js" / name).read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|export)\b", source, re.M)
    assert source.rstrip().endswith("})(self);")


@pytest.mark.parametrize("source, expected", [
    ('import "./a.js";\nimport { b } from "./b.js";\n', ["js/a.js", "js/b.js"]),
    ("import {\n  one,\n  two,\n} from './multi.js';\n", ["js/multi.js"]),
    ('import * as m from "./star.js";\nimport d, { e } from "./both.js";\n', ["js/star.js", "js/both.js"]),
    ('export { x } from "./again.js";\nexport function f() {}\n', ["js/again.js"]),
    ('import "../css/up.js";\n', ["css/up.js"]),
    # Loaded later on purpose, or not code at all:
    ('const m = await import("./later.js");\nimport("./later.js").then(go);\n', []),
    ('// import "./commented.js";\nconst s = "import \\"./x.js\\"";\n', []),
])
def test_static_imports_are_read_as_the_browser_reads_them(tmp_path, monkeypatch, source, expected):
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "page.js").write_text(source, encoding="utf-8")
    monkeypatch.setattr(assets, "STATIC", tmp_path)
    assert list(assets.static_imports.__wrapped__("js/page.js")) == expected


def test_a_page_script_imported_by_another_module_is_refused(tmp_path, monkeypatch):
    # Loaded once by its hashed URL and once by the import's, it would run twice.
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text('import "./b.js";\n', encoding="utf-8")
    (tmp_path / "js" / "b.js").write_text("", encoding="utf-8")
    monkeypatch.setattr(assets, "STATIC", tmp_path)
    monkeypatch.setattr(assets, "static_imports", assets.static_imports.__wrapped__)
    monkeypatch.setattr(assets, "asset_url", lambda name: f"/static/{name}?v=0")
    with pytest.raises(ValueError, match="js/b.js"):
        assets.module_script("js/a.js", "js/b.js")
