"""Pages for changing the plan during the year (coordinators of the network, admins).

Each page loads its object as the other pages do (404 for an outsider), then refuses a
member or the board (403) before showing a form; the handlers check the same again. A
refusal by rule is shown at the field it concerns, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlmodel import col, select

from events.store import ConcurrencyError
from tracker.dashboard import coordinated_networks
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
from tracker.services import db_session
from tracker.texts import status_label
from tracker.web.access import principal, visible_activity, visible_plan
from tracker.web.commands import run
from tracker.web.messages import edited_meanwhile, refusal_message
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


def _theme_names(plan_id: int) -> Sequence[str]:
    query = select(Theme.name).where(Theme.plan_id == plan_id).order_by(col(Theme.position))
    return db_session().exec(query).all()


def _choices(form: ContentFields, plan_id: int, network_id: int) -> None:
    form.theme.choices = [(name, name) for name in _theme_names(plan_id)] + [
        (NEW_THEME, _("A new theme (type its name below)"))
    ]
    query = select(Workgroup).where(Workgroup.network_id == network_id)
    groups = db_session().exec(query.order_by(col(Workgroup.name))).all()
    form.workgroups.choices = [(g.id or 0, g.name) for g in groups]


def _linked_workgroups(activity_id: str) -> list[int]:
    """The activity's workgroups in their own order (the order "wie" names them)."""
    query = select(ActivityWorkgroup.workgroup_id).where(
        ActivityWorkgroup.activity_id == activity_id
    )
    return list(db_session().exec(query.order_by(col(ActivityWorkgroup.position))).all())


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
    groups = _linked_workgroups(activity.id)
    form = ActivityEditForm()
    _choices(form, found.plan.id or 0, found.network.id or 0)
    page = "plan_changes/edit.html"
    if not form.is_submitted():  # what the plan says now, with the version seen
        version = str(found.state.version)
        form.process(obj=activity, theme=found.theme.name, workgroups=groups, version=version)
        return _activity_page(page, found, form, 200)
    if not form.validate():
        flash(_("The changes were not saved: check the fields below."), "error")
        return _activity_page(page, found, form, 400)
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
        workgroup_ids=_workgroups_edit(form.workgroups.data or [], groups),
        position=None if form.position.data == activity.position else form.position.data,
        reason=_text(form.reason.data or ""),
        expected_version=int(form.version.data or 0),
    )
    try:
        result = run(handlers.amend_activity, command)
    except StatusError as error:
        show_refusal(form, error)
        return _activity_page(page, found, form, 400)
    except ConcurrencyError:
        return _stale(page, activity_id, form)
    flash(_("The changes have been saved."), "success")
    if "wanneer" in result.changed and result.timing_kind == TimingKind.UNPARSED.value:
        flash(
            _(
                "The new 'When' (%(text)s) could not be read as a period, so the tracker "
                "cannot place this activity in a quarter. Write it as, for example, "
                "'%(quarter)s' or a month in Dutch ('maart').",
                text=form.wanneer.data or "",
                quarter=_("Q2"),
            ),
            "warning",
        )
    return redirect(_history(activity_id))


@blueprint.route("/activiteiten/<activity_id>/laten-vervallen", methods=["GET", "POST"])
@login_required
def withdraw_activity(activity_id: str) -> ResponseReturnValue:
    """Take an activity out of the plan (vervallen), with the reason."""
    form = WithdrawForm()
    return _status_change(
        "plan_changes/withdraw.html",
        activity_id,
        form,
        lambda version: run(
            handlers.withdraw_activity,
            WithdrawActivity(principal(), activity_id, form.reason.data or "", version),
        ),
        _("The activity has been withdrawn from the plan."),
    )


@blueprint.route("/activiteiten/<activity_id>/heropenen", methods=["GET", "POST"])
@login_required
def reopen_activity(activity_id: str) -> ResponseReturnValue:
    """Open a closed activity (afgerond, gestopt, vervallen) again, with the reason."""
    form = ReopenForm()
    form.status.choices = [
        (s.value, status_label(s)) for s in SELECTABLE_STATUSES if s in OPEN_STATUSES
    ]
    if not form.is_submitted():
        form.status.data = Status.LOPEND.value
    return _status_change(
        "plan_changes/reopen.html",
        activity_id,
        form,
        lambda version: run(
            handlers.reopen_activity,
            ReopenActivity(
                principal(), activity_id, form.reason.data or "", form.status.data or "", version
            ),
        ),
        _("The activity has been reopened."),
    )


