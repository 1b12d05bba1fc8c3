"""Logs as JSON lines that operations staff can read without seeing citizens' data.

One line per request (request id, user id, team id, method, route, status,
duration) and the app's own messages, each a JSON object on one line, to
stderr (journald under systemd). The route is the URL rule
(``/citizens/<citizen_id>``), never the path with its query string: a search
(``?q=``) is typed from an alias. No alias, note, description or place text
is ever passed to a log call; a test greps the browser suite's server log
for every text the suite stored.

The request id comes from the proxy (Caddy sets ``X-Request-Id``) when the
app trusts one (TRUSTED_PROXIES), else it is made here; either way it is sent
back in ``X-Request-Id`` so a worker's report can be matched to the log line.
"""
import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import current_app, g, has_request_context, request
from flask.logging import default_handler

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Werkzeug's development server (`make run`, the test servers) logs each
# request line with its query string; keep the path, drop the query.
_QUERY = re.compile(r'("[A-Z]+ [^"?\s]*)\?[^"\s]*')


class JsonFormatter(logging.Formatter):
    def format(self, record):
        line = {"ts": datetime.fromtimestamp(record.created, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage()}
        line.update(getattr(record, "fields", {}))
        if has_request_context() and "request_id" not in line:
            line.update(_who())
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (pytest swaps it per test)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def _who():
    user = g.get("user") or {}
    return {"request_id": g.get("request_id"), "user_id": user.get("id"), "team_id": user.get("team_id")}


class _StripQuery(logging.Filter):
    def filter(self, record):
        if isinstance(record.msg, str) and record.args:
            record.msg, record.args = _QUERY.sub(r"\1", record.msg % record.args), ()
        return True


def _start():
    incoming = request.headers.get("X-Request-Id", "")
    trusted = current_app.config["TRUSTED_PROXIES"] and _REQUEST_ID.match(incoming)
    g.request_id = incoming if trusted else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response):
    started = g.get("request_started")
    if started is None:  # a request that failed before our before_request ran
        return response
    response.headers["X-Request-Id"] = g.request_id
    rule = request.url_rule
    fields = dict(_who(), method=request.method, route=rule.rule if rule else None,
                  status=response.status_code,
                  duration_ms=round((time.perf_counter() - started) * 1000, 1))
    current_app.logger.info("request", extra={"fields": fields})
    return response


def init_app(app):
    app.config.setdefault("LOG_LEVEL", "INFO")
    app.logger.removeHandler(default_handler)
    # Every app in one process shares the logger (tests make many): one handler.
    if not any(isinstance(h.formatter, JsonFormatter) for h in app.logger.handlers):
        handler = _Stderr()
        handler.setFormatter(JsonFormatter())
        app.logger.addHandler(handler)
    app.logger.setLevel(app.config["LOG_LEVEL"])
    app.logger.propagate = False
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, _StripQuery) for f in werkzeug.filters):
        werkzeug.addFilter(_StripQuery())
    # Registered before every other hook: the clock starts first and, as
    # after_request hooks run in reverse, the line is written last, with the
    # status the client gets.
    app.before_request(_start)
    app.after_request(_finish)
