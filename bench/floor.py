"""The app with one extra page for `make bench`: the LCP floor.

Lighthouse's simulated LCP for even the plainest page flips by ~0.15 s from
run to run on this machine, so each of our pages is also reported as a ratio
to this floor, measured in the same rounds: static HTML with the app's own
stylesheet and no script, served by the same server process, with the same
headers (CSP, compression) as every other page. Served only by the bench
(`flask --app 'bench.floor:create_app()'`); the app itself has no such route.
"""
from flask import render_template_string

from pwa import create_app as create_pwa

PATH = "/bench-floor"
PAGE = """<!doctype html>
<html lang="da">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gulv – Gadekontakt</title>
<link rel="stylesheet" href="{{ asset_url('css/app.css') }}">
</head>
<body>
<main id="main">
<h1>Gadekontakt</h1>
<p>Værktøjet til udgående behandlere: risikovurdering før kontakten, forandringscirklen,
spørgsmål der passer til fasen, og en log over kontakten, der virker uden net.</p>
</main>
</body>
</html>
"""


def create_app():
    app = create_pwa()
    app.add_url_rule(PATH, "bench_floor", lambda: render_template_string(PAGE))
    return app
