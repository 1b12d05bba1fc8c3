"""Compressed answers for the field kit's pages and assets only.

Compression halves what a phone downloads on a weak signal. It is applied
only to answers that hold no secret: the kit pages, the service worker, the
manifest and static files. Pages and API answers carrying a CSRF token or
citizens' data are left uncompressed, so a compression side channel (BREACH)
has nothing to measure.
"""
from flask_compress import Compress

compress = Compress()


def init_app(app):
    app.config.setdefault("COMPRESS_REGISTER", False)  # opt-in per view, below
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIMETYPES", ["text/html", "text/css", "text/javascript",
                                                 "application/javascript", "application/json",
                                                 "application/manifest+json", "image/svg+xml"])
    compress.init_app(app)
    for endpoint in ("static", "sw.service_worker", "sw.manifest") + tuple(
            e for e in app.view_functions if e.startswith("kit.")):
        app.view_functions[endpoint] = compress.compressed()(app.view_functions[endpoint])
