"""Content-hashed static URLs and the app's version, without a build step.

Each static file's URL carries a short hash of its bytes, so it can be cached
for a year and still change on deploy. The app version that names the service
worker's cache hashes everything a page is made of, so any change to
templates, content, code or assets makes browsers offer an update.
"""
import hashlib
import posixpath
import re
from functools import cache
from pathlib import Path

from flask import current_app, request, url_for
from markupsafe import Markup, escape

PACKAGE = Path(__file__).parent
STATIC = PACKAGE / "static"


@cache
def file_hash(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def asset_url(filename):
    return url_for("static", filename=filename, v=file_hash(STATIC / filename))


def module_url(filename):
    """The URL a static `import "./x.js"` resolves to: without ?v=.

    A page's `<link rel="modulepreload">` must name exactly that URL, since
    the browser's module map is keyed by it (a hashed URL would be fetched a
    second time). The service worker serves it from the precached, hashed
    copy (it matches /static/ without the query)."""
    return url_for("static", filename=filename)


# A module's static imports, side-effect ones included: `import "./x.js";`,
# `import { a } from "./x.js";`, `import * as m from "./x.js";` and
# `export { a } from "./x.js";`, over several lines too. Not a dynamic
# `import("./x.js")` (a line starting `import(` or `await import(`): that
# module loads later on purpose, after the page has painted.
STATIC_IMPORT = re.compile(
    r"""^[ \t]*(?:import\s*(?:[\w$*{}\s,]+?\s*from\s*)?|export\s*[\w$*{}\s,]+?\s*from\s*)(["'])(\.\.?/[^"']+)\1""",
    re.M)


@cache
def static_imports(filename):
    """The static files `filename` (a path under static/) imports, in order."""
    source = (STATIC / filename).read_text(encoding="utf-8")
    folder = posixpath.dirname(filename)
    return tuple(posixpath.normpath(posixpath.join(folder, m.group(2))) for m in STATIC_IMPORT.finditer(source))


def module_graph(*filenames):
    """Every module the page scripts `filenames` load before they run: their
    static imports, the imports of those, and so on, each once."""
    seen, todo = [], list(filenames)
    while todo:
        for name in static_imports(todo.pop(0)):
            if name not in seen and name not in filenames:
                seen.append(name)
                todo.append(name)
    return seen


def module_script(*filenames):
    """A page's module scripts, with a modulepreload for every module they
    import statically, however deep, read from the scripts themselves: the
    list cannot go stale, and no import waits for the one before it to
    arrive. (Dynamic imports are left out: they wait for the first paint.)"""
    graph = module_graph(*filenames)
    # A page script is loaded by its hashed URL; imported without ?v= it
    # would be a second module, and run twice.
    twice = set(filenames) & {i for name in [*filenames, *graph] for i in static_imports(name)}
    if twice:
        raise ValueError(f"page scripts also imported on the same page: {sorted(twice)}")
    tags = [f'<script type="module" src="{escape(asset_url(name))}"></script>' for name in filenames]
    tags += [f'<link rel="modulepreload" href="{escape(module_url(name))}">' for name in graph]
    return Markup("\n".join(tags))


# The service worker loads the phone's data code with importScripts: the same
# plain scripts, in the same order, as this module imports for the pages.
WORKER_DATA = "js/phone-data.js"


def worker_scripts():
    return [asset_url(name) for name in static_imports(WORKER_DATA)]


def static_files():
    return sorted(p.relative_to(STATIC).as_posix() for p in STATIC.rglob("*") if p.is_file())


def compute_version(salt=""):
    h = hashlib.sha256(salt.encode())
    for folder, pattern in ((PACKAGE, "*.py"), (PACKAGE / "templates", "*"),
                            (PACKAGE / "content", "*.json"), (STATIC, "*")):
        for p in sorted(folder.rglob(pattern)):
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(p.relative_to(PACKAGE).as_posix().encode())
                h.update(p.read_bytes())
    return h.hexdigest()[:16]


def version():
    return current_app.config["ASSET_VERSION"]


def _long_cache_for_hashed_assets(response):
    # A URL with ?v=<hash> never changes meaning, so let clients keep it.
    if request.endpoint == "static" and request.args.get("v"):
        response.cache_control.no_cache = None  # Flask's default for files; wrong here
        response.cache_control.public = True
        response.cache_control.max_age = 31536000
        response.cache_control.immutable = True
    return response


def init_app(app):
    app.config["ASSET_VERSION"] = compute_version(app.config.get("ASSET_SALT", ""))
    app.jinja_env.globals.update(asset_url=asset_url, module_script=module_script, app_version=version,
                                  worker_scripts=worker_scripts)
    app.after_request(_long_cache_for_hashed_assets)
