"""Changing the plan during the year (coordinators of the network, admins): amend, add,
withdraw and reopen activities, rename a theme, make a plan in the app.

Every change is an event in the activity's stream (ActivityAmended with old → new per field,
ActivityWithdrawn, ActivityReopened, ActivityPlanned); the plan's rows (activity, theme,
activity_workgroup) are its current state, updated in the same transaction. Reports of an
earlier moment undo the later amendments (tracker.domain.plan_changes.Content.as_of).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import col, select

from tracker.clock import Clock
from tracker.database import UnitOfWork
from tracker.domain.access import NotFound, Principal
from tracker.domain.commands import (
    AddActivity,
    AmendActivity,
    CreatePlan,
    PlanActivity,
    RenameTheme,
    ReopenActivity,
    WithdrawActivity,
)
from tracker.domain.events import AMENDABLE_FIELDS
from tracker.domain.plan import PlannedActivity
from tracker.domain.plan_changes import (
    Content,
    PlanChangeRefused,
    checked,
    checked_plan_title,
    checked_theme_name,
    decide_amendment,
)
from tracker.domain.status import Status
from tracker.domain.timing import parse_timing
from tracker.handlers.activities import (
    StatusChangeResult,
    UnknownActivity,
    activity_with_access,
    append_decided,
    apply_decision,
    check_fresh,
    load_activity,
    plan_activity,
    theme_named,
)
from tracker.handlers.marker import handler
from tracker.handlers.plans import coordinated_plan, plan_of_year
from tracker.ids import activity_id_for
from tracker.importing.stored import planned_contents
from tracker.models import Activity as ActivityRecord
from tracker.models import ActivityWorkgroup, Network, Plan, Theme, Workgroup
from tracker.projections import ActivityState
from tracker.queries import plan_for_year

FIRST_PLAN_YEAR = 2000
LAST_PLAN_YEAR = 2100


@dataclass(frozen=True)
class AmendResult:
    version: int
    changed: tuple[str, ...]  # the fields that changed
    timing_kind: str  # how the (new) wanneer was read; "unreadable" is flagged to the person


@handler
def amend_activity(uow: UnitOfWork, command: AmendActivity, clock: Clock) -> AmendResult:
    """Change what the plan says about an activity; raises UnknownActivity (also for one
    the person may not see), Forbidden, PlanChangeRefused or ConcurrencyError."""
    # The command's fields by their names in the plan (its workgroups by id); None: unchanged.
    given = {name: getattr(command, name, None) for name in AMENDABLE_FIELDS}
    given["workgroups"] = command.workgroup_ids
    edits = {name: value for name, value in given.items() if value is not None}
    with uow:
        uow.events.lock_for_append()
        result = amend_in(
            uow,
            command.actor,
            command.activity_id,
            edits,
            command.reason,
            command.expected_version,
            clock,
        )
        uow.commit()
        return result


def amend_in(
    uow: UnitOfWork,
    actor: Principal,
    activity_id: str,
    edits: dict[str, Any],
    reason: str,
    expected_version: int | None,
    clock: Clock,
) -> AmendResult:
    """Amend an activity with `edits` (field → new value) in the caller's unit of work,
    after `lock_for_append`; the rules and refusals of `amend_activity`."""
    found = activity_with_access(uow, activity_id)
    if found is None or not actor.can_view_network(found[1]):
        raise UnknownActivity(activity_id)
    activity, network_id, _ = found
    actor.require_coordinator(network_id)
    check_fresh(activity, expected_version)
    record, current = _content(uow, activity_id)
    new = decide_amendment(
        activity_id, current, current.changed(edits), reason, network_workgroups(uow, network_id)
    )
    changes = new[0].changes  # type: ignore[attr-defined]
    if "title" in changes:  # two activities of a plan never share a title (as when added)
        taken = uow.session.exec(
            select(ActivityRecord.id).where(
                ActivityRecord.plan_id == record.plan_id,
                ActivityRecord.title == changes["title"][1],
            )
        ).first()
        if taken is not None:
            raise PlanChangeRefused("title_taken", "title")
    amended = current.changed({name: pair[1] for name, pair in changes.items()})
    _write_content(uow, record, amended)
    activity, _ = append_decided(uow, activity, new, actor.user_id, clock)
    return AmendResult(activity.version, tuple(changes), record.timing_kind)


@handler
def withdraw_activity(
    uow: UnitOfWork, command: WithdrawActivity, clock: Clock
) -> StatusChangeResult:
    """Take an activity out of the plan (vervallen); coordinators and admins."""
    return apply_decision(
        uow,
        command,
        clock,
        lambda activity: activity.decide_withdrawal(command.reason),
        coordinators_only=True,
    )


@handler
def reopen_activity(uow: UnitOfWork, command: ReopenActivity, clock: Clock) -> StatusChangeResult:
    """Open a closed activity again; coordinators and admins."""
    return apply_decision(
        uow,
        command,
        clock,
        lambda activity: activity.decide_reopening(command.status, command.reason),
        coordinators_only=True,
    )


@handler
def add_activity(uow: UnitOfWork, command: AddActivity, clock: Clock) -> str:
    """Add an activity to a running plan (a new theme is made); returns its id. Raises
    NotFound, Forbidden or PlanChangeRefused (a title the plan already has, bad input)."""
    with uow:
        uow.events.lock_for_append()
        plan = coordinated_plan(uow.session, command.actor, command.plan_id)
        content = Content(
            command.title,
            command.theme,
            command.objectives,
            command.actions,
            command.wie,
            command.wanneer,
            command.workgroup_ids,
        )
        activity_id = add_in(uow, plan, command.actor, content, clock)
        uow.commit()
    return activity_id


def add_in(uow: UnitOfWork, plan: Plan, actor: Principal, content: Content, clock: Clock) -> str:
    """Add an activity to `plan` in the caller's unit of work, after `lock_for_append` and
    the access check; the rules and refusals of `add_activity`."""
    content = checked(content)
    names = network_workgroups(uow, plan.network_id)
    if not set(content.workgroups) <= set(names):
        raise PlanChangeRefused("unknown_workgroup", "workgroups")
    taken = uow.session.exec(
        select(ActivityRecord.id).where(
            ActivityRecord.plan_id == plan.id, ActivityRecord.title == content.title
        )
    ).first()
    if taken is not None:
        raise PlanChangeRefused("title_taken", "title")
    activity_id = activity_id_for(plan.slug, content.title)
    if uow.events.current_version(activity_id) > 0:  # the title an amended one had
        activity_id = activity_id_for(plan.slug, f"{content.title}\n{clock.now().isoformat()}")
    planned = PlannedActivity(
        title=content.title,
        theme=content.theme,
        objectives=content.objectives,
        actions=content.actions,
        wie=content.wie,
        wanneer=content.wanneer,
        workgroups=tuple(names[i] for i in content.workgroups),
    )
    assert plan.id is not None
    plan_activity(uow, PlanActivity(activity_id, plan.id, planned, actor.user_id), clock)
    return activity_id


@handler
def rename_theme(uow: UnitOfWork, command: RenameTheme, clock: Clock) -> int:
    """Rename a theme of a plan: each of its activities records the amendment; returns how
    many. Raises NotFound (also for an unknown theme), Forbidden or PlanChangeRefused."""
    with uow:
        uow.events.lock_for_append()
        plan = coordinated_plan(uow.session, command.actor, command.plan_id)
        new_name = checked_theme_name(command.new_name)
        theme = uow.session.exec(
            select(Theme).where(Theme.plan_id == plan.id, Theme.name == command.theme)
        ).first()
        if theme is None:
            raise NotFound(command.theme)
        if new_name == theme.name:
            raise PlanChangeRefused("nothing_changed", "theme")
        clash = uow.session.exec(
            select(Theme.id).where(Theme.plan_id == plan.id, Theme.name == new_name)
        ).first()
        if clash is not None:
            raise PlanChangeRefused("theme_exists", "theme")
        ids = uow.session.exec(
            select(ActivityRecord.id)
            .where(ActivityRecord.theme_id == theme.id)
            .order_by(col(ActivityRecord.position))
        ).all()
        for activity_id in ids:
            _, current = _content(uow, activity_id)
            new = decide_amendment(
                activity_id,
                current,
                current.changed({"theme": new_name}),
                command.reason,
                current.workgroups,
            )
            append_decided(uow, load_activity(uow, activity_id), new, command.actor.user_id, clock)
        theme.name = new_name
        uow.session.add(theme)
        uow.commit()
    return len(ids)


@dataclass(frozen=True)
class PlanMade:
    id: int
    slug: str
    title: str


@handler
def create_plan(uow: UnitOfWork, command: CreatePlan, clock: Clock) -> PlanMade:
    """Make the network's plan of a year: empty with its themes, or with the activities of
    an earlier plan of the network (`copy_from`), each new and planned (gepland), without
    the earlier statuses. Raises NotFound, Forbidden or PlanChangeRefused."""
    command.actor.require_coordinator(command.network_id)
    title = checked_plan_title(command.title)
    if not FIRST_PLAN_YEAR <= command.year <= LAST_PLAN_YEAR:
        raise PlanChangeRefused("invalid_year", "year")
    if len(command.motto) > 200:
        raise PlanChangeRefused("too_long", "motto")
    themes = list(dict.fromkeys(checked_theme_name(name) for name in command.themes))
    with uow:
        uow.events.lock_for_append()
        network = uow.session.get(Network, command.network_id)
        if network is None:
            raise NotFound(command.network_id)
        if plan_for_year(uow.session, command.network_id, command.year) is not None:
            raise PlanChangeRefused("plan_exists", "year")
        source = None
        if command.copy_from is not None:
            source = uow.session.get(Plan, command.copy_from)
            if source is None or source.network_id != network.id:
                raise NotFound(command.copy_from)
        plan = plan_of_year(
            uow.session, network, command.year, title=title, motto=command.motto.strip()
        )
        assert plan.id is not None
        for name in themes:
            theme_named(uow, plan.id, name)
        if source is not None:
            _copy_activities(uow, source, plan, command.actor, clock)
        made = PlanMade(plan.id, plan.slug, plan.title)
        uow.commit()
    return made


def _copy_activities(
    uow: UnitOfWork, source: Plan, plan: Plan, actor: Principal, clock: Clock
) -> None:
    """Plan each activity of `source` (but the withdrawn ones) again in `plan`."""
    rows = uow.session.exec(
        select(ActivityRecord, Theme)
        .join(Theme, col(Theme.id) == ActivityRecord.theme_id)
        .join(ActivityState, col(ActivityState.activity_id) == ActivityRecord.id)
        .where(ActivityRecord.plan_id == source.id)
        .where(ActivityState.status != Status.VERVALLEN.value)
        .order_by(col(Theme.position), col(ActivityRecord.position))
    ).all()
    assert plan.id is not None
    for content in planned_contents(uow.session, rows):
        copied = replace(content, source=f"{source.slug} › {content.title}", carried_from_year=None)
        activity_id = activity_id_for(plan.slug, content.title)
        plan_activity(uow, PlanActivity(activity_id, plan.id, copied, actor.user_id), clock)


def _content(uow: UnitOfWork, activity_id: str) -> tuple[ActivityRecord, Content]:
    """The activity's row and what it says now."""
    record = uow.session.get(ActivityRecord, activity_id)
    if record is None:
        raise UnknownActivity(activity_id)
    theme = uow.session.get(Theme, record.theme_id)
    assert theme is not None
    workgroups = uow.session.exec(
        select(ActivityWorkgroup.workgroup_id)
        .where(ActivityWorkgroup.activity_id == activity_id)
        .order_by(col(ActivityWorkgroup.position))
    ).all()
    content = Content(
        title=record.title,
        theme=theme.name,
        objectives=record.objectives,
        actions=record.actions,
        wie=record.wie,
        wanneer=record.wanneer,
        workgroups=tuple(workgroups),
        position=record.position,
    )
    return record, content


