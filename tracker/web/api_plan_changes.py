"""The plan's changes in the JSON API: add, amend, withdraw and reopen activities, rename a
theme, make a plan. The rights are the handlers' (tracker.handlers.plan_changes), as for the
pages: the coordinators of the network and admins; a member or the board gets 403, anyone
outside the network the 404 of an object that does not exist.

The API names workgroups, networks and plans as it shows them (a workgroup's name, a slug);
the commands take ids. A name that names nothing becomes NO_SUCH_ID, an id no row has, so
the handler checks the rights first and then refuses it as it refuses any unknown id: a
refusal never depends on whether the caller may know what exists.
"""

from __future__ import annotations

from sqlmodel import select

from tracker.domain.commands import (
    AddActivity,
    AmendActivity,
    CreatePlan,
    RenameTheme,
    ReopenActivity,
    WithdrawActivity,
)
from tracker.domain.status import Status
from tracker.domain.timing import TimingKind
from tracker.handlers.plan_changes import (
    add_activity,
    amend_activity,
    create_plan,
    rename_theme,
    reopen_activity,
    withdraw_activity,
)
from tracker.models import Network, Plan, Workgroup
from tracker.projections import ActivityState
from tracker.queries import status_counts
from tracker.services import db_session, services
from tracker.web.access import principal, visible_activity, visible_plan
from tracker.web.api_models import (
    ActivityIn,
    AmendmentIn,
    AmendmentResult,
    ChangeResult,
    PlanIn,
    PlanPublic,
    ReopeningIn,
    ThemeRenamed,
    ThemeRenameIn,
    WithdrawalIn,
)
from tracker.web.api_operations import (
    UNVERSIONED_WRITE_ERRORS,
    WRITE_ERRORS,
    operation,
    plan_public,
    run_write,
    write,
)

NO_SUCH_ID = 0  # ids start at 1 (SQLite and PostgreSQL alike)


@operation("post", "/plans", PlanPublic, UNVERSIONED_WRITE_ERRORS, PlanIn)
def add_plan(body: PlanIn) -> PlanPublic:
    """Make a network's plan of a year, empty or from an earlier plan of the network"""
    network_id = _id_of(Network, body.network)
    command = CreatePlan(
        principal(),
        network_id=network_id,
        year=body.year,
        title=body.title,
        motto=body.motto,
        themes=tuple(body.themes),
        copy_from=None if body.copy_from is None else _id_of(Plan, body.copy_from),
    )
    made = write(create_plan, command)
    with services().db.session() as session:  # a fresh read: the request's began before
        plan = session.get(Plan, made.id)
        assert plan is not None
        return plan_public(plan, body.network, status_counts(session, made.id))


@operation("post", "/plans/<plan>/activities", ChangeResult, UNVERSIONED_WRITE_ERRORS, ActivityIn)
def add_plan_activity(plan: str, body: ActivityIn) -> ChangeResult:
    """Add an activity to a running plan (it starts as gepland)"""
    record, _network = visible_plan(plan)
    assert record.id is not None
    command = AddActivity(
        principal(),
        plan_id=record.id,
        title=body.title,
        theme=body.theme,
        objectives=body.objectives,
        actions=body.actions,
        wie=body.wie,
        wanneer=body.wanneer,
        workgroup_ids=_workgroup_ids(record.network_id, body.workgroups),
    )
    activity_id = write(add_activity, command)
    return ChangeResult(id=activity_id, status=Status.GEPLAND, version=1)  # ActivityPlanned


@operation("patch", "/activities/<activity_id>", AmendmentResult, WRITE_ERRORS, AmendmentIn)
def amend(activity_id: str, body: AmendmentIn) -> AmendmentResult:
    """Change what the plan says about an activity (the fields given; the others stay)"""
    detail = visible_activity(activity_id)
    workgroups = body.workgroups
    command = AmendActivity(
        principal(),
        activity_id=activity_id,
        title=body.title,
        theme=body.theme,
        objectives=body.objectives,
        actions=body.actions,
        wie=body.wie,
        wanneer=body.wanneer,
        workgroup_ids=None
        if workgroups is None
        else _workgroup_ids(detail.network.id or NO_SUCH_ID, workgroups),
        position=body.position,
        reason=body.reason or "",
        expected_version=body.expected_version,
    )
    result = write(amend_activity, command)
    with services().db.session() as session:  # a fresh read: the request's began before
        state = session.get(ActivityState, activity_id)
    assert state is not None
    return AmendmentResult(
        id=activity_id,
        status=Status(state.status),  # an amendment leaves the status as it was
        version=result.version,
        changed=list(result.changed),
        timing=TimingKind(result.timing_kind),
    )


@operation("post", "/activities/<activity_id>/withdraw", ChangeResult, WRITE_ERRORS, WithdrawalIn)
def withdraw(activity_id: str, body: WithdrawalIn) -> ChangeResult:
    """Take an activity out of the plan (vervallen), with the reason"""
    command = WithdrawActivity(principal(), activity_id, body.reason, body.expected_version)
    return run_write(withdraw_activity, command)


@operation("post", "/activities/<activity_id>/reopen", ChangeResult, WRITE_ERRORS, ReopeningIn)
def reopen(activity_id: str, body: ReopeningIn) -> ChangeResult:
    """Open a closed activity (afgerond, gestopt, vervallen) again, with the reason"""
    command = ReopenActivity(
        principal(), activity_id, body.reason, body.status, body.expected_version
    )
    return run_write(reopen_activity, command)


@operation(
    "post", "/plans/<plan>/themes/rename", ThemeRenamed, UNVERSIONED_WRITE_ERRORS, ThemeRenameIn
)
def rename_plan_theme(plan: str, body: ThemeRenameIn) -> ThemeRenamed:
    """Rename a theme of a plan (each of its activities records the amendment)"""
    record, _network = visible_plan(plan)
    assert record.id is not None
    command = RenameTheme(
        principal(),
        plan_id=record.id,
        theme=body.theme,
        new_name=body.new_name,
        reason=body.reason or "",
    )
    count = write(rename_theme, command)
    return ThemeRenamed(plan=record.slug, theme=" ".join(body.new_name.split()), activities=count)


def _id_of(table: type[Network] | type[Plan], slug: str) -> int:
    """The id of the network or plan with this slug; NO_SUCH_ID for none."""
    found = db_session().exec(select(table.id).where(table.slug == slug)).first()
    return found if found is not None else NO_SUCH_ID


def _workgroup_ids(network_id: int, names: list[str]) -> tuple[int, ...]:
    """The ids of the network's workgroups named, in order; NO_SUCH_ID for another name."""
    query = select(Workgroup.name, Workgroup.id).where(Workgroup.network_id == network_id)
    known = dict(db_session().exec(query).all())
    return tuple(known.get(name) or NO_SUCH_ID for name in names)
