"""Pages for workgroup members: my activities, an activity with its history, the update form."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from sqlmodel import col, select

from events.store import ConcurrencyError
from tracker.clock import AMSTERDAM
from tracker.domain.attention import Attention
from tracker.domain.commands import ChangeActivityStatus, RecordProgress
from tracker.domain.status import REOPENABLE, Status, StatusError, allowed_targets
from tracker.domain.timing import quarter_of
from tracker.handlers.activities import change_activity_status, record_progress
from tracker.models import Plan
from tracker.queries import (
    ActivityDetail,
    history,
    in_attention_order,
    my_activities,
    targets_with_progress,
    update_first,
)
from tracker.reports.closing import versions_after_closing
from tracker.services import db_session, services
from tracker.texts import status_label, translate
from tracker.web.access import can_update, principal, visible_activity
from tracker.web.commands import run
from tracker.web.forms import ProgressForm, StatusForm
from tracker.web.messages import edited_meanwhile, refusal_message

blueprint = Blueprint("activities", __name__)
# Statuses an activity cannot be withdrawn from (the domain refuses it as well).
WITHDRAWN_OR_CARRIED = frozenset({Status.VERVALLEN, Status.DOORGESCHOVEN})


def today() -> date:
    return services().clock.now().astimezone(AMSTERDAM).date()


@blueprint.route("/mijn-activiteiten")
@login_required
def mine() -> ResponseReturnValue:
    """The member's start page: what to update first, then their plans by attention."""
    day = today()
    rows = in_attention_order(my_activities(db_session(), principal()), day)
    overdue = sum(1 for row in rows if row.attention(day) is Attention.OVERDUE)
    only_overdue = request.args.get("over_tijd") == "1"
    if only_overdue:
        rows = [row for row in rows if row.attention(day) is Attention.OVERDUE]
    plan_ids = {row.activity.plan_id for row in rows}
    plans = (
        db_session()
        .exec(select(Plan).where(col(Plan.id).in_(plan_ids)).order_by(col(Plan.year).desc()))
        .all()
    )
    return render_template(
        "activities/mine.html",
        rows=rows,
        plans=[(plan, [r for r in rows if r.activity.plan_id == plan.id]) for plan in plans],
        first=update_first(rows, day),
        closed={r.activity.id for r in rows if r.attention(day) is Attention.CLOSED},
        today=day,
        quarter=quarter_of(day)[1],
        overdue=overdue,
        only_overdue=only_overdue,
    )


def _status_form(detail: ActivityDetail) -> StatusForm:
    form = StatusForm()
    offered = allowed_targets(Status(detail.state.status))
    form.status.choices = [(s.value, status_label(s)) for s in offered]
    if not form.is_submitted():
        form.status.data = detail.state.status
        form.version.data = str(detail.state.version)
    return form


def _render_detail(
    detail: ActivityDetail,
    form: StatusForm,
    code: int = 200,
    progress_form: ProgressForm | None = None,
) -> ResponseReturnValue:
    targets = targets_with_progress(db_session(), detail.activity.id)
    entries = history(db_session(), detail.activity.id)
    return (
        render_template(
            "activities/detail.html",
            detail=detail,
            form=form,
            may_update=can_update(detail),
            may_change_plan=principal().is_coordinator(detail.network.id or 0),
            is_open=Status(detail.state.status).is_open,
            reopenable=Status(detail.state.status) in REOPENABLE,
            withdrawable=Status(detail.state.status) not in WITHDRAWN_OR_CARRIED,
            entries=entries,
            after_closing=versions_after_closing(db_session(), detail.plan.id or 0, entries),
            targets=targets,
            target_names={t.indicator.id: translate(t.target.describe()) for t in targets},
            progress_form=progress_form or ProgressForm(formdata=None),
            today=today(),
        ),
        code,
    )


@blueprint.route("/activiteiten/<activity_id>")
@login_required
def detail(activity_id: str) -> ResponseReturnValue:
    found = visible_activity(activity_id)
    return _render_detail(found, _status_form(found))


@blueprint.post("/activiteiten/<activity_id>/status")
@login_required
def update_status(activity_id: str) -> ResponseReturnValue:
    found = visible_activity(activity_id)
    form = _status_form(found)
    if not form.validate_on_submit():
        flash(_("The update was not saved: check the fields below."), "error")
        return _render_detail(found, form, 400)
    command = ChangeActivityStatus(
        principal(),
        activity_id=found.activity.id,
        status=form.status.data or "",
        note=form.note.data or "",
        expected_version=int(form.version.data or 0),
        happened_on=form.happened_on.data,
    )
    try:
        run(change_activity_status, command)
    except StatusError as error:
        flash(refusal_message(error), "error")
        return _render_detail(found, form, 400)
    except ConcurrencyError:
        fresh = edited_meanwhile(activity_id)
        form.version.data = str(fresh.state.version)
        return _render_detail(fresh, form, 409)
    flash(_("Your update has been saved."), "success")
    return redirect(url_for("activities.detail", activity_id=activity_id) + "#geschiedenis")


@blueprint.post("/activiteiten/<activity_id>/voortgang")
@login_required
def record_target_progress(activity_id: str) -> ResponseReturnValue:
    found = visible_activity(activity_id)
    form = ProgressForm()
    if not form.validate_on_submit() or form.value.data is None:
        flash(_("The value was not saved: check the fields below."), "error")
        return _render_detail(found, _status_form(found), 400, progress_form=form)
    command = RecordProgress(
        principal(),
        activity_id=found.activity.id,
        indicator_id=int(form.indicator_id.data or 0),
        value=float(form.value.data),
        note=form.note.data or "",
        expected_version=int(form.version.data or 0),
        happened_on=form.happened_on.data,
    )
    try:
        run(record_progress, command)
    except StatusError as error:
        flash(refusal_message(error), "error")
        return _render_detail(found, _status_form(found), 400, progress_form=form)
    except ConcurrencyError:
        return _render_detail(edited_meanwhile(activity_id), _status_form(found), 409)
    flash(_("The value has been saved."), "success")
    return redirect(url_for("activities.detail", activity_id=activity_id) + "#streefwaarden")
