"""Pages for changing the plan during the year (coordinators of the network, admins): an
activity's content, withdrawing and reopening it, adding one, renaming a theme, a new plan.

Each page loads its object as the other pages do (404 for an outsider), then refuses a
member or the board (403) before showing or taking a form; the handlers check the same
again. A refusal by rule is shown at the field it concerns, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlmodel import col, select

from events.store import ConcurrencyError
from tracker.domain.access import Forbidden, NotFound, Rule
from tracker.domain.commands import (
    AddActivity,
    AmendActivity,
    CreatePlan,
    RenameTheme,
    ReopenActivity,
    WithdrawActivity,
)
from tracker.domain.plan_changes import PlanChangeRefused
from tracker.domain.status import (
    OPEN_STATUSES,
    REOPENABLE,
    SELECTABLE_STATUSES,
    Status,
    StatusError,
)
from tracker.domain.timing import TimingKind
from tracker.handlers import plan_changes as handlers
from tracker.models import ActivityWorkgroup, Network, Plan, Theme, Workgroup
from tracker.queries import ActivityDetail, visible_plans
from tracker.services import db_session, services
from tracker.texts import status_label
from tracker.web.access import principal, visible_activity, visible_plan
from tracker.web.messages import refusal_message
from tracker.web.plan_forms import (
    NEW_THEME,
    ActivityEditForm,
    AddActivityForm,
    ContentFields,
    NewPlanForm,
    RenameThemeForm,
    ReopenForm,
    WithdrawForm,
)

blueprint = Blueprint("plan_changes", __name__)


def stale_message() -> str:
    """The same words as the status form's: someone else changed the activity meanwhile."""
    return _(
        "Someone else updated this activity while you were editing it. Your update "
        "was not saved: look at the history below and try again."
    )


def coordinated_activity(activity_id: str) -> ActivityDetail:
    """The activity, for a coordinator of its network (404 outsiders, 403 members, board)."""
    found = visible_activity(activity_id)
    principal().require_coordinator(found.network.id or 0)
    return found


def coordinated_plan(slug: str) -> tuple[Plan, Network]:
    plan, network = visible_plan(slug)
    principal().require_coordinator(network.id or 0)
    return plan, network


