"""The JSON API under /api/v1: the same rules as the pages, with precise JSON errors.

Authentication: a bearer token (`flask --app wsgi create-token EMAIL`) or the browser session.
A write through the session must carry the CSRF token in the X-CSRFToken header, so another
site cannot make a signed-in browser post here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import login_required
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from events.store import ConcurrencyError, EventStore
from tracker.clock import Clock
from tracker.database import UnitOfWork
from tracker.domain.activity import MAX_NOTE_LENGTH
from tracker.domain.commands import ChangeActivityStatus, RecordProgress
from tracker.domain.status import StatusError
from tracker.handlers.activities import (
    StatusChangeResult,
    change_activity_status,
    record_progress,
)
from tracker.queries import (
    ActivityDetail,
    OverviewFilters,
    plan_activities,
    status_counts,
    targets_with_progress,
    visible_plans,
)
from tracker.services import db_session, services
from tracker.web.access import principal, visible_activity, visible_plan
from tracker.web.messages import refusal_message
from tracker.web.openapi import openapi_document

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

STATUS_FIELDS = {"status", "note", "expected_version"}
Command = TypeVar("Command", ChangeActivityStatus, RecordProgress)
PROGRESS_FIELDS = {"target_id", "value", "note", "expected_version"}


def error(code: int, kind: str, message: str, **extra: Any) -> ResponseReturnValue:
    return jsonify(error=kind, message=message, **extra), code


@blueprint.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(openapi_document())


@blueprint.get("/plans")
@login_required
def plans() -> ResponseReturnValue:
    result = []
    for plan, network in visible_plans(db_session(), principal()):
        counts = status_counts(db_session(), plan.id or 0)
        result.append(
            {
                "slug": plan.slug,
                "year": plan.year,
                "title": plan.title,
                "motto": plan.motto,
                "network": network.slug,
                "status_counts": {status.value: n for status, n in counts.items()},
            }
        )
    return jsonify(result)


@blueprint.get("/activities")
@login_required
def activities() -> ResponseReturnValue:
    slug = request.args.get("plan", "").strip()
    if not slug:
        return error(400, "missing_parameter", "query parameter 'plan' (a plan slug) is required")
    plan, _network = visible_plan(slug)
    rows = plan_activities(db_session(), plan, OverviewFilters())
    return jsonify(
        [
            {
                "id": row.activity.id,
                "title": row.activity.title,
                "theme": row.theme.name,
                "status": row.state.status,
                "version": row.state.version,
            }
            for row in rows
        ]
    )


def _activity_json(detail: ActivityDetail) -> dict[str, Any]:
    timing = detail.timing
    return {
        "id": detail.activity.id,
        "plan": detail.plan.slug,
        "theme": detail.theme.name,
        "title": detail.activity.title,
        "objectives": detail.activity.objectives,
        "actions": detail.activity.actions,
        "wie": detail.activity.wie,
        "wanneer": detail.activity.wanneer,
        "timing": {
            "kind": timing.kind.value,
            "start": timing.start.isoformat() if timing.start else None,
            "end": timing.end.isoformat() if timing.end else None,
        },
        "workgroups": [w.name for w in detail.workgroups],
        "status": detail.state.status,
        "version": detail.state.version,
        "last_note": detail.state.last_note,
        "last_update_at": detail.state.last_update_at.isoformat()
        if detail.state.last_update_at
        else None,
        "targets": [
            {
                "id": item.indicator.id,
                "text": item.target.text,
                "comparator": str(item.target.comparator),
                "value": item.target.value,
                "unit": item.target.unit,
                "per_year": item.target.per_year,
                "reached": item.value,
                "met": item.met,
            }
            for item in targets_with_progress(db_session(), detail.activity.id)
        ],
    }


@blueprint.get("/activities/<activity_id>")
@login_required
def activity(activity_id: str) -> ResponseReturnValue:
    return jsonify(_activity_json(visible_activity(activity_id)))


@blueprint.get("/activities/<activity_id>/events")
@login_required
def activity_events(activity_id: str) -> ResponseReturnValue:
    detail = visible_activity(activity_id)
    recorded = EventStore(db_session().connection()).read_stream(detail.activity.id)
    return jsonify(
        [
            {
                "position": event.position,
                "version": event.version,
                "type": event.type,
                "data": dict(event.data),
                "actor": event.actor,
                "recorded_at": event.recorded_at.isoformat(),
            }
            for event in recorded
        ]
    )


def _write_request() -> dict[str, Any] | ResponseReturnValue:
    """The JSON body of a write, or the error answer (CSRF, media type, shape). Who may
    change what is the handler's to decide (tracker.handlers)."""
    if not g.get("auth_by_token") and current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except ValidationError:
            return error(403, "csrf_failed", "send the CSRF token in the X-CSRFToken header")
    if not request.is_json:
        return error(
            415, "unsupported_media_type", "send a JSON body (Content-Type: application/json)"
        )
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error(400, "invalid_json", "the body must be a JSON object")
    return body


