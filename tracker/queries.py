"""Read side: what pages and the API show, read from read models and the event log.

Nothing here writes. Each function answers one question a page asks.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from events.store import EventStore
from tracker.clock import AMSTERDAM, as_utc
from tracker.domain.access import Principal, Role
from tracker.domain.attention import Attention, attention, is_overdue
from tracker.domain.events import (
    ActivityAmended,
    ActivityNoteAdded,
    ActivityReopened,
    ActivityStatusChanged,
    ActivityWithdrawn,
    DomainEvent,
    TargetProgressRecorded,
    words_of,
)
from tracker.domain.message import Message
from tracker.domain.status import SELECTABLE_STATUSES, Status
from tracker.domain.targets import Target
from tracker.domain.timing import Timing, TimingKind, parse_timing, quarter_bounds, quarter_of
from tracker.history_lines import ChangeLine, amendment_lines, workgroup_ids
from tracker.importing.parties import KnownGroup
from tracker.models import (
    Activity,
    ActivityWorkgroup,
    ApiToken,
    Indicator,
    Network,
    NetworkRole,
    Plan,
    Theme,
    User,
    Workgroup,
    WorkgroupMember,
)
from tracker.projections import ActivityState, PlanStatusCount, domain_events


def _grants(person: sa.ColumnElement[Any]) -> sa.CompoundSelect[Any]:
    """A person's grants, one row each: (user_id, network id, role) for a role in a network,
    (user_id, workgroup id, NULL) for a workgroup. Each branch is filtered by the person
    itself: as a subquery SQLite would otherwise read everyone's grants."""
    return sa.union_all(
        sa.select(
            col(NetworkRole.user_id).label("user_id"),
            col(NetworkRole.network_id).label("key"),
            col(NetworkRole.role).label("role"),
        ).where(col(NetworkRole.user_id) == person),
        sa.select(col(WorkgroupMember.user_id), col(WorkgroupMember.workgroup_id), sa.null()).where(
            col(WorkgroupMember.user_id) == person
        ),
    )


# Built once: every request that is signed in (every API call) runs one of these, and
# building a statement per request cost as much as running it.
_ROLES_AND_WORKGROUPS = _grants(sa.bindparam("user_id"))


def principal_for(session: Session, user: User) -> Principal:
    """The access-rule view of a person: their roles per network and their workgroups."""
    found = session.connection().execute(_ROLES_AND_WORKGROUPS, {"user_id": user.id})
    return _principal(user, ((row.key, row.role) for row in found))


def _principal(user: User, grants: Iterable[tuple[int, str | None]]) -> Principal:
    """A Principal from (network id, role) and (workgroup id, None) pairs."""
    assert user.id is not None
    roles: dict[int, Role] = {}
    workgroups: set[int] = set()
    for key, role in grants:
        if role is None:
            workgroups.add(int(key))
        else:
            roles[int(key)] = Role(role)
    return Principal(user.id, user.is_admin, roles, frozenset(workgroups))


# The person an API token belongs to and their grants, one row per grant (one row with no
# grant for someone without any): one round trip for the sign-in of every API call.
_USER_COLUMNS = tuple(User.__table__.columns)  # type: ignore[attr-defined]
# The grants are filtered by the token's person (SQLite read everyone's grants through the
# subquery otherwise: 4 ms at 30,000 grants, against 0.07 ms).
_TOKEN_USER = (
    sa.select(col(ApiToken.user_id))
    .where(col(ApiToken.token_hash) == sa.bindparam("token_hash"))
    .scalar_subquery()
)
_GRANTS = _grants(_TOKEN_USER).subquery("grants")
_USER_AND_GRANTS_BY_TOKEN = (
    sa.select(*_USER_COLUMNS, _GRANTS.c.key, _GRANTS.c.role)
    .select_from(User)
    .join(ApiToken, col(ApiToken.user_id) == col(User.id))
    .outerjoin(_GRANTS, _GRANTS.c.user_id == col(User.id))
    .where(col(ApiToken.token_hash) == sa.bindparam("token_hash"))
)


