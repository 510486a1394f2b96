"""The board's page of a plan, for a meeting: per theme the % finished and its trend,
carried-over work, budget and spending, notable notes, and the way to the full report.
The same people as the report see it (the board, the coordinators, admins)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from sqlmodel import col, select

from tracker.clock import AMSTERDAM
from tracker.domain.access import Principal
from tracker.domain.status import Status
from tracker.models import Plan
from tracker.reports.board import meeting_period, notable_lines
from tracker.reports.load import plan_report
from tracker.reports.period import report_moment
from tracker.services import db_session, services
from tracker.web.access import principal, visible_plan

blueprint = Blueprint("board", __name__, url_prefix="/plannen")


@blueprint.route("/<slug>/bestuur")
@login_required
def page(slug: str) -> ResponseReturnValue:
    plan, network = visible_plan(slug)
    if not principal().can_see_overview(network.id or 0):
        abort(403, description=_("Reports are for the coordinators and the board."))
    now = services().clock.now()
    period = meeting_period(plan.year, now.astimezone(AMSTERDAM).date())
    report = plan_report(db_session(), plan, period, report_moment(period, None, now), now)
    return render_template(
        "board/page.html",
        plan=plan,
        network=network,
        report=report,
        notes=notable_lines(report),
        finished=Status.AFGEROND,
    )


def board_start_url(person: Principal) -> str | None:
    """The board page of this year's plan of the person's network (the first network where
    they may see reports), for their start page; None when there is none."""
    networks = [network for network in person.roles if person.can_see_overview(network)]
    year = services().clock.now().astimezone(AMSTERDAM).year
    plan = (
        db_session()
        .exec(
            select(Plan)
            .where(col(Plan.network_id).in_(networks), Plan.year == year)
            .order_by(col(Plan.network_id), col(Plan.slug))
        )
        .first()
    )
    return url_for("board.page", slug=plan.slug) if plan else None
