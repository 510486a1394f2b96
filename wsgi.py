"""The composition root: `flask --app wsgi …` and `gunicorn 'wsgi:create_app()'` find the
factory here. It builds the tracker and wires the reminders into it (the layer above).

Nothing is created at import time; Flask's CLI and gunicorn call `create_app()` themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

import reminders
from tracker.app import create_tracker_app
from tracker.clock import Clock


def create_app(
    test_config: Mapping[str, Any] | None = None, *, clock: Clock | None = None
) -> Flask:
    """The whole app: the tracker (store, clock, pages, API, commands) and its reminders."""
    app = create_tracker_app(test_config, clock=clock)
    reminders.init_app(app)
    return app
