"""Error pages in the reader's language, and precise JSON errors under /api/."""

from __future__ import annotations

import sqlite3

import psycopg
import sqlalchemy as sa
from flask import Flask, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from tracker.extensions import login_manager
from tracker.services import mark_request_failed

# The `error` field of JSON answers under /api/.
API_ERRORS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


def _title(code: int) -> str:
    titles = {
        400: _("The request could not be processed"),
        401: _("Please sign in"),
        403: _("No access"),
        404: _("Not found"),
        405: _("Not allowed"),
        409: _("Conflict"),
        413: _("Too large"),
        415: _("Unsupported content type"),
        429: _("Too many attempts"),
        500: _("Something went wrong"),
        503: _("Temporarily unavailable"),
    }
    return titles.get(code, _("Error"))


def _explanation(code: int) -> str:
    texts = {
        403: _("You do not have the rights for this page or action."),
        404: _(
            "This page or activity does not exist, or it belongs to a network you are not part of."
        ),
        405: _("This address cannot be used this way."),
        413: _("The file or form is too large."),
        500: _("The error has been logged. Try again later."),
    }
    return texts.get(code, "")


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        message = _(
            "The form has expired or was not sent from this site. Reload the page and try again."
        )
        return render_template(
            "errors/error.html", code=400, title=_title(400), message=message
        ), 400

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
        """413, with the limit. Renders nothing that reads the request's body: reading the
        form again would raise this error again (the page's own forms take no form data)."""
        limit = request.max_content_length
        if request.path.startswith("/api/"):
            message = "the request is too large" + (f" (at most {limit} bytes)" if limit else "")
            return jsonify(error="too_large", message=message), 413
        message = _explanation(413)
        if limit:
            message = _(
                "The file or form is too large: at most %(megabytes)s MB. Nothing was saved.",
                megabytes=format_decimal(round(limit / 1_048_576, 1)),
            )
        return render_template(
            "errors/error.html", code=413, title=_title(413), message=message
        ), 413

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        if request.path.startswith("/api/"):
            return jsonify(error=API_ERRORS.get(code, "error"), message=error.description), code
        description = error.description if _is_own(error) else _explanation(code)
        return render_template(
            "errors/error.html", code=code, title=_title(code), message=description
        ), code

    @app.errorhandler(sa.exc.OperationalError)
    @app.errorhandler(sa.exc.InterfaceError)
    # The write path runs its statements on the driver (events/driver.py), whose errors
    # arrive unwrapped.
    @app.errorhandler(psycopg.OperationalError)
    @app.errorhandler(psycopg.InterfaceError)
    @app.errorhandler(sqlite3.OperationalError)
    def database_unavailable(error: Exception) -> ResponseReturnValue:
        """The database cannot be reached: 503 with a readable page. Nothing is cached: the
        next request tries again (a dead PostgreSQL connection is replaced), so the app
        works again as soon as the database is back, without a restart."""
        mark_request_failed()
        cause = getattr(error, "orig", None) or error
        app.logger.warning(
            "database unavailable on %s %s: %s", request.method, request.path, type(cause)
        )
        g._login_user = login_manager.anonymous_user()  # the page must not ask the database
        if request.path.startswith("/api/"):
            body = jsonify(error="unavailable", message="the database is unavailable; try again")
            return body, 503, {"Retry-After": "30"}
        message = _("The database cannot be reached at the moment. Try again in a minute.")
        page = render_template("errors/error.html", code=503, title=_title(503), message=message)
        return page, 503, {"Retry-After": "30"}

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        mark_request_failed()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if request.path.startswith("/api/"):
            return jsonify(error="internal_error", message="unexpected error, logged"), 500
        return render_template(
            "errors/error.html", code=500, title=_title(500), message=_explanation(500)
        ), 500


def _is_own(error: HTTPException) -> bool:
    """True when the description was written by this app (abort(…, description=…))."""
    return bool(error.description) and error.description != type(error).description
