"""Entry point: `flask --app wsgi …` and `gunicorn 'wsgi:create_app()'` find the factory here.

Nothing is created at import time; Flask's CLI and gunicorn call `create_app()` themselves.
"""

from tracker.app import create_app

__all__ = ["create_app"]