def user_by_token(session: Session, token_hash: str) -> tuple[User, Principal] | None:
    """The person an API token (by its hash) belongs to, as a detached read-only copy, and
    their access-rule view; None for an unknown token."""
    rows = session.connection().execute(_USER_AND_GRANTS_BY_TOKEN, {"token_hash": token_hash})
    found = rows.all()
    if not found:
        return None
    width = len(_USER_COLUMNS)
    user = User(
        **{
            column.name: value
            for column, value in zip(_USER_COLUMNS, found[0][:width], strict=True)
        }
    )
    grants = ((row[width], row[width + 1]) for row in found if row[width] is not None)
    return user, _principal(user, grants)


@dataclass(frozen=True)
class ActivityRow:
    """One activity as lists show it: its content, its theme, its state and its workgroups."""

    activity: Activity
    theme: Theme
    state: ActivityState
    workgroups: tuple[Workgroup, ...]

    @property
    def timing(self) -> Timing:
        return timing_of(self.activity)

    def attention(self, today: date) -> Attention:
        return attention(self.timing, Status(self.state.status), today)

    def updated_since(self, day: date) -> bool:
        """Whether its last update happened (or, undated, was made) on `day` or later."""
        moment = as_utc(self.state.last_happened_at or self.state.last_update_at)
        return moment is not None and moment.astimezone(AMSTERDAM).date() >= day


def in_attention_order(rows: Iterable[ActivityRow], today: date) -> list[ActivityRow]:
    """Per plan and theme: overdue first, then due this quarter, active this quarter, later
    and closed (tracker.domain.attention); plan order within each."""
    return sorted(
        rows, key=lambda row: (row.activity.plan_id, row.theme.position, row.attention(today))
    )


def update_first(rows: Iterable[ActivityRow], today: date) -> list[ActivityRow]:
    """The open activities to update first: overdue, then due this quarter, then active this
    quarter without an update since the quarter began."""
    first, _last = quarter_bounds(*quarter_of(today))
    urgent = (Attention.OVERDUE, Attention.DUE_NOW)
    found = [
        row
        for row in rows
        if row.attention(today) in urgent
        or (row.attention(today) is Attention.ACTIVE_NOW and not row.updated_since(first))
    ]
    return sorted(found, key=lambda row: row.attention(today))


def timing_of(activity: Activity) -> Timing:
    timing = Timing(
        activity.wanneer,
        TimingKind(activity.timing_kind),
        activity.period_start,
        activity.period_end,
    )
    if timing.kind is TimingKind.MOMENTS and timing.start is not None:
        # The moments are not stored apart: read them again (relative to the year of the
        # first, which is the plan's) and keep them when they agree with what was stored.
        again = parse_timing(activity.wanneer, timing.start.year)
        if (again.start, again.end) == (timing.start, timing.end):
            return again
    return timing


def _rows(session: Session, where: Sequence[sa.ColumnElement[bool]]) -> list[ActivityRow]:
    query = (
        select(Activity, Theme, ActivityState)
        .join(Theme, col(Theme.id) == col(Activity.theme_id))
        .join(ActivityState, col(ActivityState.activity_id) == col(Activity.id))
        .where(*where)
        .order_by(col(Activity.plan_id), col(Theme.position), col(Activity.position))
    )
    found = session.exec(query).all()
    ids = [activity.id for activity, _, _ in found]
    workgroups: dict[str, list[Workgroup]] = defaultdict(list)
    if ids:
        links = session.exec(
            select(ActivityWorkgroup.activity_id, Workgroup)
            .join(Workgroup, col(Workgroup.id) == col(ActivityWorkgroup.workgroup_id))
            .where(col(ActivityWorkgroup.activity_id).in_(ids))
            .order_by(col(Workgroup.name))
        ).all()
        for activity_id, workgroup in links:
            workgroups[activity_id].append(workgroup)
    return [
        ActivityRow(activity, theme, state, tuple(workgroups[activity.id]))
        for activity, theme, state in found
    ]


def visible_plans(session: Session, principal: Principal) -> list[tuple[Plan, Network]]:
    """The plans of every network the person has a role in (all plans for admins)."""
    query = select(Plan, Network).join(Network, col(Network.id) == col(Plan.network_id))
    if not principal.is_admin:
        query = query.where(col(Plan.network_id).in_(list(principal.roles)))
    return list(session.exec(query.order_by(col(Network.name), col(Plan.year).desc())).all())


