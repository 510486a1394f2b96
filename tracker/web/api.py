"""The JSON API under /api/v1: the same rules as the pages, with precise JSON errors.

Authentication: a bearer token (`flask --app wsgi create-token EMAIL`) or the browser session.
A write through the session must carry the CSRF token in the X-CSRFToken header, so another
site cannot make a signed-in browser post here.
"""

from __future__ import annotations

import functools
from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue

from events.store import EventStore
from tracker.domain.attention import Attention, is_overdue
from tracker.domain.commands import ChangeActivityStatus, RecordProgress
from tracker.domain.status import Status
from tracker.handlers.activities import change_activity_status, record_progress
from tracker.queries import (
    OverviewFilters,
    plan_activities,
    status_counts,
    targets_with_progress,
    visible_plans,
)
from tracker.services import db_session
from tracker.web import api_plan_changes  # noqa: F401  (registers the plan's changes)
from tracker.web.access import principal, visible_activity, visible_plan
from tracker.web.activities import today
from tracker.web.api_models import (
    ActivitiesQuery,
    ActivityPublic,
    ActivitySummaryPublic,
    ChangeResult,
    EventPublic,
    PlanPublic,
    ProgressIn,
    StatusChangeIn,
    TargetPublic,
    TimingPublic,
)
from tracker.web.api_operations import (
    OPERATIONS,
    WRITE_ERRORS,
    blueprint,
    operation,
    plan_public,
    run_write,
)
from tracker.web.openapi import openapi_document

__all__ = ["OPERATIONS", "blueprint"]


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
        plan_public(plan, network.slug, status_counts(db_session(), plan.id or 0))
        for plan, network in visible_plans(db_session(), principal())
    ]


@operation("get", "/activities", list[ActivitySummaryPublic], (404,), query=ActivitiesQuery)
def activities(query: ActivitiesQuery) -> list[ActivitySummaryPublic]:
    """Activities of a plan, in the plan's order"""
    plan, _network = visible_plan(query.plan.strip())
    day = today()
    return [
        ActivitySummaryPublic(
            id=row.activity.id,
            title=row.activity.title,
            theme=row.theme.name,
            status=Status(row.state.status),
            version=row.state.version,
            overdue=row.attention(day) is Attention.OVERDUE,
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
        position=record.position,
        status=Status(state.status),
        version=state.version,
        overdue=is_overdue(timing, Status(state.status), today()),
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
        happened_on=body.happened_on,
    )
    return run_write(change_activity_status, command)


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
        happened_on=body.happened_on,
    )
    return run_write(record_progress, command)
