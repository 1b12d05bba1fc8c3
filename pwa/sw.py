"""The service worker script and the web app manifest.

Both are generated so they can name the exact, content-hashed URLs to
precache and the version that names the cache. The worker is served from the
root so its scope covers the whole app, and never from the HTTP cache, so a
deploy is seen on the next check.
"""
from flask import Blueprint, Response, jsonify, render_template

from . import assets
from .kit import PAGES

bp = Blueprint("sw", __name__)

ICONS = [
    {"src": "icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
    {"src": "icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
    {"src": "icons/maskable-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
]


# Home-screen shortcuts (a long press on the icon, on Android): the three
# things a worker opens in a hurry. Each is a precached page, so it opens
# offline too.
SHORTCUTS = [
    {"name": "BVC – risikovurdering", "short_name": "BVC", "url": "/bvc"},
    {"name": "Tjek-ind-timer", "short_name": "Timer", "url": "/timer"},
    {"name": "Ny kontakt", "short_name": "Ny kontakt", "url": "/log"},
]


def precache_urls():
    return PAGES + ["/manifest.webmanifest"] + [assets.asset_url(f) for f in assets.static_files()]


@bp.get("/sw.js")
def service_worker():
    body = render_template("sw.js", version=assets.version(), precache=precache_urls())
    resp = Response(body, mimetype="text/javascript")
    resp.cache_control.no_cache = True
    resp.cache_control.max_age = 0
    return resp


@bp.get("/manifest.webmanifest")
def manifest():
    resp = jsonify({
        "name": "Gadekontakt",
        "short_name": "Gadekontakt",
        "description": "Feltværktøj til udgående stofmisbrugsbehandling: BVC, forandringscirklen og spørgsmål.",
        "lang": "da",
        "dir": "ltr",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b3d5c",
        "icons": [dict(i, src=assets.asset_url(i["src"])) for i in ICONS],
        "shortcuts": [dict(s, icons=[{"src": assets.asset_url("icons/icon-192.png"), "sizes": "192x192",
                                       "type": "image/png"}]) for s in SHORTCUTS],
    })
    resp.mimetype = "application/manifest+json"
    resp.cache_control.no_cache = True
    return resp
