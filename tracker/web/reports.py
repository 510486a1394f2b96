"""Quarterly reports in the browser, for the coordinators and the board (and admins)."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from tracker.clock import AMSTERDAM
from tracker.domain.period import Period
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


@blueprint.route("/<slug>/rapportage")
@login_required
def report(slug: str) -> ResponseReturnValue:
    plan, network = visible_plan(slug)
    if not principal().can_see_overview(network.id or 0):
        abort(403, description=_("Reports are for the coordinators and the board."))
    now = services().clock.now()
    periods = [Period(plan.year, q) for q in range(1, 5)] + [Period(plan.year + 1, 1)]
    # The current quarter while the plan's year runs; after it, its last quarter.
    current = Period.containing(now.astimezone(AMSTERDAM).date())
    default = max((p for p in periods[:4] if p <= current), default=periods[0])
    form = ReportForm(request.args, meta={"csrf": False})
    form.period.choices = [(str(p), translate(p.label)) for p in periods]
    form.format.choices = [
        ("html", "HTML"),
        ("pdf", "PDF"),
        ("xlsx", "Excel (XLSX)"),
        ("csv", "CSV"),
    ]
    if not request.args:
        form.period.data = str(default)
    if request.args and not form.validate():
        return render_template("reports/page.html", plan=plan, form=form, reports=None), 400
    period = Period.parse(form.period.data or str(default))
    moment = report_moment(period, form.as_of.data, now)
    known = report_known(form.as_of.data, now)
    reports = [plan_report(db_session(), plan, period, moment, known)]
    fmt = form.format.data or "html"
    if fmt == "html":
        return render_template(
            "reports/page.html", plan=plan, form=form, reports=reports, statuses=STATUS_ORDER
        )
    name = f"voortgang-{plan.slug}-{period}.{fmt}"
    audit.record(
        services().db,
        AuditKind.EXPORT,
        at=now,
        actor_id=principal().user_id,
        address=client_address(),
        detail=f"report {plan.slug} {period} {fmt}",
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