def plan_for_year(session: Session, network_id: int, year: int) -> Plan | None:
    """The network's plan of that year (a network makes one jaarplan a year)."""
    return session.exec(
        select(Plan).where(Plan.network_id == network_id, Plan.year == year).order_by(col(Plan.id))
    ).first()


def my_activities(session: Session, principal: Principal) -> list[ActivityRow]:
    """The activities of the person's workgroups, in plan order."""
    if not principal.workgroup_ids:
        return []
    mine = select(ActivityWorkgroup.activity_id).where(
        col(ActivityWorkgroup.workgroup_id).in_(list(principal.workgroup_ids))
    )
    return _rows(session, [col(Activity.id).in_(mine)])


@dataclass(frozen=True)
class OverviewFilters:
    """The plan overview's filters; None means "all"."""

    theme_id: int | None = None
    status: Status | None = None
    workgroup_id: int | None = None
    quarter: int | None = None
    overdue_on: date | None = None  # only the activities overdue on this day


def plan_activities(session: Session, plan: Plan, filters: OverviewFilters) -> list[ActivityRow]:
    """The plan's activities that match the filters, in plan order."""
    where: list[sa.ColumnElement[bool]] = [col(Activity.plan_id) == plan.id]
    if filters.theme_id is not None:
        where.append(col(Activity.theme_id) == filters.theme_id)
    if filters.status is not None:
        where.append(col(ActivityState.status) == filters.status.value)
    if filters.workgroup_id is not None:
        linked = select(ActivityWorkgroup.activity_id).where(
            ActivityWorkgroup.workgroup_id == filters.workgroup_id
        )
        where.append(col(Activity.id).in_(linked))
    rows = _rows(session, where)
    if filters.quarter is not None:
        first, last = quarter_bounds(plan.year, filters.quarter)
        rows = [row for row in rows if row.timing.overlaps(first, last)]
    if filters.overdue_on is not None:
        rows = [row for row in rows if row.attention(filters.overdue_on) is Attention.OVERDUE]
    return rows


def overdue_count(session: Session, plan_id: int, today: date) -> int:
    """How many of the plan's activities are overdue on `today`."""
    found = session.exec(
        select(Activity, ActivityState.status)
        .join(ActivityState, col(ActivityState.activity_id) == col(Activity.id))
        .where(Activity.plan_id == plan_id)
    )
    return sum(is_overdue(timing_of(a), Status(status), today) for a, status in found)


def status_counts(session: Session, plan_id: int) -> dict[Status, int]:
    """Activities per status in a plan (every selectable status present, zero if none)."""
    counts = {status: 0 for status in (*SELECTABLE_STATUSES, Status.DOORGESCHOVEN)}
    for row in session.exec(select(PlanStatusCount).where(PlanStatusCount.plan_id == plan_id)):
        counts[Status(row.status)] = row.count
    return counts


@dataclass(frozen=True)
class ActivityDetail(ActivityRow):
    """One activity as its own page shows it: also its plan and network."""

    plan: Plan
    network: Network


def activity_detail(session: Session, activity_id: str) -> ActivityDetail | None:
    """Everything the plan says about an activity, with its state; None if it does not exist."""
    found = session.execute(
        sa.select(Activity, Plan, Network, Theme, ActivityState)
        .join(Plan, col(Plan.id) == col(Activity.plan_id))
        .join(Network, col(Network.id) == col(Plan.network_id))
        .join(Theme, col(Theme.id) == col(Activity.theme_id))
        .join(ActivityState, col(ActivityState.activity_id) == col(Activity.id))
        .where(col(Activity.id) == activity_id)
    ).first()
    if found is None:
        return None
    activity, plan, network, theme, state = found
    workgroups = session.exec(
        select(Workgroup)
        .join(ActivityWorkgroup, col(ActivityWorkgroup.workgroup_id) == col(Workgroup.id))
        .where(ActivityWorkgroup.activity_id == activity_id)
        .order_by(col(Workgroup.name))
    ).all()
    return ActivityDetail(activity, theme, state, tuple(workgroups), plan, network)


