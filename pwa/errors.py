"""One error shape for the whole app, and the handlers that give it.

Under /api every error is ``{"error": {"status": int, "message": str,
"field": str|null}}``, so the phone can show the message and point at the
field; elsewhere a person gets the error page. Any module may raise
``FieldError``; none needs to import the API for it. Every message is Danish:
Werkzeug's own English descriptions (a 404 from the router, a 405, a 413) are
replaced here. Request bodies are read through ``Request``, which refuses a
body nested deeper than rules.MAX_JSON_DEPTH with a 400 naming the body. Only
bodies: the app's own JSON (the OpenAPI document) may nest as deep as it needs.
"""
import flask
from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, default_exceptions

from .rules import MAX_JSON_DEPTH


class FieldError(HTTPException):
    """A 4xx that names the field it is about."""

    def __init__(self, code, field, message):
        super().__init__(description=message)
        self.code, self.field = code, field


def _too_deep(value):
    stack = [(value, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                return True
            stack.extend((v, depth + 1) for v in (value.values() if isinstance(value, dict) else value))
    return False


class Request(flask.Request):
    """Flask's request, except that a JSON body nested too deeply is a 400
    naming the body, never a RecursionError (a 500). (Flask points
    ``json_module`` at the app's provider per request, so the check sits here.)"""

    def get_json(self, *args, **kwargs):
        try:
            value = super().get_json(*args, **kwargs)
        except RecursionError:
            value = None
        else:
            if not _too_deep(value):
                return value
        raise FieldError(400, "body", f"JSON må højst være indlejret {MAX_JSON_DEPTH} niveauer dybt.")


def list_body(key, what, limit):
    """The JSON body's list under `key`, or a 4xx error naming what is wrong."""
    if not request.is_json:
        raise FieldError(415, None, "Send JSON (Content-Type: application/json).")
    body = request.get_json(silent=True)
    if body is None:
        raise FieldError(400, "body", "Ugyldig JSON.")
    if not isinstance(body, dict) or not isinstance(body.get(key), list):
        raise FieldError(400, key, f"Skal være en liste af {what}.")
    extra = sorted(set(body) - {key})
    if extra:
        raise FieldError(400, extra[0], "Ukendt felt.")
    if len(body[key]) > limit:
        raise FieldError(413, key, f"Højst {limit} {what} pr. forespørgsel.")
    return body[key]


# What a person reads instead of Werkzeug's English defaults, by status code.
DANISH = {
    400: "Forespørgslen kunne ikke bruges. Gå tilbage og prøv igen.",
    401: "Du er ikke logget ind. Log ind igen.",
    403: "Det har du ikke adgang til.",
    404: "Siden findes ikke. Tjek adressen, eller gå til forsiden.",
    405: "Adressen kan ikke bruges på den måde.",
    406: "Serveren kan ikke svare i det format, der blev bedt om.",
    408: "Forespørgslen tog for lang tid. Prøv igen.",
    409: "Det stod i strid med noget, der allerede er gemt. Genindlæs siden og prøv igen.",
    410: "Siden findes ikke længere.",
    411: "Forespørgslen mangler sin længde (Content-Length).",
    412: "En forudsætning for forespørgslen holdt ikke.",
    413: "Forespørgslen er for stor.",
    414: "Adressen er for lang.",
    415: "Forkert format. Send JSON eller en formular.",
    416: "Den ønskede del findes ikke.",
    417: "Serveren kan ikke opfylde forventningen (Expect).",
    418: "Forespørgslen kunne ikke bruges.",
    421: "Forespørgslen kom til den forkerte server.",
    422: "Indholdet kunne ikke bruges.",
    423: "Det er låst.",
    424: "En forespørgsel, denne afhang af, slog fejl.",
    428: "Forespørgslen skal have en forudsætning.",
    429: "For mange forespørgsler. Vent lidt, og prøv igen.",
    431: "Forespørgslens headers er for store.",
    451: "Indholdet er ikke tilgængeligt af juridiske grunde.",
    500: "Der skete en fejl på serveren. Prøv igen om lidt.",
    501: "Det kan serveren ikke.",
    502: "Serveren bag proxyen svarede ikke rigtigt.",
    503: "Serveren er ikke klar. Prøv igen om lidt.",
    504: "Serveren bag proxyen svarede ikke i tide.",
    505: "HTTP-versionen understøttes ikke.",
}
_ENGLISH = {cls.description for cls in default_exceptions.values()}


def message(e):
    """The Danish description of an HTTP error: ours as given, Werkzeug's replaced."""
    if e.description and e.description not in _ENGLISH:
        return e.description
    return DANISH.get(e.code) or (DANISH[500] if (e.code or 500) >= 500 else DANISH[400])


def error_response(status, message, field=None):
    resp = jsonify({"error": {"status": status, "message": message, "field": field}})
    resp.status_code = status
    resp.cache_control.no_store = True
    return resp


def _wants_json():
    return request.path.startswith("/api/")


def _http_error(e):
    e.description = message(e)
    if _wants_json():
        return error_response(e.code, e.description, getattr(e, "field", None))
    return render_template("error.html", error=e), e.code


def _csrf_error(e):
    if _wants_json():
        return error_response(400, "Sikkerhedstoken mangler eller er udløbet; hent et nyt fra /api/session.",
                              "csrf_token")
    e.description = "Formularen var udløbet. Gå tilbage, genindlæs siden og prøv igen."
    return render_template("error.html", error=e), 400


def init_app(app):
    app.request_class = Request
    # CSRFError is an HTTPException too; Flask picks the most specific handler.
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
