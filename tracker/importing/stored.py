"""A stored plan as a PlanDocument again, for export (YAML, XLSX): the plan as written.

Only the plan's content is exported, not what happened to it (that is in the event log and
in the reports). Importing the export gives the same document.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from sqlmodel import Session, col, select

from tracker.domain.budget import BudgetLine, BudgetShare
from tracker.domain.plan import PlannedActivity
from tracker.domain.plan_diff import StoredActivity
from tracker.domain.status import Status
from tracker.domain.targets import Target
from tracker.models import (
    Activity,
    ActivityWorkgroup,
    BudgetItem,
    BudgetSplit,
    Indicator,
    Network,
    Plan,
    Theme,
    Workgroup,
)
from tracker.planfile import PlanDocument, WorkgroupSpec
from tracker.projections import ActivityState


def stored_plan_document(session: Session, plan: Plan) -> PlanDocument:
    """The plan's content as the document it was loaded from."""
    network = session.get(Network, plan.network_id)
    assert network is not None
    rows = session.exec(
        select(Activity, Theme)
        .join(Theme, col(Theme.id) == Activity.theme_id)
        .where(Activity.plan_id == plan.id)
        .order_by(col(Theme.position), col(Activity.position))
    ).all()
    activities = planned_contents(session, rows)
    first_used = dict.fromkeys(name for a in activities for name in a.workgroups)
    groups = {
        w.name: w
        for w in session.exec(select(Workgroup).where(Workgroup.network_id == plan.network_id))
    }
    workgroups = tuple(workgroup_spec(groups[name]) for name in first_used if name in groups)
    budget, shares = stored_budget(session, plan.id or 0)
    return PlanDocument(
        network_slug=network.slug,
        network_name=network.name,
        plan_slug=plan.slug,
        year=plan.year,
        title=plan.title,
        motto=plan.motto,
        introduction=plan.introduction,
        workgroups=workgroups,
        activities=activities,
        budget=budget,
        budget_shares=shares,
    )


def workgroup_spec(workgroup: Workgroup) -> WorkgroupSpec:
    """A stored workgroup as a plan names it: its name, address and other names."""
    aliases = tuple(alias for alias in workgroup.aliases.split("\n") if alias)
    return WorkgroupSpec(workgroup.name, workgroup.email, aliases)


def stored_budget(
    session: Session, plan_id: int
) -> tuple[tuple[BudgetLine, ...], tuple[BudgetShare, ...]]:
    """The plan's budget lines and its split, as stored."""
    lines = tuple(
        BudgetLine(b.theme, b.item, Decimal(b.amount_cents) / 100)
        for b in session.exec(
            select(BudgetItem)
            .where(BudgetItem.plan_id == plan_id)
            .order_by(col(BudgetItem.position))
        )
    )
    shares = tuple(
        BudgetShare(b.name, Fraction(b.numerator, b.denominator))
        for b in session.exec(
            select(BudgetSplit)
            .where(BudgetSplit.plan_id == plan_id)
            .order_by(col(BudgetSplit.position))
        )
    )
    return lines, shares


def planned_contents(
    session: Session, rows: Sequence[tuple[Activity, Theme]]
) -> tuple[PlannedActivity, ...]:
    """What the plan says about each stored activity, as the content it was planned with."""
    ids = [activity.id for activity, _ in rows]
    links = session.exec(
        select(ActivityWorkgroup.activity_id, Workgroup)
        .join(Workgroup, col(Workgroup.id) == ActivityWorkgroup.workgroup_id)
        .where(col(ActivityWorkgroup.activity_id).in_(ids))
        .order_by(col(ActivityWorkgroup.position))
    ).all()
    groups_of: dict[str, list[str]] = {}
    for activity_id, workgroup in links:
        groups_of.setdefault(activity_id, []).append(workgroup.name)
    targets_of: dict[str, list[Target]] = {}
    for indicator in session.exec(
        select(Indicator)
        .where(col(Indicator.activity_id).in_(ids))
        .order_by(col(Indicator.activity_id), col(Indicator.position))
    ):
        targets_of.setdefault(indicator.activity_id, []).append(indicator.target())
    return tuple(
        PlannedActivity(
            title=activity.title,
            theme=theme.name,
            objectives=activity.objectives,
            actions=activity.actions,
            wie=activity.wie,
            wanneer=activity.wanneer,
            workgroups=tuple(groups_of.get(activity.id, ())),
            source=activity.source,
            carried_from_year=activity.carried_from_year,
            parties=tuple(p for p in activity.parties.split("\n") if p),
            targets=tuple(targets_of.get(activity.id, ())),
        )
        for activity, theme in rows
    )


def stored_activities(session: Session, plan: Plan) -> list[StoredActivity]:
    """The plan's activities as a revised document is compared with them: what each says,
    its place in the plan's order, its version and whether it can still lapse."""
    rows = session.exec(
        select(Activity, Theme, ActivityState)
        .join(Theme, col(Theme.id) == Activity.theme_id)
        .join(ActivityState, col(ActivityState.activity_id) == Activity.id)
        .where(Activity.plan_id == plan.id)
        .order_by(col(Theme.position), col(Activity.position))
    ).all()
    contents = planned_contents(session, [(activity, theme) for activity, theme, _ in rows])
    closed = (Status.VERVALLEN.value, Status.DOORGESCHOVEN.value)
    return [
        StoredActivity(activity.id, content, position, state.version, state.status not in closed)
        for position, ((activity, _, state), content) in enumerate(zip(rows, contents, strict=True))
    ]
