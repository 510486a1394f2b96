"""Activity handlers: a status change, a target's progress, a delivered reminder, and the
start of tracking (command → access check → load → decide → append → project).

An activity is loaded from its read-model row, the snapshot kept with every append (see
events/projections.py); `replay_activity` folds its stream instead, and tests check they agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlmodel import func, select

from events import projections
from events.driver import pipeline
from events.store import ConcurrencyError, NewEvent, RecordedEvent
from tracker.clock import Clock
from tracker.database import UnitOfWork
from tracker.domain import events as domain_events
from tracker.domain.access import NotFound, Principal
from tracker.domain.activity import Activity, ActivityNotPlanned
from tracker.domain.commands import (
    ChangeActivityStatus,
    PlanActivity,
    RecordProgress,
    RecordReminderSent,
)
from tracker.domain.plan import PlannedActivity
from tracker.domain.status import Status
from tracker.domain.timing import parse_timing
from tracker.ids import activity_id_for
from tracker.models import Activity as ActivityRecord
from tracker.models import ActivityWorkgroup, Indicator, Plan, Theme, Workgroup
from tracker.queries import activity_access


class UnknownActivity(NotFound):
    """No activity with this id exists, or the person may not see it (HTTP 404)."""


@dataclass(frozen=True)
class StatusChangeResult:
    status: str
    version: int
    events: Sequence[RecordedEvent]


@dataclass(frozen=True)
class _Loaded:
    """An aggregate and the read-model row it was made from (its snapshot)."""

    activity: Activity
    row: projections.ActivityRow


def _append(
    uow: UnitOfWork,
    stream_id: str,
    expected_version: int,
    new: Sequence[domain_events.DomainEvent],
    actor_id: int | None,
    clock: Clock,
    snapshot: projections.ActivityRow | None = None,
) -> list[RecordedEvent]:
    encoded = [NewEvent(*domain_events.encode(event)) for event in new]
    loaded = {stream_id: snapshot} if snapshot is not None else None
    return uow.events.append(
        stream_id,
        expected_version,
        encoded,
        actor=actor_id,
        recorded_at=clock.now(),
        project=lambda recorded: projections.apply(uow.connection, recorded, loaded),
    )


def _load(uow: UnitOfWork, activity_id: str) -> _Loaded:
    # Writers are serialised before the read (SQLite: BEGIN IMMEDIATE; PostgreSQL: the
    # event table's lock, which every append takes anyway), so the row is the current state.
    with pipeline(uow.connection):  # PostgreSQL: the lock and the read in one round trip
        uow.events.lock_for_append()
        answer = projections.send_load_row(uow.connection, activity_id)
    row = answer()  # read after the block: reading inside would cost a round trip more
    if row is None:
        raise UnknownActivity(activity_id)
    activity = Activity(
        activity_id,
        row.plan_id,
        Status(row.status),
        row.version,
        carried_from=row.carried_from,
        carried_to=row.carried_to,
        decided_version=row.decided_version,
    )
    return _Loaded(activity, row)


def load_activity(uow: UnitOfWork, activity_id: str) -> Activity:
    """The Activity aggregate from its snapshot (the read-model row kept with every append),
    or raise UnknownActivity. `replay_activity` folds the stream instead; they agree."""
    return _load(uow, activity_id).activity


def replay_activity(uow: UnitOfWork, activity_id: str) -> Activity:
    """Rebuild the Activity aggregate from its stream, or raise UnknownActivity."""
    stored = uow.events.read_stream(activity_id)
    try:
        return Activity.replay(
            activity_id,
            [
                domain_events.decode(event.type, event.data)
                for event in stored
                if event.type in domain_events.EVENT_TYPES
            ],
        )
    except ActivityNotPlanned:
        raise UnknownActivity(activity_id) from None


def change_activity_status(
    uow: UnitOfWork, command: ChangeActivityStatus, clock: Clock
) -> StatusChangeResult:
    """Apply a status update; raises UnknownActivity (also for an activity the person may not
    see), Forbidden, StatusError or ConcurrencyError.

    With an `expected_version` the update is refused when the activity moved on since the
    person looked at it (no lost updates; reminders delivered since do not count, see
    `Activity.is_stale`); without one, it applies to the current version.
    """
    return _decide(
        uow,
        command.activity_id,
        command.expected_version,
        command.actor,
        clock,
        lambda activity: activity.decide_status_change(command.status, command.note),
    )


def record_progress(uow: UnitOfWork, command: RecordProgress, clock: Clock) -> StatusChangeResult:
    """Record a target's progress; raises UnknownActivity, Forbidden, StatusError or
    ConcurrencyError."""

    def decide(activity: Activity) -> list[domain_events.DomainEvent]:
        indicator_ids = uow.session.exec(
            select(Indicator.id).where(Indicator.activity_id == command.activity_id)
        ).all()
        return activity.decide_progress(
            command.indicator_id,
            command.value,
            command.note,
            [i for i in indicator_ids if i is not None],
        )

    return _decide(uow, command.activity_id, command.expected_version, command.actor, clock, decide)


def _decide(
    uow: UnitOfWork,
    activity_id: str,
    expected_version: int | None,
    actor: Principal,
    clock: Clock,
    decide: Callable[[Activity], list[domain_events.DomainEvent]],
) -> StatusChangeResult:
    """Check the person's rights, load the activity, refuse a stale decision, let the
    aggregate decide, append, commit.

    With an `expected_version` the change is refused when the activity moved on since the
    person looked at it (reminders delivered since do not count: `Activity.is_stale`).
    """
    with uow:
        found = activity_access(uow.connection, activity_id)
        if found is None or not actor.can_view_network(found.network_id):
            raise UnknownActivity(activity_id)
        actor.require_update(found.network_id, found.workgroup_ids)
        loaded = _load(uow, activity_id)
        activity = loaded.activity
        expected = activity.version if expected_version is None else expected_version
        if activity.is_stale(expected):
            raise ConcurrencyError(activity_id, expected, activity.version)
        new = decide(activity)
        recorded = _append(
            uow, activity_id, activity.version, new, actor.user_id, clock, loaded.row
        )
        uow.commit()
    for event in new:
        activity.apply(event)
    return StatusChangeResult(activity.status.value, activity.version, recorded)


def record_reminder_sent(uow: UnitOfWork, command: RecordReminderSent, clock: Clock) -> int:
    """Append a ReminderSent to the stream of each listed activity that still exists; returns
    how many. Runs in the caller's unit of work (the outbox row is marked sent in it too)."""
    recorded = 0
    for activity_id in command.activity_ids:
        try:
            loaded = _load(uow, activity_id)
        except UnknownActivity:
            continue  # removed from the plan since the mail was written
        new = loaded.activity.record_reminder(
            command.kind,
            command.period,
            command.outbox_id,
            workgroup_id=command.workgroup_id,
            user_id=command.user_id,
        )
        _append(uow, activity_id, loaded.activity.version, new, None, clock, loaded.row)
        recorded += 1
    return recorded


