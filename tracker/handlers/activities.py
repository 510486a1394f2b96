"""Activity handlers: a status change, a target's progress, a delivered reminder, and the
start of tracking (command → access check → load → decide → append → project).

An activity is loaded from its read-model row, the snapshot kept with every append (see
tracker/projections.py); `replay_activity` folds its stream instead, and tests check they agree.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import col, func, select

from events.store import ConcurrencyError, NewEvent, RecordedEvent
from tracker import projections
from tracker.clock import AMSTERDAM, Clock
from tracker.database import UnitOfWork
from tracker.domain import events as domain_events
from tracker.domain.access import NotFound
from tracker.domain.activity import Activity, ActivityNotPlanned, HappenedOn, evolve
from tracker.domain.commands import (
    ChangeActivityStatus,
    PlanActivity,
    RecordProgress,
    RecordReminderSent,
    ReopenActivity,
    WithdrawActivity,
)
from tracker.domain.events import Recorded
from tracker.domain.plan import PlannedActivity
from tracker.domain.status import Status
from tracker.domain.timing import parse_timing
from tracker.handlers.marker import handler
from tracker.ids import activity_id_for
from tracker.models import Activity as ActivityRecord
from tracker.models import ActivityWorkgroup, Indicator, Plan, Theme, Workgroup


class UnknownActivity(NotFound):
    """No activity with this id exists, or the person may not see it (HTTP 404)."""


@dataclass(frozen=True)
class StatusChangeResult:
    status: str
    version: int
    events: Sequence[RecordedEvent]


def append_decided(
    uow: UnitOfWork,
    activity: Activity | None,
    new: Sequence[domain_events.DomainEvent],
    actor_id: int | None,
    clock: Clock,
) -> tuple[Activity, list[RecordedEvent]]:
    """Append the events the aggregate decided (after the version it was loaded at), fold
    them into it, and save its new state as the read model, all in the caller's unit of
    work; returns the activity as it is now and the stored events."""
    if not new:
        assert activity is not None
        return activity, []
    stream_id = new[0].activity_id
    expected = activity.version if activity is not None else 0
    before = dataclasses.replace(activity) if activity is not None else None
    stored = uow.events.append(
        stream_id,
        expected,
        [NewEvent(*domain_events.encode(event)) for event in new],
        actor=actor_id,
        recorded_at=clock.now(),
    )
    after = activity
    for event, record in zip(new, stored, strict=True):
        after = evolve(after, Recorded(event, record.version, record.recorded_at, actor_id))
    assert after is not None
    projections.save(uow.connection, before, after)
    return after, stored


def load_activity(uow: UnitOfWork, activity_id: str) -> Activity:
    """The Activity aggregate from its snapshot (the read-model row kept with every append),
    or raise UnknownActivity.

    Writers are serialised before the read (SQLite: BEGIN IMMEDIATE; PostgreSQL: the event
    table's lock, which every append takes anyway), so the row is the current state."""
    uow.events.lock_for_append()
    activity = projections.load(uow.connection, activity_id)
    if activity is None:
        raise UnknownActivity(activity_id)
    return activity


# The activity's state with what the access rules need (its network and workgroups): one
# query on the path of every status change, built once.
_STATE_WITH_ACCESS = (
    sa.select(projections.state_table, col(Plan.network_id), col(ActivityWorkgroup.workgroup_id))
    .join(Plan, col(Plan.id) == projections.state_table.c.plan_id)
    .outerjoin(
        ActivityWorkgroup,
        col(ActivityWorkgroup.activity_id) == projections.state_table.c.activity_id,
    )
    .where(projections.state_table.c.activity_id == sa.bindparam("activity_id"))
)


def activity_with_access(
    uow: UnitOfWork, activity_id: str
) -> tuple[Activity, int, tuple[int, ...]] | None:
    """The activity (its snapshot), its network and its workgroups; None if there is none."""
    rows = uow.connection.execute(_STATE_WITH_ACCESS, {"activity_id": activity_id}).all()
    if not rows:
        return None
    workgroups = tuple(sorted(row.workgroup_id for row in rows if row.workgroup_id is not None))
    return projections.from_row(rows[0]), rows[0].network_id, workgroups


def replay_activity(uow: UnitOfWork, activity_id: str) -> Activity:
    """Rebuild the Activity aggregate from its stream, or raise UnknownActivity."""
    stored = uow.events.read_stream(activity_id)
    try:
        return Activity.replay(activity_id, projections.domain_events(stored))
    except ActivityNotPlanned:
        raise UnknownActivity(activity_id) from None


@handler
def change_activity_status(
    uow: UnitOfWork, command: ChangeActivityStatus, clock: Clock
) -> StatusChangeResult:
    """Apply a status update; raises UnknownActivity (also for an activity the person may not
    see), Forbidden, StatusError or ConcurrencyError."""
    return apply_decision(
        uow,
        command,
        clock,
        lambda activity: activity.decide_status_change(
            command.status, command.note, _happened(uow, activity, command.happened_on, clock)
        ),
    )


@handler
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
            _happened(uow, activity, command.happened_on, clock),
        )

    return apply_decision(uow, command, clock, decide)


def _happened(
    uow: UnitOfWork, activity: Activity, day: date | None, clock: Clock
) -> HappenedOn | None:
    """The day an update says it happened, with its bounds (today, the plan's year)."""
    if day is None:
        return None
    plan = uow.session.get(Plan, activity.plan_id)
    assert plan is not None
    return HappenedOn(day, clock.now().astimezone(AMSTERDAM).date(), plan.year)


