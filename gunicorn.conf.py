"""Production serving for Gadekontakt (see README, `make serve`).

Sync requests are short and wait on SQLite's single writer, so a few
processes with a few threads each keep both cores busy without piling up
writers. Put a TLS-terminating proxy in front and set GADEKONTAKT_HTTPS=true.
"""
import multiprocessing

workers = max(2, multiprocessing.cpu_count())
threads = 4
worker_class = "gthread"
timeout = 30
graceful_timeout = 10
accesslog = None  # the proxy logs requests; the app logs what it decides
preload_app = False  # each process opens its own SQLite connections
