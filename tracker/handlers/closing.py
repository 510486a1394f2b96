"""Closing a quarter (vaststellen): the report of this moment becomes the one of record."""

from __future__ import annotations

from events.store import NewEvent
from tracker.clock import AMSTERDAM, Clock
from tracker.database import UnitOfWork
from tracker.domain.closing import check_closable, closed_as
from tracker.domain.commands import CloseQuarter
from tracker.domain.events import QuarterClosed, decode_plan_event, encode, plan_stream
from tracker.handlers.marker import handler
from tracker.handlers.plans import coordinated_plan
from tracker.reports.closing import report_hash
from tracker.reports.load import plan_report
from tracker.reports.period import report_moment


@handler
def close_quarter(uow: UnitOfWork, command: CloseQuarter, clock: Clock) -> QuarterClosed:
    """Close a quarter of the plan (coordinators of the plan's network, admins), keeping the
    hash of its report as known now. Raises NotFound (also for a plan of another network),
    Forbidden, ClosingRefused (not ended, closed already, not of the plan's year)."""
    actor = command.actor
    with uow:
        plan = coordinated_plan(uow.session, actor, command.plan_id)
        uow.events.lock_for_append()  # a second closing waits, then sees this one
        stream = plan_stream(command.plan_id)
        stored = uow.events.read_stream(stream)
        closed = [decode_plan_event(e.type, e.data) for e in stored]
        now = clock.now()
        period = command.period
        check_closable(
            plan.year,
            period,
            now.astimezone(AMSTERDAM).date(),
            [e for e in closed if isinstance(e, QuarterClosed)],
        )
        report = plan_report(uow.session, plan, period, report_moment(period, None, now), now)
        event = QuarterClosed(
            plan_id=command.plan_id,
            year=period.year,
            quarter=period.quarter,
            known_at=now.isoformat(),
            report_sha256=report_hash(report),
            closed_as=closed_as(actor, plan.network_id),
        )
        uow.events.append(
            stream, len(stored), [NewEvent(*encode(event))], actor=actor.user_id, recorded_at=now
        )
        uow.commit()
    return event
