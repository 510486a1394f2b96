"""Error pages in the reader's language, and precise JSON errors under /api/."""

from __future__ import annotations

import sqlalchemy as sa
import werkzeug.exceptions
from flask import Flask, Response, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from tracker.domain.access import Forbidden, NotFound, Rule
from tracker.extensions import login_manager
from tracker.services import end_request_read, mark_request_failed

# Requests that change nothing: an error at the end of their read transaction is answered
# like any other (see `end_read_before_answering`).
_SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))

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


# The `message` of a 403 under /api/, by the access rule that refused.
API_REFUSALS: dict[str, str] = {
    Rule.COORDINATORS: "only the coordinators of the network may do this",
    Rule.WORKGROUP: "you may not update this activity",
    Rule.ADMINS: "only administrators may do this",
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


def error_page(code: int, message: str | None, title: str | None = None) -> tuple[str, int]:
    """The error page in the reader's language (the title by default the code's)."""
    title = title or _title(code)
    return render_template("errors/error.html", code=code, title=title, message=message), code


def _refusal(rule: str) -> str:
    """What a Forbidden from a command handler tells the person."""
    texts: dict[str, str] = {
        Rule.COORDINATORS: _("Only the coordinators of this network can do this."),
        Rule.WORKGROUP: _(
            "Only members of the responsible workgroups and the coordinators "
            "can update this activity."
        ),
        Rule.ADMINS: _("Only administrators can manage networks, people and workgroups."),
    }
    return texts.get(rule, _explanation(403))


def _answer(
    code: int,
    api_message: str | None,
    page_message: str | None,
    headers: dict[str, str] | None = None,
) -> ResponseReturnValue:
    """JSON under /api/ (`error` is the code's kind, see API_ERRORS), else the error page."""
    if request.path.startswith("/api/"):
        body = jsonify(error=API_ERRORS.get(code, "error"), message=api_message)
        return body, code, headers or {}
    return *error_page(code, page_message), headers or {}


def init_app(app: Flask) -> None:
    @app.errorhandler(NotFound)
    def not_found(error: NotFound) -> ResponseReturnValue:
        """A command's target does not exist or lies in another network: the same 404."""
        mark_request_failed()
        return http_error(werkzeug.exceptions.NotFound())

    @app.errorhandler(Forbidden)
    def forbidden(error: Forbidden) -> ResponseReturnValue:
        mark_request_failed()
        return _answer(403, API_REFUSALS.get(error.rule, ""), _refusal(error.rule))

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        message = _(
            "The form has expired or was not sent from this site. Reload the page and try again."
        )
        return error_page(400, message)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
        """413, with the limit. Renders nothing that reads the request's body: reading the
        form again would raise this error again (the page's own forms take no form data)."""
        limit = request.max_content_length
        if not limit:
            return _answer(413, "the request is too large", _explanation(413))
        message = _(
            "The file or form is too large: at most %(megabytes)s MB. Nothing was saved.",
            megabytes=format_decimal(round(limit / 1_048_576, 1)),
        )
        return _answer(413, f"the request is too large (at most {limit} bytes)", message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        code, description = error.code or 500, error.description
        return _answer(code, description, description if _is_own(error) else _explanation(code))

    @app.errorhandler(sa.exc.OperationalError)
    @app.errorhandler(sa.exc.InterfaceError)
    def database_unavailable(error: Exception) -> ResponseReturnValue:
        """The database cannot be reached: 503 with a readable page. Nothing is cached: the
        next request tries again (a dead PostgreSQL connection is replaced), so the app
        works again as soon as the database is back, without a restart."""
        mark_request_failed(database=True)
        cause = getattr(error, "orig", None) or error
        app.logger.warning(
            "database unavailable on %s %s: %s", request.method, request.path, type(cause)
        )
        g._login_user = login_manager.anonymous_user()  # the page must not ask the database
        message = _("The database cannot be reached at the moment. Try again in a minute.")
        api_message = "the database is unavailable; try again"
        return _answer(503, api_message, message, {"Retry-After": "30"})

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        mark_request_failed()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _answer(500, "unexpected error, logged", _explanation(500))


def end_read_before_answering(app: Flask) -> None:
    """End each request's read transaction while its answer can still change.

    Flask's teardown runs after the answer is made, and an error there replaced it with a
    bare 500; so the read transaction ends in an after-request hook instead, and an error
    there is answered by the handlers above (a lost database: the 503, JSON under /api/).
    Not for a request that may have written (POST, …): what it wrote is committed, so its
    answer stands and only the read transaction is given up. The teardown then only
    closes the session (and never raises).
    """

    @app.after_request
    def end_read(response: Response) -> Response:
        try:
            end_request_read()
        except Exception as error:
            if request.method not in _SAFE_METHODS:
                mark_request_failed(database=True)  # the teardown only lets it go
                app.logger.warning(
                    "read session not ended after %s %s: %s",
                    request.method,
                    request.path,
                    type(error).__name__,
                )
                return response
            return app.make_response(app.handle_user_exception(error))
        return response


def _is_own(error: HTTPException) -> bool:
    """True when the description was written by this app (abort(…, description=…))."""
    return bool(error.description) and error.description != type(error).description
