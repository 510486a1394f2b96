"""Reading what a report needs from the database: the plan as written and its events."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from functools import partial

from sqlmodel import Session, col, select

from events.store import EventStore
from tracker.domain.budget import per_theme, split
from tracker.domain.events import Recorded
from tracker.domain.period import Period
from tracker.importing.stored import stored_budget
from tracker.models import (
    Activity,
    ActivityWorkgroup,
    Indicator,
    Network,
    Plan,
    Theme,
    Workgroup,
)
from tracker.projections import ActivityState, domain_events
from tracker.queries import timing_of
from tracker.reports.model import ActivityFacts, PlanReport, TargetFacts, build_report
from tracker.reports.spending import spending_entries, spent_per_theme
from tracker.reports.trend import build_trend


def plan_report(
    session: Session, plan: Plan, period: Period, moment: datetime, known: datetime | None = None
) -> PlanReport:
    """The report of `plan` for `period`: its state at `moment` as recorded up to `known`
    (tracker.reports.model.build_report)."""
    known = known or moment
    network = session.get(Network, plan.network_id)
    assert network is not None
    rows = session.exec(
        select(Activity, Theme)
        .join(Theme, col(Theme.id) == Activity.theme_id)
        .where(Activity.plan_id == plan.id)
        .order_by(col(Theme.position), col(Activity.position))
    ).all()
    ids = [activity.id for activity, _ in rows]
    groups: dict[str, list[str]] = {}
    for activity_id, name in session.exec(
        select(ActivityWorkgroup.activity_id, Workgroup.name)
        .join(Workgroup, col(Workgroup.id) == ActivityWorkgroup.workgroup_id)
        .where(col(ActivityWorkgroup.activity_id).in_(ids))
        .order_by(col(ActivityWorkgroup.position))
    ):
        groups.setdefault(activity_id, []).append(name)
    targets: dict[str, list[TargetFacts]] = {}
    for indicator in session.exec(
        select(Indicator)
        .where(col(Indicator.activity_id).in_(ids))
        .order_by(col(Indicator.activity_id), col(Indicator.position))
    ):
        target = indicator.target()
        targets.setdefault(indicator.activity_id, []).append(TargetFacts(indicator.id or 0, target))
    facts = [
        ActivityFacts(
            activity_id=activity.id,
            title=activity.title,
            theme=theme.name,
            timing=timing_of(activity),
            workgroups=tuple(groups.get(activity.id, ())),
            targets=tuple(targets.get(activity.id, ())),
            carried_from_year=activity.carried_from_year,
            position=activity.position,
        )
        for activity, theme in rows
    ]
    # Every event, also those after `moment`: the amendments made since are undone to show
    # the plan as it was then (build_report ignores the rest of what came later).
    events: dict[str, list[Recorded]] = {}
    stored = EventStore(session.connection()).read_streams(ids)
    for recorded in domain_events(stored):
        events.setdefault(recorded.event.activity_id, []).append(recorded)
    lines, shares = stored_budget(session, plan.id or 0)
    planned = per_theme(lines)
    build = partial(
        build_report,
        plan_title=plan.title,
        plan_slug=plan.slug,
        plan_year=plan.year,
        motto=plan.motto,
        network_name=network.name,
        activities=facts,
        events=events,
        origins=origin_years(session, ids),
        known=known,
        workgroup_names={
            w.id or 0: w.name
            for w in session.exec(select(Workgroup).where(Workgroup.network_id == network.id))
        },
    )
    report = build(period=period, moment=moment)
    return replace(
        report,
        spent=spent_per_theme(spending_entries(session, plan.id or 0, report.as_of_date, known)),
        trend=build_trend(report, lambda p, m: build(period=p, moment=m)),
        budget=tuple(planned.items()),
        budget_split=tuple(split(sum(planned.values(), Decimal("0.00")), shares)),
    )


def origin_years(session: Session, activity_ids: list[str]) -> dict[str, int]:
    """For each carried activity, the year of the plan its chain of carry-overs started in."""
    parent: dict[str, str] = {}
    frontier = set(activity_ids)
    while frontier:  # one query per year of the longest chain
        found = dict(
            session.exec(
                select(ActivityState.activity_id, ActivityState.carried_from)
                .where(col(ActivityState.activity_id).in_(frontier))
                .where(col(ActivityState.carried_from).is_not(None))
            ).all()
        )
        new = {k: v for k, v in found.items() if v and k not in parent}
        parent.update(new)
        frontier = {v for v in new.values() if v not in parent}
    roots: dict[str, str] = {}
    for activity_id in activity_ids:
        if activity_id in parent:
            current, seen = activity_id, {activity_id}
            while current in parent and parent[current] not in seen:
                current = parent[current]
                seen.add(current)
            roots[activity_id] = current
    years = dict(
        session.exec(
            select(Activity.id, Plan.year)
            .join(Plan, col(Plan.id) == Activity.plan_id)
            .where(col(Activity.id).in_(set(roots.values())))
        ).all()
    )
    return {a: years[root] for a, root in roots.items() if root in years}
