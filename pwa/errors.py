"""One error shape for the whole app, and the handlers that give it.

Under /api every error is ``{"error": {"status": int, "message": str,
"field": str|null}}``, so the phone can show the message and point at the
field; elsewhere a person gets the error page. Any module may raise
``FieldError``; none needs to import the API for it.
"""
from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class FieldError(HTTPException):
    """A 4xx that names the field it is about."""

    def __init__(self, code, field, message):
        super().__init__(description=message)
        self.code, self.field = code, field


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


def error_response(status, message, field=None):
    resp = jsonify({"error": {"status": status, "message": message, "field": field}})
    resp.status_code = status
    resp.cache_control.no_store = True
    return resp


def _wants_json():
    return request.path.startswith("/api/")


def _http_error(e):
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
    # CSRFError is an HTTPException too; Flask picks the most specific handler.
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
