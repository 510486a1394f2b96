"""The coordinator's start page, read: per network, what needs attention in the plan now.

Overdue and due work follow `tracker.domain.attention`; a workgroup is silent when none of
its activities in the plan had an update (a status, a note, a value) dated in the current
quarter; reminder counts are the outbox rows of the network for the current quarter; the
last changes are the newest entries of the histories of the network's activities.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from events.schema import events_table
from tracker.domain.access import Principal, Role
from tracker.domain.attention import Attention
from tracker.domain.events import ReminderSent
from tracker.domain.period import Period
from tracker.domain.status import Status
from tracker.models import Activity, Network, Plan, Workgroup
from tracker.queries import ActivityRow, HistoryEntry, OverviewFilters, history, plan_activities
from tracker.reminder_models import OutboxMessage

LAST_CHANGES = 8


@dataclass(frozen=True)
class Change:
    """One history entry of an activity, for the list of last changes."""

    activity: Activity
    entry: HistoryEntry


@dataclass(frozen=True)
class CoordinatorStart:
    network: Network
    plan: Plan | None  # the plan of this year, else the newest; None: the network has none
    period: Period  # the current quarter
    overdue: list[ActivityRow]
    due: list[ActivityRow]
    silent: list[Workgroup]
    reminders: Counter[str]  # outbox status → mails of the network this quarter
    changes: list[Change]

    @property
    def report_period(self) -> Period:
        """The quarter the report opens on: the current one while the plan's year runs, its
        last quarter after it, its first before it."""
        assert self.plan is not None
        return min(max(self.period, Period(self.plan.year, 1)), Period(self.plan.year, 4))


def coordinated_networks(session: Session, me: Principal) -> list[Network]:
    """The networks whose start page the person sees: all for admins, else those they
    coordinate; by name."""
    query = select(Network).order_by(col(Network.name))
    if not me.is_admin:
        ids = [n for n, role in me.roles.items() if role is Role.COORDINATOR]
        query = query.where(col(Network.id).in_(ids))
    return list(session.exec(query))


def current_plan(session: Session, network_id: int, year: int) -> Plan | None:
    """The network's plan of `year`, or its newest plan."""
    plans = session.exec(
        select(Plan).where(Plan.network_id == network_id).order_by(col(Plan.year).desc())
    ).all()
    return next((p for p in plans if p.year == year), plans[0] if plans else None)


def coordinator_start(session: Session, network: Network, today: date) -> CoordinatorStart:
    """Everything the start page shows for one network on `today`."""
    period = Period.containing(today)
    plan = current_plan(session, network.id or 0, today.year)
    rows = plan_activities(session, plan, OverviewFilters()) if plan is not None else []
    need = {row.activity.id: row.attention(today) for row in rows}
    return CoordinatorStart(
        network=network,
        plan=plan,
        period=period,
        overdue=[r for r in rows if need[r.activity.id] is Attention.OVERDUE],
        due=[r for r in rows if need[r.activity.id] is Attention.DUE_NOW],
        silent=silent_workgroups(rows, period),
        reminders=reminder_counts(session, network.id or 0, period),
        changes=last_changes(session, network.id or 0),
    )


def silent_workgroups(rows: list[ActivityRow], period: Period) -> list[Workgroup]:
    """The workgroups responsible for open activities of the plan, none of whose activities
    had an update dated in `period` (updates are dated in order: the last is the latest)."""
    responsible = {w.id: w for r in rows if Status(r.state.status).is_open for w in r.workgroups}
    updated = {w.id for r in rows if r.updated_since(period.first) for w in r.workgroups}
    return sorted((w for key, w in responsible.items() if key not in updated), key=lambda w: w.name)


def reminder_counts(session: Session, network_id: int, period: Period) -> Counter[str]:
    """The network's reminder mails of the quarter, counted by outbox status."""
    found = session.exec(
        select(OutboxMessage.status, sa.func.count())
        .where(OutboxMessage.network_id == network_id, OutboxMessage.period == str(period))
        .group_by(col(OutboxMessage.status))
    ).all()
    return Counter({status: count for status, count in found})


def last_changes(session: Session, network_id: int, limit: int = LAST_CHANGES) -> list[Change]:
    """The newest history entries of the network's activities (reminders left out)."""
    activities = select(Activity.id).join(Plan).where(Plan.network_id == network_id)
    newest = session.execute(
        sa.select(events_table.c.stream_id, events_table.c.version)
        .where(
            events_table.c.stream_id.in_(activities),
            events_table.c.type != ReminderSent.__name__,
        )
        .order_by(events_table.c.position.desc())
        .limit(limit)
    ).all()
    streams = {stream for stream, _ in newest}
    entries = {(s, e.version): e for s in streams for e in history(session, s)}
    by_id = {a.id: a for a in session.exec(select(Activity).where(col(Activity.id).in_(streams)))}
    return [Change(by_id[s], entries[(s, v)]) for s, v in newest]