def plan_activity(uow: UnitOfWork, command: PlanActivity, clock: Clock) -> bool:
    """Start tracking an activity: its content, its workgroups and an ActivityPlanned event.

    Idempotent: an activity whose stream already exists is left as it is (returns False),
    so loading the same plan twice creates nothing twice. Runs in the caller's unit of work.
    """
    if uow.events.current_version(command.activity_id) > 0:
        return False
    plan = uow.session.get(Plan, command.plan_id)
    if plan is None:
        raise ValueError(f"no plan {command.plan_id}")
    content = command.content
    theme = _theme(uow, command.plan_id, content.theme)
    timing = parse_timing(content.wanneer, plan.year)
    uow.session.add(
        ActivityRecord(
            id=command.activity_id,
            plan_id=command.plan_id,
            theme_id=theme.id,  # type: ignore[arg-type]
            position=_next_position(uow, command.plan_id),
            title=content.title,
            objectives=content.objectives,
            actions=content.actions,
            wie=content.wie,
            wanneer=content.wanneer,
            timing_kind=timing.kind.value,
            period_start=timing.start,
            period_end=timing.end,
            source=content.source,
            carried_from_year=content.carried_from_year,
            parties="\n".join(content.parties),
        )
    )
    for position, target in enumerate(content.targets):
        uow.session.add(
            Indicator(
                activity_id=command.activity_id,
                position=position,
                text=target.text,
                comparator=str(target.comparator),
                value=target.value,
                unit=target.unit,
                per_year=target.per_year,
            )
        )
    uow.session.flush()
    for position, name in enumerate(content.workgroups):
        workgroup = uow.session.exec(
            select(Workgroup).where(Workgroup.network_id == plan.network_id, Workgroup.name == name)
        ).first()
        if workgroup is None or workgroup.id is None:
            raise ValueError(f"unknown workgroup {name!r}")
        uow.session.add(
            ActivityWorkgroup(
                activity_id=command.activity_id, workgroup_id=workgroup.id, position=position
            )
        )
    uow.session.flush()
    planned = domain_events.ActivityPlanned(
        command.activity_id,
        plan_id=command.plan_id,
        source=content.source,
        carried_from=command.carried_from,
        carry_over_reason=command.carry_over_reason,
    )
    _append(uow, command.activity_id, 0, [planned], command.actor_id, clock)
    return True


