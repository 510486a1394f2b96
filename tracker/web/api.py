"""The JSON API under /api/v1: the same rules as the pages, with precise JSON errors.

Authentication: a bearer token (`flask --app wsgi create-token EMAIL`) or the browser session.
A write through the session must carry the CSRF token in the X-CSRFToken header, so another
site cannot make a signed-in browser post here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
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
from tracker.domain.commands import ChangeActivityStatus, RecordProgress
from tracker.domain.status import Status, StatusError
from tracker.handlers.activities import (
    StatusChangeResult,
    change_activity_status,
    record_progress,
)
from tracker.queries import (
    OverviewFilters,
    plan_activities,
    status_counts,
    targets_with_progress,
    visible_plans,
)
from tracker.services import db_session, services
from tracker.web.access import principal, visible_activity, visible_plan
from tracker.web.api_models import (
    ActivitiesQuery,
    ActivityPublic,
    ActivitySummaryPublic,
    ChangeResult,
    Conflict,
    Error,
    EventPublic,
    PlanPublic,
    ProgressIn,
    StatusChangeIn,
    TargetPublic,
    TimingPublic,
)
from tracker.web.messages import refusal_message
from tracker.web.openapi import Operation, openapi_document

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
OPERATIONS: list[Operation] = []  # every route below, for the OpenAPI document
WRITE_ERRORS = (403, 404, 409, 413, 415)
Command = TypeVar("Command", ChangeActivityStatus, RecordProgress)
Model = TypeVar("Model", bound=pydantic.BaseModel)


def refuse(code: int, answer: Error) -> NoReturn:
    """Answer with this error at once (an answer given to abort skips the error handlers)."""
    abort(make_response(jsonify(answer.model_dump(mode="json")), code))


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
                given["query"] = _query(query)
            if body is not None:
                given["body"] = _body(body)
            result = view(**path, **given)
            return jsonify(adapter.dump_python(result, mode="json", warnings="error"))

        blueprint.add_url_rule(rule, view_func=login_required(run), methods=[method.upper()])
        return view

    return register


@blueprint.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(document())


@functools.cache
def document() -> dict[str, Any]:
    """The OpenAPI document of the operations below (made once)."""
    return openapi_document(OPERATIONS)


@operation("get", "/plans", list[PlanPublic])
def plans() -> list[PlanPublic]:
    """Plans of the networks you can see"""
    return [
        PlanPublic(
            slug=plan.slug,
            year=plan.year,
            title=plan.title,
            motto=plan.motto,
            network=network.slug,
            status_counts=dict(status_counts(db_session(), plan.id or 0)),
        )
        for plan, network in visible_plans(db_session(), principal())
    ]


@operation("get", "/activities", list[ActivitySummaryPublic], (404,), query=ActivitiesQuery)
def activities(query: ActivitiesQuery) -> list[ActivitySummaryPublic]:
    """Activities of a plan, in the plan's order"""
    plan, _network = visible_plan(query.plan.strip())
    return [
        ActivitySummaryPublic(
            id=row.activity.id,
            title=row.activity.title,
            theme=row.theme.name,
            status=Status(row.state.status),
            version=row.state.version,
        )
        for row in plan_activities(db_session(), plan, OverviewFilters())
    ]


@operation("get", "/activities/<activity_id>", ActivityPublic, (404,))
def activity(activity_id: str) -> ActivityPublic:
    """One activity: what the plan says, its targets and its current state"""
    detail = visible_activity(activity_id)
    record, state, timing = detail.activity, detail.state, detail.timing
    return ActivityPublic(
        id=record.id,
        plan=detail.plan.slug,
        theme=detail.theme.name,
        title=record.title,
        objectives=record.objectives,
        actions=record.actions,
        wie=record.wie,
        wanneer=record.wanneer,
        timing=TimingPublic(kind=timing.kind, start=timing.start, end=timing.end),
        workgroups=[w.name for w in detail.workgroups],
        status=Status(state.status),
        version=state.version,
        last_note=state.last_note,
        last_update_at=state.last_update_at,
        targets=[
            TargetPublic(
                id=item.indicator.id or 0,
                text=item.target.text,
                comparator=item.target.comparator,
                value=item.target.value,
                unit=item.target.unit,
                per_year=item.target.per_year,
                reached=item.value,
                met=item.met,
            )
            for item in targets_with_progress(db_session(), record.id)
        ],
    )


@operation("get", "/activities/<activity_id>/events", list[EventPublic], (404,))
def activity_events(activity_id: str) -> list[EventPublic]:
    """The activity's events, oldest first"""
    detail = visible_activity(activity_id)
    return [
        EventPublic(
            position=event.position,
            version=event.version,
            type=event.type,
            data=dict(event.data),
            actor=event.actor,
            recorded_at=event.recorded_at,
        )
        for event in EventStore(db_session().connection()).read_stream(detail.activity.id)
    ]


@operation("post", "/activities/<activity_id>/status", ChangeResult, WRITE_ERRORS, StatusChangeIn)
def change_status(activity_id: str, body: StatusChangeIn) -> ChangeResult:
    """Change the status (the same status with a note: record a progress note)"""
    command = ChangeActivityStatus(
        principal(),
        activity_id=activity_id,
        status=body.status,
        note=body.note or "",
        expected_version=body.expected_version,
    )
    return _run(change_activity_status, command)


@operation("post", "/activities/<activity_id>/progress", ChangeResult, WRITE_ERRORS, ProgressIn)
def record_target_progress(activity_id: str, body: ProgressIn) -> ChangeResult:
    """Record the value a measurable target has reached"""
    command = RecordProgress(
        principal(),
        activity_id=activity_id,
        indicator_id=body.target_id,
        value=body.value,
        note=body.note or "",
        expected_version=body.expected_version,
    )
    return _run(record_progress, command)


def _run(
    handler: Callable[[UnitOfWork, Command, Clock], StatusChangeResult], command: Command
) -> ChangeResult:
    """Run a write command: the new version, or the precise JSON error (400, 409; 403 and
    404 come from the handler's access check, answered by tracker.web.errors)."""
    try:
        result = handler(services().db.unit_of_work(), command, services().clock)
    except StatusError as refused:
        refuse(400, Error(error=refused.code, message=refusal_message(refused)))
    except ConcurrencyError as conflict:
        current = conflict.actual
        if current is None:
            current = EventStore(db_session().connection()).current_version(command.activity_id)
        message = "the activity was updated by someone else; reload it and try again"
        refuse(409, Conflict(error="conflict", message=message, current_version=current))
    return ChangeResult(
        id=command.activity_id, status=Status(result.status), version=result.version
    )


def _query(model: type[Model]) -> Model:
    """The request's query parameters as the model, or a 400 naming each problem."""
    try:
        return model.model_validate(request.args.to_dict())
    except pydantic.ValidationError as invalid:
        missing = any(problem["type"] == "missing" for problem in invalid.errors())
        kind = "missing_parameter" if missing else "invalid_parameter"
        refuse(400, Error(error=kind, message=_problems(invalid, "query parameter ")))


def _body(model: type[Model]) -> Model:
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
        refuse(400, Error(error="invalid_request", message=_problems(invalid)))


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
