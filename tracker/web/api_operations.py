"""How an operation of the JSON API under /api/v1 is declared, read and answered.

Each operation is a view registered with `operation`: it is given the validated query and
body models and returns its answer model; the OpenAPI document is made from the same
declarations (tracker.web.openapi). Errors are JSON with a kind (`error`) and a message.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, NoReturn, TypeVar

import pydantic
from flask import Blueprint, abort, current_app, g, jsonify, make_response, request
from flask.typing import ResponseReturnValue
from flask_login import login_required
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from events.store import ConcurrencyError, EventStore
from tracker.clock import Clock
from tracker.database import UnitOfWork
from tracker.domain.commands import (
    ChangeActivityStatus,
    RecordProgress,
    ReopenActivity,
    WithdrawActivity,
)
from tracker.domain.status import Status, StatusError
from tracker.handlers.activities import StatusChangeResult
from tracker.models import Plan
from tracker.services import db_session
from tracker.web.api_models import ChangeResult, Conflict, Error, PlanPublic, Refusal
from tracker.web.commands import run
from tracker.web.messages import refusal_message
from tracker.web.openapi import Operation

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
OPERATIONS: list[Operation] = []  # every route of the blueprint, for the OpenAPI document
WRITE_ERRORS = (403, 404, 409, 413, 415)
UNVERSIONED_WRITE_ERRORS = (403, 404, 413, 415)  # writes without an expected_version
StatusCommand = ChangeActivityStatus | RecordProgress | WithdrawActivity | ReopenActivity
Command = TypeVar("Command")
Result = TypeVar("Result")
Model = TypeVar("Model", bound=pydantic.BaseModel)


def refuse(code: int, answer: Error) -> NoReturn:
    """Answer with this error at once (an answer given to abort skips the error handlers)."""
    abort(make_response(jsonify(answer.model_dump(mode="json", exclude_none=True)), code))


def operation(
    method: str,
    rule: str,
    answer: Any,
    errors: tuple[int, ...] = (),
    body: type[pydantic.BaseModel] | None = None,
    query: type[pydantic.BaseModel] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view as an API operation for signed-in callers and in the document.

    The view is given the validated `query` and `body` models, and returns the `answer`,
    which is sent as JSON exactly as the document describes it (anything else is an error).
    The first line of its docstring is the operation's summary.
    """

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        summary = (view.__doc__ or "").strip().splitlines()[0]
        OPERATIONS.append(Operation(method, rule, summary, answer, errors, body, query))
        adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(answer)

        @functools.wraps(view)
        def run(**path: str) -> ResponseReturnValue:
            given: dict[str, pydantic.BaseModel] = {}
            if query is not None:
                given["query"] = read_query(query)
            if body is not None:
                given["body"] = read_body(body)
            result = view(**path, **given)
            return jsonify(adapter.dump_python(result, mode="json", warnings="error"))

        blueprint.add_url_rule(rule, view_func=login_required(run), methods=[method.upper()])
        return view

    return register


def write(handler: Callable[[UnitOfWork, Command, Clock], Result], command: Command) -> Result:
    """Run a write command; a refusal by rule is a 400 with the rule's code, its text and,
    for a change of the plan, the field; a stale `expected_version` a 409 with the current
    version (403 and 404 come from the handler's access check, see tracker.web.errors)."""
    try:
        return run(handler, command)
    except StatusError as refused:
        message, field = refusal_message(refused), getattr(refused, "field", "")
        answer = Refusal(error=refused.code, message=message, field=field) if field else None
        refuse(400, answer or Error(error=refused.code, message=message))
    except ConcurrencyError as conflict:
        if not hasattr(command, "expected_version"):
            raise  # the caller named no version: not a conflict of theirs (a 500)
        activity_id = getattr(command, "activity_id", "")
        current = conflict.actual
        if current is None:
            current = EventStore(db_session().connection()).current_version(activity_id)
        message = "the activity was updated by someone else; reload it and try again"
        refuse(409, Conflict(error="conflict", message=message, current_version=current))


def run_write(
    handler: Callable[[UnitOfWork, Any, Clock], StatusChangeResult], command: StatusCommand
) -> ChangeResult:
    """Run a status change (see `write`): the activity's new status and version."""
    result = write(handler, command)
    status = Status(result.status)
    return ChangeResult(id=command.activity_id, status=status, version=result.version)


def plan_public(plan: Plan, network: str, counts: Mapping[Status, int]) -> PlanPublic:
    return PlanPublic(
        slug=plan.slug,
        year=plan.year,
        title=plan.title,
        motto=plan.motto,
        network=network,
        status_counts=dict(counts),
    )


def read_query(model: type[Model]) -> Model:
    """The request's query parameters as the model, or a 400 naming each problem."""
    try:
        return model.model_validate(request.args.to_dict())
    except pydantic.ValidationError as invalid:
        missing = any(problem["type"] == "missing" for problem in invalid.errors())
        kind = "missing_parameter" if missing else "invalid_parameter"
        refuse(400, Error(error=kind, message=_problems(invalid, "query parameter ")))


def read_body(model: type[Model]) -> Model:
    """The JSON body of a write as the model, or the error answer (CSRF, media type, shape).
    Who may change what is the handler's to decide (tracker.handlers)."""
    if not g.get("auth_by_token") and current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except ValidationError:
            message = "send the CSRF token in the X-CSRFToken header"
            refuse(403, Error(error="csrf_failed", message=message))
    if not request.is_json:
        message = "send a JSON body (Content-Type: application/json)"
        refuse(415, Error(error="unsupported_media_type", message=message))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        refuse(400, Error(error="invalid_json", message="the body must be a JSON object"))
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as invalid:
        problem = invalid.errors(include_url=False)[0]
        field = str(problem["loc"][0])[:40] if problem["loc"] else ""
        message = _problems(invalid)
        refuse(400, Refusal(error="invalid_request", message=message, field=field or None))


def _problems(invalid: pydantic.ValidationError, where: str = "") -> str:
    """Each problem, named: "unknown field(s): role; 'expected_version': Field required"."""
    problems = invalid.errors(include_url=False)
    unknown = sorted(str(p["loc"][0])[:40] for p in problems if p["type"] == "extra_forbidden")
    named = [f"unknown field(s): {', '.join(unknown)}"] if unknown else []
    named += [
        f"{where}'{'.'.join(map(str, p['loc']))}': {p['msg']}"
        for p in problems
        if p["type"] != "extra_forbidden"
    ]
    return "; ".join(named)