def _theme(uow: UnitOfWork, plan_id: int, name: str) -> Theme:
    theme = uow.session.exec(
        select(Theme).where(Theme.plan_id == plan_id, Theme.name == name)
    ).first()
    if theme is None:
        count = len(uow.session.exec(select(Theme.id).where(Theme.plan_id == plan_id)).all())
        theme = Theme(plan_id=plan_id, name=name, position=count)
        uow.session.add(theme)
        uow.session.flush()
    return theme


def _next_position(uow: UnitOfWork, plan_id: int) -> int:
    highest = uow.session.exec(
        select(func.max(ActivityRecord.position)).where(ActivityRecord.plan_id == plan_id)
    ).one()
    return -1 if highest is None else highest + 1


@dataclass(frozen=True)
class CarriedOver:
    """One activity of a carry-over: where it went, and whether this run did anything."""

    from_activity_id: str
    to_activity_id: str
    title: str
    created: bool  # a new activity in the next plan (False: it was there already)
    already_carried: bool  # an earlier run carried it; nothing was recorded now


def carry_activity(
    uow: UnitOfWork,
    activity_id: str,
    content: PlannedActivity,
    target: Plan,
    reason: str,
    actor_id: int | None,
    clock: Clock,
) -> CarriedOver:
    """Carry one activity into `target` (in the caller's unit of work; access is checked by
    the caller). Its stream gets ActivityCarriedOver (status doorgeschoven); its continuation
    is a new activity with the same content, planned with `carried_from` and the reason, or,
    when the target already holds an activity of the same title (imported from its
    document), that activity is linked with ActivityCarriedIn. Nothing is recorded twice.
    """
    assert target.id is not None
    activity = load_activity(uow, activity_id)
    target_id = activity_id_for(target.slug, content.title)
    new = activity.decide_carry_over(target_id, target.id, reason)
    if not new:
        return CarriedOver(activity_id, target_id, content.title, False, True)
    created = plan_activity(
        uow,
        PlanActivity(
            target_id,
            target.id,
            content,
            actor_id,
            carried_from=activity_id,
            carry_over_reason=reason.strip(),
        ),
        clock,
    )
    if not created:
        existing = load_activity(uow, target_id)
        linked = existing.decide_carried_in(activity_id, reason)
        if linked:
            _append(uow, target_id, existing.version, linked, actor_id, clock)
    _append(uow, activity_id, activity.version, new, actor_id, clock)
    return CarriedOver(activity_id, target_id, content.title, created, False)