def _write_content(uow: UnitOfWork, record: ActivityRecord, content: Content) -> None:
    """The activity's rows saying `content` (wanneer read again by the timing parser)."""
    plan = uow.session.get(Plan, record.plan_id)
    assert plan is not None
    timing = parse_timing(content.wanneer, plan.year)
    record.title = content.title
    record.objectives = content.objectives
    record.actions = content.actions
    record.wie = content.wie
    record.wanneer = content.wanneer
    record.timing_kind = timing.kind.value
    record.period_start = timing.start
    record.period_end = timing.end
    record.position = content.position
    record.theme_id = theme_named(uow, record.plan_id, content.theme).id  # type: ignore[assignment]
    uow.session.add(record)
    links = uow.session.exec(
        select(ActivityWorkgroup).where(ActivityWorkgroup.activity_id == record.id)
    ).all()
    for link in links:
        uow.session.delete(link)
    uow.session.flush()
    for position, workgroup_id in enumerate(content.workgroups):
        uow.session.add(
            ActivityWorkgroup(activity_id=record.id, workgroup_id=workgroup_id, position=position)
        )
    uow.session.flush()


def network_workgroups(uow: UnitOfWork, network_id: int) -> dict[int, str]:
    """The network's workgroups: id → name."""
    rows = uow.session.exec(
        select(Workgroup.id, Workgroup.name).where(Workgroup.network_id == network_id)
    )
    return {id_: name for id_, name in rows if id_ is not None}