def show_refusal(form: FlaskForm, error: StatusError, fields: dict[str, str] | None = None) -> None:
    """A refusal at the field it concerns (the rule's field name, or the form's own name for
    it in `fields`; the theme: where it was typed), else flashed."""
    name = getattr(error, "field", "") or ("reason" if "reason" in error.code else "")
    name = (fields or {}).get(name, name)
    if name == "theme" and isinstance(form, ContentFields) and form.theme.data == NEW_THEME:
        name = "new_theme"
    field = getattr(form, name, None) if name else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, refusal_message(error)]
    else:
        flash(refusal_message(error), "error")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _text(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def _edited(submitted: str, current: str, one_line: bool = False) -> str | None:
    """The submitted text, or None when it says what the plan says (not a change)."""
    norm = _one_line if one_line else _text
    return None if norm(submitted) == norm(current) else submitted.replace("\r\n", "\n")


def _choices(form: ContentFields, plan_id: int, network_id: int) -> None:
    session = db_session()
    themes = session.exec(
        select(Theme.name).where(Theme.plan_id == plan_id).order_by(col(Theme.position))
    ).all()
    form.theme.choices = [(name, name) for name in themes] + [
        (NEW_THEME, _("A new theme (type its name below)"))
    ]
    groups = session.exec(
        select(Workgroup).where(Workgroup.network_id == network_id).order_by(col(Workgroup.name))
    ).all()
    form.workgroups.choices = [(g.id or 0, g.name) for g in groups]


def _linked_workgroups(activity_id: str) -> list[int]:
    """The activity's workgroups in their own order (the order "wie" names them)."""
    return list(
        db_session()
        .exec(
            select(ActivityWorkgroup.workgroup_id)
            .where(ActivityWorkgroup.activity_id == activity_id)
            .order_by(col(ActivityWorkgroup.position))
        )
        .all()
    )


def _workgroups_edit(chosen: Sequence[int], current: Sequence[int]) -> tuple[int, ...] | None:
    """The new workgroups (kept ones in their order, then the added), or None if the same."""
    if set(chosen) == set(current):
        return None
    return tuple(i for i in current if i in chosen) + tuple(i for i in chosen if i not in current)


@blueprint.route("/activiteiten/<activity_id>/wijzigen", methods=["GET", "POST"])
@login_required
def edit_activity(activity_id: str) -> ResponseReturnValue:
    """Change what the plan says about an activity (an amendment, field by field)."""
    found = coordinated_activity(activity_id)
    activity = found.activity
    current_groups = _linked_workgroups(activity.id)
    form = ActivityEditForm()
    _choices(form, found.plan.id or 0, found.network.id or 0)
    if not form.is_submitted():
        form.title.data = activity.title
        form.theme.data = found.theme.name
        form.objectives.data = activity.objectives
        form.actions.data = activity.actions
        form.wie.data = activity.wie
        form.wanneer.data = activity.wanneer
        form.workgroups.data = current_groups
        form.position.data = activity.position
        form.version.data = str(found.state.version)
        return _edit_page(found, form, 200)
    if not form.validate():
        flash(_("The changes were not saved: check the fields below."), "error")
        return _edit_page(found, form, 400)
    theme = form.theme_name()
    command = AmendActivity(
        principal(),
        activity_id=activity.id,
        title=_edited(form.title.data or "", activity.title, one_line=True),
        theme=None if _one_line(theme) == found.theme.name else theme,
        objectives=_edited(form.objectives.data or "", activity.objectives),
        actions=_edited(form.actions.data or "", activity.actions),
        wie=_edited(form.wie.data or "", activity.wie),
        wanneer=_edited(form.wanneer.data or "", activity.wanneer, one_line=True),
        workgroup_ids=_workgroups_edit(form.workgroups.data or [], current_groups),
        position=None if form.position.data == activity.position else form.position.data,
        reason=_text(form.reason.data or ""),
        expected_version=int(form.version.data or 0),
    )
    try:
        result = handlers.amend_activity(services().db.unit_of_work(), command, services().clock)
    except StatusError as error:
        show_refusal(form, error)
        return _edit_page(found, form, 400)
    except ConcurrencyError:
        db_session().expire_all()
        fresh = coordinated_activity(activity_id)
        flash(stale_message(), "error")
        form.version.data = str(fresh.state.version)
        return _edit_page(fresh, form, 409)
    flash(_("The changes have been saved."), "success")
    if "wanneer" in result.changed and result.timing_kind == TimingKind.UNPARSED.value:
        flash(
            _(
                "The new 'When' (%(text)s) could not be read as a period, so the tracker "
                "cannot place this activity in a quarter. Write it as, for example, "
                "'2e kwartaal' or 'maart'.",
                text=form.wanneer.data or "",
            ),
            "warning",
        )
    return redirect(url_for("activities.detail", activity_id=activity.id) + "#geschiedenis")


def _edit_page(found: ActivityDetail, form: ActivityEditForm, code: int) -> ResponseReturnValue:
    return render_template("plan_changes/edit.html", detail=found, form=form), code


@blueprint.route("/activiteiten/<activity_id>/laten-vervallen", methods=["GET", "POST"])
@login_required
def withdraw_activity(activity_id: str) -> ResponseReturnValue:
    """Take an activity out of the plan (vervallen), with the reason."""
    found = coordinated_activity(activity_id)
    form = WithdrawForm()
    if not form.is_submitted():
        form.version.data = str(found.state.version)
    if not form.validate_on_submit():
        return _status_page("plan_changes/withdraw.html", found, form, form.is_submitted())
    command = WithdrawActivity(
        principal(),
        activity_id=found.activity.id,
        reason=form.reason.data or "",
        expected_version=int(form.version.data or 0),
    )
    try:
        handlers.withdraw_activity(services().db.unit_of_work(), command, services().clock)
    except StatusError as error:
        show_refusal(form, error)
        return _status_page("plan_changes/withdraw.html", found, form, True)
    except ConcurrencyError:
        return _stale("plan_changes/withdraw.html", activity_id, form)
    flash(_("The activity has been withdrawn from the plan."), "success")
    return redirect(url_for("activities.detail", activity_id=activity_id) + "#geschiedenis")


@blueprint.route("/activiteiten/<activity_id>/heropenen", methods=["GET", "POST"])
@login_required
def reopen_activity(activity_id: str) -> ResponseReturnValue:
    """Open a closed activity (afgerond, gestopt, vervallen) again, with the reason."""
    found = coordinated_activity(activity_id)
    form = ReopenForm()
    form.status.choices = [
        (s.value, status_label(s)) for s in SELECTABLE_STATUSES if s in OPEN_STATUSES
    ]
    if not form.is_submitted():
        form.version.data = str(found.state.version)
        form.status.data = Status.LOPEND.value
    if not form.validate_on_submit():
        return _status_page("plan_changes/reopen.html", found, form, form.is_submitted())
    command = ReopenActivity(
        principal(),
        activity_id=found.activity.id,
        reason=form.reason.data or "",
        status=form.status.data or "",
        expected_version=int(form.version.data or 0),
    )
    try:
        handlers.reopen_activity(services().db.unit_of_work(), command, services().clock)
    except StatusError as error:
        show_refusal(form, error)
        return _status_page("plan_changes/reopen.html", found, form, True)
    except ConcurrencyError:
        return _stale("plan_changes/reopen.html", activity_id, form)
    flash(_("The activity has been reopened."), "success")
    return redirect(url_for("activities.detail", activity_id=activity_id) + "#geschiedenis")


def _status_page(
    template: str, found: ActivityDetail, form: FlaskForm, refused: bool
) -> ResponseReturnValue:
    if refused:
        flash(_("Nothing was saved: check the fields below."), "error")
    reopenable = Status(found.state.status) in REOPENABLE
    return render_template(template, detail=found, form=form, reopenable=reopenable), (
        400 if refused else 200
    )


def _stale(template: str, activity_id: str, form: FlaskForm) -> ResponseReturnValue:
    db_session().expire_all()
    fresh = coordinated_activity(activity_id)
    flash(stale_message(), "error")
    form.version.data = str(fresh.state.version)
    reopenable = Status(fresh.state.status) in REOPENABLE
    return render_template(template, detail=fresh, form=form, reopenable=reopenable), 409


@blueprint.route("/plannen/<slug>/activiteit-toevoegen", methods=["GET", "POST"])
@login_required
def add_activity(slug: str) -> ResponseReturnValue:
    """Add an activity to a running plan, under an existing or a new theme."""
    plan, network = coordinated_plan(slug)
    form = AddActivityForm()
    _choices(form, plan.id or 0, network.id or 0)
    if not form.validate_on_submit():
        return _plan_page("plan_changes/add.html", plan, network, form)
    command = AddActivity(
        principal(),
        plan_id=plan.id or 0,
        title=form.title.data or "",
        theme=form.theme_name(),
        objectives=_text(form.objectives.data or ""),
        actions=_text(form.actions.data or ""),
        wie=_text(form.wie.data or ""),
        wanneer=form.wanneer.data or "",
        workgroup_ids=tuple(form.workgroups.data or ()),
    )
    try:
        activity_id = handlers.add_activity(services().db.unit_of_work(), command, services().clock)
    except StatusError as error:
        show_refusal(form, error)
        return _plan_page("plan_changes/add.html", plan, network, form, refused=True)
    flash(_("The activity has been added to the plan."), "success")
    return redirect(url_for("activities.detail", activity_id=activity_id))


@blueprint.route("/plannen/<slug>/thema-hernoemen", methods=["GET", "POST"])
@login_required
def rename_theme(slug: str) -> ResponseReturnValue:
    """Rename a theme of the plan (each of its activities records the amendment)."""
    plan, network = coordinated_plan(slug)
    form = RenameThemeForm()
    names = (
        db_session()
        .exec(select(Theme.name).where(Theme.plan_id == plan.id).order_by(col(Theme.position)))
        .all()
    )
    form.theme.choices = [(name, name) for name in names]
    if not form.validate_on_submit():
        return _plan_page("plan_changes/rename_theme.html", plan, network, form)
    command = RenameTheme(
        principal(),
        plan_id=plan.id or 0,
        theme=form.theme.data or "",
        new_name=form.new_name.data or "",
        reason=_text(form.reason.data or ""),
    )
    try:
        handlers.rename_theme(services().db.unit_of_work(), command, services().clock)
    except PlanChangeRefused as error:
        show_refusal(form, error, {"theme": "new_name"})  # about the new name
        return _plan_page("plan_changes/rename_theme.html", plan, network, form, refused=True)
    flash(_("The theme has been renamed."), "success")
    return redirect(url_for("plans.overview", slug=plan.slug))


def _plan_page(
    template: str, plan: Plan, network: Network, form: FlaskForm, refused: bool = False
) -> ResponseReturnValue:
    refused = refused or form.is_submitted()
    if refused:
        flash(_("Nothing was saved: check the fields below."), "error")
    return render_template(template, plan=plan, network=network, form=form), (
        400 if refused else 200
    )


@blueprint.route("/plannen/nieuw-jaarplan", methods=["GET", "POST"])
@login_required
def new_plan() -> ResponseReturnValue:
    """A new year plan of a network the person coordinates."""
    person = principal()
    plans = [
        (plan, network)
        for plan, network in visible_plans(db_session(), person)
        if person.is_coordinator(network.id or 0)
    ]
    networks = db_session().exec(select(Network).order_by(col(Network.name))).all()
    coordinated = [n for n in networks if person.is_coordinator(n.id or 0)]
    if not coordinated:
        raise Forbidden(Rule.COORDINATORS)  # 403: plans are made by coordinators
    form = NewPlanForm()
    form.network_id.choices = [(n.id or 0, n.name) for n in coordinated]
    form.copy_from.choices = [("", _("No copy: an empty plan"))] + [
        (str(plan.id), f"{network.name}: {plan.title} ({plan.year})") for plan, network in plans
    ]
    if not form.validate_on_submit():
        code = 400 if form.is_submitted() else 200
        if form.is_submitted():
            flash(_("Nothing was saved: check the fields below."), "error")
        return render_template("plan_changes/new_plan.html", form=form), code
    copy_from = form.copy_from.data or ""
    command = CreatePlan(
        person,
        network_id=form.network_id.data or 0,
        year=form.year.data or 0,
        title=form.title.data or "",
        motto=form.motto.data or "",
        themes=form.theme_names(),
        copy_from=int(copy_from) if copy_from.isdigit() else None,
    )
    try:
        plan = handlers.create_plan(services().db.unit_of_work(), command, services().clock)
    except StatusError as error:
        show_refusal(form, error, {"theme": "themes"})
        flash(_("Nothing was saved: check the fields below."), "error")
        return render_template("plan_changes/new_plan.html", form=form), 400
    except NotFound:
        if command.copy_from is not None and person.can_view_network(command.network_id):
            form.copy_from.errors = [_("Choose a plan of the same network.")]
            return render_template("plan_changes/new_plan.html", form=form), 400
        raise
    flash(_("The plan has been made."), "success")
    return redirect(url_for("plans.overview", slug=plan.slug))
