"""Security headers on every response.

No page has inline script or style, so the Content-Security-Policy can be
strict; Referrer-Policy same-origin keeps Flask-WTF's HTTPS referrer check
working while telling other sites nothing.

A script or a stylesheet from /static is not governed by the document
headers (the page's are, and sw.js gets its own); the field kit's first
visit fetches some thirty of them, and ~400 bytes of headers each is a fifth
of what a phone downloads on a weak signal. They keep nosniff. An SVG, which
opened on its own is a document, keeps them all.
"""
from flask import request

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])

PERMISSIONS = ", ".join(f"{p}=()" for p in (
    "camera", "microphone", "geolocation", "payment", "usb",
))


SUBRESOURCES = frozenset({"text/javascript", "application/javascript", "text/css"})


def _set_headers(response):
    h = response.headers
    h.setdefault("X-Content-Type-Options", "nosniff")
    if request.endpoint == "static" and response.mimetype in SUBRESOURCES:
        h.pop("Content-Disposition", None)    # send_file's "inline": the default anyway
        return response
    h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("Referrer-Policy", "same-origin")
    h.setdefault("Permissions-Policy", PERMISSIONS)
    h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response


def init_app(app):
    app.after_request(_set_headers)
    if app.config.get("HTTPS"):
        @app.after_request
        def _hsts(response):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains")
            return response
