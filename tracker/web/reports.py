"""Quarterly reports in the browser, for the coordinators and the board (and admins)."""

from __future__ import annotations

import re
from datetime import datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlmodel import select
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField
from wtforms.validators import InputRequired

from tracker.clock import AMSTERDAM
from tracker.domain.closing import ClosingRefused, check_closable
from tracker.domain.commands import CloseQuarter
from tracker.domain.period import Period, PeriodError
from tracker.domain.status_texts import refusal
from tracker.handlers.closing import close_quarter as close
from tracker.models import Network, Plan
from tracker.reports.closing import Closed, plan_closings, with_closing
from tracker.reports.load import plan_report
from tracker.reports.model import STATUS_ORDER
from tracker.reports.period import report_known, report_moment
from tracker.reports.render import MEDIA_TYPES, render
from tracker.security import audit
from tracker.security.audit import AuditKind
from tracker.services import db_session, services
from tracker.texts import translate
from tracker.web.access import client_address, principal, visible_plan
from tracker.web.forms import ReportForm

blueprint = Blueprint("reports", __name__, url_prefix="/plannen")

DOWNLOAD_TOKEN = re.compile(r"[0-9]{1,40}")


class CloseQuarterForm(FlaskForm):
    """Close (vaststellen) the quarter the report shows."""

    period = HiddenField(validators=[InputRequired()])


@blueprint.route("/<slug>/rapportage")
@login_required
def report(slug: str) -> ResponseReturnValue:
    plan, network = visible_plan(slug)
    return _report(plan, network, request.args)


def _report(
    plan: Plan, network: Network, args: MultiDict[str, str], status: int = 200
) -> ResponseReturnValue:
    if not principal().can_see_overview(network.id or 0):
        abort(403, description=_("Reports are for the coordinators and the board."))
    now = services().clock.now()
    periods = [Period(plan.year, q) for q in range(1, 5)] + [Period(plan.year + 1, 1)]
    # The current quarter while the plan's year runs; after it, its last quarter.
    current = Period.containing(now.astimezone(AMSTERDAM).date())
    default = max((p for p in periods[:4] if p <= current), default=periods[0])
    form = ReportForm(args, meta={"csrf": False})
    form.period.choices = [(str(p), translate(p.label)) for p in periods]
    form.format.choices = [
        ("html", "HTML"),
        ("pdf", "PDF"),
        ("xlsx", "Excel (XLSX)"),
        ("csv", "CSV"),
    ]
    if not args:
        form.period.data = str(default)
    if args and not form.validate():
        return render_template("reports/page.html", plan=plan, form=form, reports=None), 400
    period = Period.parse(form.period.data or str(default))
    moment = report_moment(period, form.as_of.data, now)
    known = report_known(form.as_of.data, now)
    closings = plan_closings(db_session(), plan.id or 0)
    report = plan_report(db_session(), plan, period, moment, known)
    reports = [with_closing(db_session(), plan, report, known, closings)]
    fmt = form.format.data or "html"
    if fmt == "html":
        return render_template(
            "reports/page.html",
            plan=plan,
            form=form,
            reports=reports,
            statuses=STATUS_ORDER,
            close_form=_close_form(plan, network, period, now, closings),
        ), status
    name = f"voortgang-{plan.slug}-{period}.{fmt}"
    audit.record(
        services().db,
        AuditKind.EXPORT,
        at=now,
        actor_id=principal().user_id,
        address=client_address(),
        detail=audit.fields(plan=plan.id or 0, period=str(period), format=fmt),
    )
    response = Response(
        render(reports, fmt),
        mimetype=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
    token = request.args.get("download", "")
    if DOWNLOAD_TOKEN.fullmatch(token):
        # The page stays while a file downloads: this cookie tells its busy indicator
        # (static/busy.js) that the file has arrived. It holds only the page's own token.
        response.set_cookie(
            "download", token, max_age=60, path=request.path, samesite="Strict", httponly=False
        )
    return response


def _close_form(
    plan: Plan, network: Network, period: Period, now: datetime, closings: list[Closed]
) -> CloseQuarterForm | None:
    """The form closing the quarter, for a coordinator when the quarter can be closed."""
    if not principal().is_coordinator(network.id or 0):
        return None
    try:
        check_closable(
            plan.year, period, now.astimezone(AMSTERDAM).date(), [c.event for c in closings]
        )
    except ClosingRefused:
        return None
    return CloseQuarterForm(period=str(period))


@blueprint.route("/<slug>/rapportage/vaststellen", methods=["POST"])
@login_required
def close_quarter(slug: str) -> ResponseReturnValue:
    """Close the quarter; the handler decides who may (404 outside the plan's network)."""
    found = db_session().exec(select(Plan, Network).join(Network).where(Plan.slug == slug)).first()
    if found is None:
        abort(404)
    plan, network = found
    form = CloseQuarterForm()
    try:
        period = Period.parse(form.period.data or "") if form.validate_on_submit() else None
    except PeriodError:
        period = None
    if period is None:
        abort(400)
    command = CloseQuarter(principal(), plan.id or 0, period)
    try:
        close(services().db.unit_of_work(), command, services().clock)
    except ClosingRefused as error:
        flash(translate(refusal(error)), "error")
        args = MultiDict({"period": str(period)})
        return _report(plan, network, args, 409 if error.code == "quarter_already_closed" else 400)
    flash(_("The quarter has been closed."), "success")
    return redirect(url_for("reports.report", slug=plan.slug, period=str(period)))
