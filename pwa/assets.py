"""Content-hashed static URLs and the app's version, without a build step.

Each static file's URL carries a short hash of its bytes, so it can be cached
for a year and still change on deploy. The app version that names the service
worker's cache hashes everything a page is made of, so any change to
templates, content, code or assets makes browsers offer an update.
"""
import hashlib
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


# A module's own static imports: `import { a } from "./x.js";`.
STATIC_IMPORT = re.compile(r'^import\s[^;]*?from\s+"\./([\w-]+\.js)";', re.M | re.S)


@cache
def static_imports(filename):
    return STATIC_IMPORT.findall((STATIC / filename).read_text(encoding="utf-8"))


def module_script(filename):
    """A page's module script, with a modulepreload for each of its static
    imports read from the script itself, so the list cannot go stale and
    no import costs a round trip of its own."""
    folder = Path(filename).parent.as_posix()
    tags = [f'<script type="module" src="{escape(asset_url(filename))}"></script>']
    tags += [f'<link rel="modulepreload" href="{escape(module_url(f"{folder}/{name}"))}">'
             for name in static_imports(filename)]
    return Markup("\n".join(tags))


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
    app.jinja_env.globals.update(asset_url=asset_url, module_script=module_script, app_version=version)
    app.after_request(_long_cache_for_hashed_assets)