# The commands `apply_decision` runs: each names one activity and the version the person saw.
ActivityCommand = ChangeActivityStatus | RecordProgress | WithdrawActivity | ReopenActivity


def apply_decision(
    uow: UnitOfWork,
    command: ActivityCommand,
    clock: Clock,
    decide: Callable[[Activity], list[domain_events.DomainEvent]],
    coordinators_only: bool = False,
) -> StatusChangeResult:
    """Check the person's rights (the activity's workgroups, or with `coordinators_only` the
    network's coordinators), load the activity, refuse a stale decision, let the aggregate
    decide, append, commit.

    With an `expected_version` the change is refused when the activity moved on since the
    person looked at it (reminders delivered since do not count: `Activity.is_stale`);
    without one, it applies to the current version.
    """
    actor = command.actor
    with uow:
        uow.events.lock_for_append()
        found = activity_with_access(uow, command.activity_id)
        if found is None or not actor.can_view_network(found[1]):
            raise UnknownActivity(command.activity_id)
        activity, network_id, workgroup_ids = found
        if coordinators_only:
            actor.require_coordinator(network_id)
        else:
            actor.require_update(network_id, workgroup_ids)
        check_fresh(activity, command.expected_version)
        activity, recorded = append_decided(uow, activity, decide(activity), actor.user_id, clock)
        uow.commit()
    return StatusChangeResult(activity.status.value, activity.version, recorded)


def check_fresh(activity: Activity, expected_version: int | None) -> None:
    """Raise ConcurrencyError when the activity moved on since the person saw
    `expected_version` (None: no check)."""
    expected = activity.version if expected_version is None else expected_version
    if activity.is_stale(expected):
        raise ConcurrencyError(activity.activity_id, expected, activity.version)


@handler
def record_reminder_sent(uow: UnitOfWork, command: RecordReminderSent, clock: Clock) -> int:
    """Append a ReminderSent to the stream of each listed activity that still exists; returns
    how many. Runs in the caller's unit of work (the outbox row is marked sent in it too)."""
    recorded = 0
    for activity_id in command.activity_ids:
        try:
            activity = load_activity(uow, activity_id)
        except UnknownActivity:
            continue  # removed from the plan since the mail was written
        new = activity.record_reminder(
            command.kind,
            command.period,
            command.outbox_id,
            workgroup_id=command.workgroup_id,
            user_id=command.user_id,
        )
        append_decided(uow, activity, new, None, clock)
        recorded += 1
    return recorded


@handler
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
    theme = theme_named(uow, command.plan_id, content.theme)
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
    append_decided(uow, None, [planned], command.actor_id, clock)
    return True


def theme_named(uow: UnitOfWork, plan_id: int, name: str) -> Theme:
    """The plan's theme of that name, made (last in order) when it has none."""
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
    return 0 if highest is None else highest + 1


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
    kept_note: str = "",
) -> CarriedOver:
    """Carry one activity into `target` (in the caller's unit of work; access is checked by
    the caller). Its stream gets ActivityCarriedOver (status doorgeschoven); its continuation
    is a new activity with the same content, planned with `carried_from` and the reason, or,
    when the target already holds an activity of the same title (imported from its
    document), that activity is linked with ActivityCarriedIn. The continuation keeps the
    work's state (`keep_state`, with `kept_note`). Nothing is recorded twice.
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
        append_decided(
            uow, existing, existing.decide_carried_in(activity_id, reason), actor_id, clock
        )
    keep_state(uow, activity, target_id, kept_note, actor_id, clock)
    append_decided(uow, activity, new, actor_id, clock)
    return CarriedOver(activity_id, target_id, content.title, created, False)


def keep_state(
    uow: UnitOfWork,
    origin: Activity,
    continuation_id: str,
    note: str,
    actor_id: int | None,
    clock: Clock,
) -> None:
    """The continuation of carried work goes on where the work was: lopend or vertraagd
    work keeps its status (when the continuation is still gepland), and each target keeps
    its latest value (matched by its text; a target that has a value already keeps it)."""
    continuation = load_activity(uow, continuation_id)
    new: list[domain_events.DomainEvent] = []
    if origin.status in (Status.LOPEND, Status.VERTRAAGD) and (
        continuation.status is Status.GEPLAND
    ):
        new += continuation.decide_status_change(origin.status.value, note)
    targets: dict[str, list[int]] = {}
    for indicator in _indicators(uow, continuation_id):
        targets.setdefault(indicator.text, []).append(indicator.id or 0)
    known = [i for ids in targets.values() for i in ids]
    for indicator in _indicators(uow, origin.activity_id):
        matching = targets.get(indicator.text)
        if not matching:
            continue
        target_id = matching.pop(0)
        value = origin.target_values.get(indicator.id or 0)
        if value is not None and target_id not in continuation.target_values:
            new += continuation.decide_progress(target_id, value, note, known)
    append_decided(uow, continuation, new, actor_id, clock)


def _indicators(uow: UnitOfWork, activity_id: str) -> Sequence[Indicator]:
    return uow.session.exec(
        select(Indicator)
        .where(Indicator.activity_id == activity_id)
        .order_by(col(Indicator.position))
    ).all()