@dataclass(frozen=True)
class HistoryEntry:
    """One line of an activity's history: who did what when, from → to, with the note."""

    version: int
    type: str
    recorded_at: datetime
    actor_id: int | None
    actor_name: str | None
    from_status: str | None
    to_status: str | None
    note: str
    data: dict[str, object] = field(default_factory=dict)
    headline: Message | None = None  # what happened, when the type alone does not say it
    changes: tuple[ChangeLine, ...] = ()  # an amendment of the plan: one line per field


HEADLINES: dict[type[DomainEvent], Message] = {
    ActivityAmended: Message("Plan changed"),
    ActivityWithdrawn: Message("Withdrawn"),
    ActivityReopened: Message("Reopened"),
}


def history(session: Session, activity_id: str) -> list[HistoryEntry]:
    """The activity's events, newest first, with the names of the people who acted."""
    recorded = list(domain_events(EventStore(session.connection()).read_stream(activity_id)))
    actor_ids = {found.actor for found in recorded if found.actor is not None}
    people = select(User.id, User.name).where(col(User.id).in_(actor_ids))
    names = dict(session.exec(people).all()) if actor_ids else {}
    group_ids = workgroup_ids([f.event for f in recorded if isinstance(f.event, ActivityAmended)])
    group_names: dict[int, str] = {}
    if group_ids:
        groups = select(Workgroup.id, Workgroup.name).where(col(Workgroup.id).in_(group_ids))
        group_names = {i: name for i, name in session.exec(groups) if i is not None}
    entries = []
    for found in reversed(recorded):
        event = found.event
        from_status, to_status = None, None
        if isinstance(event, ActivityStatusChanged | ActivityReopened):
            from_status, to_status = event.from_status, event.to_status
        elif isinstance(event, ActivityWithdrawn):
            from_status, to_status = event.from_status, Status.VERVALLEN.value
        elif isinstance(event, ActivityNoteAdded):
            to_status = event.status
        changes = amendment_lines(event, group_names) if isinstance(event, ActivityAmended) else ()
        entries.append(
            HistoryEntry(
                version=found.version,
                type=type(event).__name__,
                recorded_at=found.at,
                actor_id=found.actor,
                actor_name=names.get(found.actor),
                from_status=from_status,
                to_status=to_status,
                note=words_of(event),
                data=dataclasses.asdict(event),
                headline=HEADLINES.get(type(event)),
                changes=changes,
            )
        )
    return entries


def known_workgroups(session: Session, network_id: int) -> list[KnownGroup]:
    """The network's workgroups with their other names and their members' names, for
    matching a plan's "Wie"."""
    groups = session.exec(
        select(Workgroup).where(Workgroup.network_id == network_id).order_by(col(Workgroup.name))
    ).all()
    people: dict[int, list[str]] = defaultdict(list)
    members = session.exec(
        select(WorkgroupMember.workgroup_id, User.name)
        .join(User, col(User.id) == col(WorkgroupMember.user_id))
        .where(col(WorkgroupMember.workgroup_id).in_([w.id for w in groups]))
        .order_by(col(User.name))
    )
    for workgroup_id, name in members:
        people[workgroup_id].append(name)
    return [
        KnownGroup(w.name, tuple(a for a in w.aliases.split("\n") if a), tuple(people[w.id or 0]))
        for w in groups
    ]


@dataclass(frozen=True)
class TargetProgress:
    """A measurable target of an activity and the last value recorded for it (if any)."""

    indicator: Indicator
    target: Target
    value: float | None
    recorded_at: datetime | None

    @property
    def met(self) -> bool:
        return self.value is not None and self.target.is_met_by(self.value)


def targets_with_progress(
    session: Session, activity_id: str, until: datetime | None = None
) -> list[TargetProgress]:
    """The activity's targets with the last value recorded (up to `until`), from its events."""
    indicators = session.exec(
        select(Indicator)
        .where(Indicator.activity_id == activity_id)
        .order_by(col(Indicator.position))
    ).all()
    if not indicators:
        return []
    latest: dict[int, tuple[float, datetime]] = {}
    stored = EventStore(session.connection()).read_stream(activity_id, until=until)
    for found in domain_events(stored):
        if isinstance(found.event, TargetProgressRecorded):
            latest[found.event.indicator_id] = (found.event.value, found.at)
    result = []
    for indicator in indicators:
        value, at = latest.get(indicator.id or 0, (None, None))
        target = indicator.target()
        result.append(TargetProgress(indicator, target, value, at))
    return result