def _conflict(activity_id: str, conflict: ConcurrencyError) -> ResponseReturnValue:
    current = conflict.actual
    if current is None:
        current = EventStore(db_session().connection()).current_version(activity_id)
    return error(
        409,
        "conflict",
        "the activity was updated by someone else; reload it and try again",
        current_version=current,
    )


@blueprint.post("/activities/<activity_id>/status")
@login_required
def change_status(activity_id: str) -> ResponseReturnValue:
    body = _write_request()
    if not isinstance(body, dict):
        return body
    problems = _validate_status_body(body)
    if problems:
        return error(400, "invalid_request", "; ".join(problems))
    command = ChangeActivityStatus(
        principal(),
        activity_id=activity_id,
        status=body["status"],
        note=body.get("note") or "",
        expected_version=body["expected_version"],
    )
    return _run(change_activity_status, command)


@blueprint.post("/activities/<activity_id>/progress")
@login_required
def record_target_progress(activity_id: str) -> ResponseReturnValue:
    body = _write_request()
    if not isinstance(body, dict):
        return body
    problems = _validate_progress_body(body)
    if problems:
        return error(400, "invalid_request", "; ".join(problems))
    command = RecordProgress(
        principal(),
        activity_id=activity_id,
        indicator_id=body["target_id"],
        value=float(body["value"]),
        note=body.get("note") or "",
        expected_version=body["expected_version"],
    )
    return _run(record_progress, command)


def _run(
    handler: Callable[[UnitOfWork, Command, Clock], StatusChangeResult], command: Command
) -> ResponseReturnValue:
    """Run a write command; the new version, or the precise JSON error (400, 409; 403 and
    404 come from the handler's access check, answered by tracker.web.errors)."""
    try:
        result = handler(services().db.unit_of_work(), command, services().clock)
    except StatusError as refused:
        return error(400, refused.code, refusal_message(refused))
    except ConcurrencyError as conflict:
        return _conflict(command.activity_id, conflict)
    return jsonify(id=command.activity_id, status=result.status, version=result.version)


def _validate_progress_body(body: dict[str, Any]) -> list[str]:
    problems = []
    unknown = sorted(set(body) - PROGRESS_FIELDS)
    if unknown:
        problems.append(f"unknown field(s): {', '.join(unknown)}")
    target = body.get("target_id")
    if not isinstance(target, int) or isinstance(target, bool):
        problems.append("'target_id' is required and must be an integer")
    value = body.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool):
        problems.append("'value' is required and must be a number")
    note = body.get("note", "")
    if note is not None and not isinstance(note, str):
        problems.append("'note' must be a string")
    version = body.get("expected_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        problems.append("'expected_version' is required and must be a non-negative integer")
    return problems


def _validate_status_body(body: dict[str, Any]) -> list[str]:
    problems = []
    unknown = sorted(set(body) - STATUS_FIELDS)
    if unknown:
        problems.append(f"unknown field(s): {', '.join(unknown)}")
    status = body.get("status")
    if not isinstance(status, str) or not status.strip():
        problems.append("'status' is required and must be a non-empty string")
    note = body.get("note", "")
    if note is not None and not isinstance(note, str):
        problems.append("'note' must be a string")
    elif isinstance(note, str) and len(note.strip()) > MAX_NOTE_LENGTH:
        problems.append(f"'note' is longer than {MAX_NOTE_LENGTH} characters")
    version = body.get("expected_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        problems.append("'expected_version' is required and must be a non-negative integer")
    return problems
