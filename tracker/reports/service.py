"""Choosing what a report covers: one plan, or the plans of a network for the period's year."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from tracker.domain.period import Period
from tracker.models import Network, Plan
from tracker.reports.closing import plan_closings, with_closing
from tracker.reports.load import plan_report
from tracker.reports.model import PlanReport
from tracker.reports.period import report_known, report_moment


class NothingToReport(LookupError):
    """No such plan or network, or no plan of the network in that year."""


def reports_for(
    session: Session,
    *,
    period: Period,
    now: datetime,
    plan_slug: str | None = None,
    network_slug: str | None = None,
    as_of: date | None = None,
) -> list[PlanReport]:
    """The reports for one plan, or for every plan of a network in the period's year, each
    with its quarter's closing."""
    moment, known = report_moment(period, as_of, now), report_known(as_of, now)

    def report(plan: Plan) -> PlanReport:
        closings = plan_closings(session, plan.id or 0)
        return with_closing(
            session, plan, plan_report(session, plan, period, moment, known), known, closings
        )

    if plan_slug:
        plan = session.exec(select(Plan).where(Plan.slug == plan_slug)).first()
        if plan is None:
            raise NothingToReport(f"no plan {plan_slug!r}")
        return [report(plan)]
    network = session.exec(select(Network).where(Network.slug == network_slug)).first()
    if network is None:
        raise NothingToReport(f"no network {network_slug!r}")
    plans = session.exec(
        select(Plan)
        .where(Plan.network_id == network.id, Plan.year == period.year)
        .order_by(col(Plan.slug))
    ).all()
    if not plans:
        raise NothingToReport(f"{network.slug} has no plan for {period.year}")
    return [report(plan) for plan in plans]
