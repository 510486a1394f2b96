"""The plan overview for coordinators and the board: all activities, filters, counts."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from sqlmodel import col, select

from tracker.domain.attention import Attention
from tracker.domain.status import SELECTABLE_STATUSES, Status
from tracker.models import Theme, Workgroup
from tracker.queries import (
    OverviewFilters,
    in_attention_order,
    overdue_count,
    plan_activities,
    status_counts,
    visible_plans,
)
from tracker.services import db_session
from tracker.texts import status_label
from tracker.web.access import principal, visible_plan
from tracker.web.activities import today
from tracker.web.carry_over import carry_over_page
from tracker.web.forms import PlanFilterForm

blueprint = Blueprint("plans", __name__, url_prefix="/plannen")


@blueprint.route("/")
@login_required
def index() -> ResponseReturnValue:
    plans = visible_plans(db_session(), principal())
    counts = {plan.id: status_counts(db_session(), plan.id or 0) for plan, _network in plans}
    can_import = principal().coordinates_a_network
    return render_template("plans/index.html", plans=plans, counts=counts, can_import=can_import)


@blueprint.route("/<slug>")
@login_required
def overview(slug: str) -> ResponseReturnValue:
    plan, network = visible_plan(slug)
    if not principal().can_see_overview(network.id or 0):
        abort(403, description=_("The plan overview is for the coordinators and the board."))
    session = db_session()
    themes = session.exec(
        select(Theme).where(Theme.plan_id == plan.id).order_by(col(Theme.position))
    ).all()
    workgroups = session.exec(
        select(Workgroup).where(Workgroup.network_id == network.id).order_by(col(Workgroup.name))
    ).all()
    form = PlanFilterForm(request.args)
    form.theme.choices = [("", _("All themes"))] + [(str(t.id), t.name) for t in themes]
    form.status.choices = [("", _("All statuses"))] + [
        (s.value, status_label(s))
        for s in (*SELECTABLE_STATUSES, Status.DOORGESCHOVEN, Status.VERVALLEN)
    ]
    form.workgroup.choices = [("", _("All workgroups"))] + [(str(w.id), w.name) for w in workgroups]
    form.quarter.choices = [("", _("All quarters"))] + [
        (str(q), _("Quarter %(number)s", number=q)) for q in range(1, 5)
    ]
    valid = form.validate()
    day = today()
    filters = OverviewFilters()
    if valid:
        filters = OverviewFilters(
            theme_id=int(form.theme.data) if form.theme.data else None,
            status=Status(form.status.data) if form.status.data else None,
            workgroup_id=int(form.workgroup.data) if form.workgroup.data else None,
            quarter=int(form.quarter.data) if form.quarter.data else None,
            overdue_on=day if form.over_tijd.data else None,
        )
    rows = in_attention_order(plan_activities(session, plan, filters), day)
    # Closed activities are folded away, unless the filter asks for a closed status.
    fold = filters.status is None or filters.status.is_open
    closed = {r.activity.id for r in rows if fold and r.attention(day) is Attention.CLOSED}
    return (
        render_template(
            "plans/overview.html",
            plan=plan,
            network=network,
            rows=[r for r in rows if r.activity.id not in closed],
            folded=[r for r in rows if r.activity.id in closed],
            today=day,
            form=form,
            filter_error=not valid,
            counts=status_counts(session, plan.id or 0),
            overdue=overdue_count(session, plan.id or 0, day),
        ),
        200 if valid else 400,
    )


@blueprint.route("/<slug>/jaarovergang", methods=["GET", "POST"])
@login_required
def carry_over(slug: str) -> ResponseReturnValue:
    """Year end: choose the unfinished activities that continue next year, and why."""
    plan, network = visible_plan(slug)
    if not principal().is_coordinator(network.id or 0):
        abort(403, description=_("The year-end carry-over is done by the coordinators."))
    return carry_over_page(plan, network)