def _status_change(
    page: str,
    activity_id: str,
    form: WithdrawForm | ReopenForm,
    save: Callable[[int], object],
    done: str,
) -> ResponseReturnValue:
    """The withdraw and reopen pages: the form, then the change saved with the version the
    person saw, a refusal at its field (400) or the form again with the new version (409)."""
    found = coordinated_activity(activity_id)
    if not form.is_submitted():
        form.version.data = str(found.state.version)
        return _activity_page(page, found, form, 200)
    try:
        if form.validate():
            save(int(form.version.data or 0))
            flash(done, "success")
            return redirect(_history(activity_id))
    except StatusError as error:
        show_refusal(form, error)
    except ConcurrencyError:
        return _stale(page, activity_id, form)
    flash(_("Nothing was saved: check the fields below."), "error")
    return _activity_page(page, found, form, 400)


def _activity_page(
    page: str, found: ActivityDetail, form: FlaskForm, code: int
) -> ResponseReturnValue:
    reopenable = Status(found.state.status) in REOPENABLE
    return render_template(page, detail=found, form=form, reopenable=reopenable), code


def _stale(page: str, activity_id: str, form: FlaskForm) -> ResponseReturnValue:
    """409: someone else changed the activity meanwhile; the form again, with its version."""
    fresh = edited_meanwhile(activity_id, coordinated_activity)
    form.version.data = str(fresh.state.version)
    return _activity_page(page, fresh, form, 409)


def _history(activity_id: str) -> str:
    return url_for("activities.detail", activity_id=activity_id) + "#geschiedenis"


@blueprint.route("/plannen/<slug>/activiteit-toevoegen", methods=["GET", "POST"])
@login_required
def add_activity(slug: str) -> ResponseReturnValue:
    """Add an activity to a running plan, under an existing or a new theme."""
    plan, network = coordinated_plan(slug)
    form = AddActivityForm()
    _choices(form, plan.id or 0, network.id or 0)
    if not form.validate_on_submit():
        return _plan_page("plan_changes/add.html", form, plan, network)
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
        activity_id = run(handlers.add_activity, command)
    except StatusError as error:
        show_refusal(form, error)
        return _plan_page("plan_changes/add.html", form, plan, network)
    flash(_("The activity has been added to the plan."), "success")
    return redirect(url_for("activities.detail", activity_id=activity_id))


@blueprint.route("/plannen/<slug>/thema-hernoemen", methods=["GET", "POST"])
@login_required
def rename_theme(slug: str) -> ResponseReturnValue:
    """Rename a theme of the plan (each of its activities records the amendment)."""
    plan, network = coordinated_plan(slug)
    form = RenameThemeForm()
    form.theme.choices = [(name, name) for name in _theme_names(plan.id or 0)]
    if not form.validate_on_submit():
        return _plan_page("plan_changes/rename_theme.html", form, plan, network)
    command = RenameTheme(
        principal(),
        plan_id=plan.id or 0,
        theme=form.theme.data or "",
        new_name=form.new_name.data or "",
        reason=_text(form.reason.data or ""),
    )
    try:
        run(handlers.rename_theme, command)
    except PlanChangeRefused as error:
        show_refusal(form, error, {"theme": "new_name"})  # about the new name
        return _plan_page("plan_changes/rename_theme.html", form, plan, network)
    flash(_("The theme has been renamed."), "success")
    return redirect(url_for("plans.overview", slug=plan.slug))


def _plan_page(
    template: str, form: FlaskForm, plan: Plan | None = None, network: Network | None = None
) -> ResponseReturnValue:
    """The form again; 400 with a notice once it was sent (nothing was saved)."""
    refused = form.is_submitted()
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
    coordinated = coordinated_networks(db_session(), person)
    if not coordinated:
        raise Forbidden(Rule.COORDINATORS)  # 403: plans are made by coordinators
    form = NewPlanForm()
    form.network_id.choices = [(n.id or 0, n.name) for n in coordinated]
    form.copy_from.choices = [("", _("No copy: an empty plan"))] + [
        (str(plan.id), f"{network.name}: {plan.title} ({plan.year})") for plan, network in plans
    ]
    if not form.validate_on_submit():
        return _plan_page("plan_changes/new_plan.html", form)
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
        plan = run(handlers.create_plan, command)
    except StatusError as error:
        show_refusal(form, error, {"theme": "themes"})
        return _plan_page("plan_changes/new_plan.html", form)
    except NotFound:
        if command.copy_from is not None and person.can_view_network(command.network_id):
            form.copy_from.errors = [_("Choose a plan of the same network.")]
            return render_template("plan_changes/new_plan.html", form=form), 400
        raise
    flash(_("The plan has been made."), "success")
    return redirect(url_for("plans.overview", slug=plan.slug))
