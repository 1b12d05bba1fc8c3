"""The JSON API under /api, with one error shape for every failure.

Every error is ``{"error": {"status": int, "message": str, "field": str|null}}``
so the phone can show the message and point at the field.
"""
from flask import Blueprint, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from . import assets

bp = Blueprint("api", __name__, url_prefix="/api")


def error_response(status, message, field=None):
    resp = jsonify({"error": {"status": status, "message": message, "field": field}})
    resp.status_code = status
    resp.cache_control.no_store = True
    return resp


@bp.app_errorhandler(HTTPException)
def _http_error(e):
    # One handler for the whole app: JSON under /api, a readable page elsewhere.
    if request.path.startswith("/api/"):
        return error_response(e.code, e.description)
    return render_template("error.html", error=e), e.code


@bp.after_request
def _no_store(response):
    # API answers may carry citizens' data; no cache may keep them.
    response.cache_control.no_store = True
    return response


@bp.get("/version")
def version():
    return jsonify({"version": assets.version()})
