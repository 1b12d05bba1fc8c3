"""The app's single CSRFProtect: every state change, forms and JSON alike.

It checks every POST before the view runs (a failure answers through
errors.py), so views never check the token again; a one-button form only
renders it (forms.ConfirmForm). The JSON uploads that must answer 401 before
400 are exempt here and call ``csrf.protect()`` after their login check.

Tokens last as long as the session (a shift), not Flask-WTF's default hour,
so a worker who saved offline in the morning can still upload at noon.
"""
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def init_app(app):
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
