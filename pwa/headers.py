"""Security headers on every response.

No page has inline script or style, so the Content-Security-Policy can be
strict; Referrer-Policy same-origin keeps Flask-WTF's HTTPS referrer check
working while telling other sites nothing.
"""

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


def _set_headers(response):
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("X-Content-Type-Options", "nosniff")
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
