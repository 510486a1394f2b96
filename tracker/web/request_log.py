"""One log line per request: request id, method, route, status, time taken, the person's id.

The route is the URL rule (`/activiteiten/<activity_id>`), never the path as sent: paths carry
secrets (calendar feeds, reset links) and query strings carry search text. No names or
addresses are logged, only the user id. The request id comes from the proxy's X-Request-ID
when it is a plain token (nginx's `$request_id`), else it is made here; it is sent back in the
answer's X-Request-ID so a user's report can be found in the log.

With LOG_FORMAT=json every log line of the process is one JSON object (for a log collector).
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request
from flask_login import current_user
from pythonjsonlogger.json import JsonFormatter

log = logging.getLogger("tracker.request")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def configure_logging(level: str, log_format: str) -> None:
    """The process's log lines: plain text, or one JSON object per line with LOG_FORMAT=json."""
    logging.basicConfig(level=level)
    if log_format == "json":
        formatter = JsonFormatter(
            "{asctime}{levelname}{name}{message}", style="{", rename_fields={"levelname": "level"}
        )
        for handler in logging.getLogger().handlers:
            handler.setFormatter(formatter)
    for noisy in ("weasyprint", "fontTools"):  # a line per PDF page and per font subset
        logging.getLogger(noisy).setLevel(logging.WARNING)


def init_app(app: Flask) -> None:
    @app.before_request
    def start() -> None:
        offered = request.headers.get("X-Request-ID", "")
        g.request_id = offered if _REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        request_id = g.get("request_id") or uuid.uuid4().hex  # a refusal before `start` ran
        response.headers["X-Request-ID"] = request_id
        started = g.get("request_started")
        took = round((time.perf_counter() - started) * 1000, 1) if started else None
        route = request.url_rule.rule if request.url_rule else "(none)"
        # Only a person already loaded by this request: logging never asks the database.
        signed_in = g.get("_login_user") is not None and current_user.is_authenticated
        fields = {
            "request_id": request_id,
            "method": request.method,
            "route": route,
            "status": response.status_code,
            "ms": took,
            "user_id": current_user.user.id if signed_in else None,
        }
        line = "%(method)s %(route)s %(status)s %(ms)sms user=%(user_id)s id=%(request_id)s"
        log.info(line, fields, extra=fields)  # the same fields as the line's JSON keys
        return response
