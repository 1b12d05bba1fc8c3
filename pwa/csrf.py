"""The app's single CSRFProtect: every state change, forms and JSON alike.

Tokens last as long as the session (a shift), not Flask-WTF's default hour,
so a worker who saved offline in the morning can still upload at noon.
"""
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def init_app(app):
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
