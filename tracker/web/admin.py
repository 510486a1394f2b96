"""Admin pages (beheer): networks, people and their roles and workgroups. Workgroups themselves
are managed on the coordinators' page (tracker/web/workgroups.py), which admins see whole."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from sqlmodel import col, select

from tracker.domain.access import Role
from tracker.domain.commands import AddNetwork, ErasePerson, Membership, SetActive, SetRole
from tracker.handlers import people
from tracker.models import Network, User, Workgroup
from tracker.security import audit, erasure
from tracker.security.audit import AuditKind
from tracker.services import db_session, services
from tracker.web import audit_trail as audit_trail_view
from tracker.web.access import client_address, principal
from tracker.web.commands import run
from tracker.web.forms import ActionForm, EraseForm, MembershipForm, NetworkForm, RoleForm

blueprint = Blueprint("admin", __name__, url_prefix="/beheer")


def admin_required(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        principal().require_admin()  # 403 for everyone else (tracker.web.errors)
        return view(*args, **kwargs)

    return wrapped


def role_labels() -> dict[str, str]:
    return {
        Role.COORDINATOR.value: _("Coordinator"),
        Role.MEMBER.value: _("Workgroup member"),
        Role.BOARD.value: _("Board (read only)"),
    }


def _networks() -> Sequence[Network]:
    return db_session().exec(select(Network).order_by(col(Network.name))).all()


def all_workgroups() -> Sequence[tuple[Workgroup, Network]]:
    """Every workgroup with its network, by network and name."""
    query = select(Workgroup, Network).join(Network)
    return db_session().exec(query.order_by(col(Network.name), col(Workgroup.name))).all()


@blueprint.route("/")
@admin_required
def index() -> ResponseReturnValue:
    return redirect(url_for("admin.users"))


@blueprint.route("/netwerken", methods=["GET", "POST"])
@admin_required
def networks() -> ResponseReturnValue:
    form = NetworkForm()
    if form.validate_on_submit():
        try:
            command = AddNetwork(principal(), form.slug.data or "", form.name.data or "")
            run(people.add_network, command)
        except people.Refused:
            form.slug.errors = [_("This short name is already in use.")]
        else:
            flash(_("Network added."), "success")
            return redirect(url_for("admin.networks"))
    code = 400 if form.is_submitted() else 200
    return render_template("admin/networks.html", networks=_networks(), form=form), code


@blueprint.get("/gebruikers")
@admin_required
def users() -> ResponseReturnValue:
    """Everyone with an account; new people come in by invitation (/uitnodigen)."""
    listed = db_session().exec(select(User).order_by(col(User.name))).all()
    return render_template("admin/users.html", users=listed)


@blueprint.route("/gebruikers/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user(user_id: int) -> ResponseReturnValue:
    session = db_session()
    person = session.get(User, user_id)
    if person is None:
        abort(404)
    role_form = RoleForm(prefix="role")
    role_form.network_id.choices = [(n.id, n.name) for n in _networks()]
    role_form.role.choices = list(role_labels().items())
    member_form = MembershipForm(prefix="member")
    member_form.workgroup_id.choices = [(w.id, f"{n.name}: {w.name}") for w, n in all_workgroups()]
    if role_form.submit.data:
        if role_form.validate_on_submit():
            role = SetRole(
                principal(), user_id, role_form.network_id.data or 0, Role(role_form.role.data)
            )
            run(people.set_role, role)
            flash(_("Role saved."), "success")
            return redirect(url_for("admin.user", user_id=user_id))
    elif member_form.submit.data and member_form.validate_on_submit():
        join = Membership(principal(), user_id, member_form.workgroup_id.data or 0)
        try:
            run(people.add_to_workgroup, join)
        except people.Refused:
            member_form.workgroup_id.errors = [
                _("Give this person a role in the workgroup's network first.")
            ]
        else:
            flash(_("Added to the workgroup."), "success")
            return redirect(url_for("admin.user", user_id=user_id))
    roles, memberships = erasure.roles_and_workgroups(session, user_id)
    return render_template(
        "admin/user.html",
        person=person,
        roles=roles,
        memberships=memberships,
        role_form=role_form,
        member_form=member_form,
        role_labels=role_labels(),
        erase_form=EraseForm(),
        erased=erasure.is_erased(person),
    ), 400 if role_form.submit.data or member_form.submit.data else 200


@blueprint.route("/audit")
@admin_required
def audit_trail() -> ResponseReturnValue:
    """The audit trail, newest first, as sentences; filters by person, kind and period
    (?persoon=…&soort=…&van=…&tot=…)."""
    session, filters = db_session(), audit_trail_view.Filters.parse(request.args)
    lines = audit_trail_view.lines(
        session, filters.entries(session, audit_trail_view.PAGE_LIMIT), role_labels()
    )
    people = session.exec(select(User).order_by(col(User.name))).all()
    return render_template(
        "admin/audit.html",
        lines=lines,
        filters=filters,
        args=request.args,
        people=[p for p in people if not erasure.is_erased(p)],
        labels=audit_trail_view.kind_labels(),
        when=audit_trail_view.when,
        limit=audit_trail_view.PAGE_LIMIT,
    ), (400 if filters.errors else 200)


@blueprint.get("/audit.csv")
@admin_required
def audit_csv() -> ResponseReturnValue:
    """The filtered audit trail as a CSV file."""
    session, filters = db_session(), audit_trail_view.Filters.parse(request.args)
    if filters.errors:
        abort(400, description=" ".join(filters.errors))
    entries = filters.entries(session, audit_trail_view.CSV_LIMIT)
    body = audit_trail_view.render_csv(audit_trail_view.lines(session, entries, role_labels()))
    return Response(
        body,
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )


@blueprint.post("/gebruikers/<int:user_id>/actief")
@admin_required
def set_active(user_id: int) -> ResponseReturnValue:
    """Deactivate a person (every session and API token stops working) or activate again."""
    if not ActionForm().validate_on_submit():
        abort(400)
    person = db_session().get(User, user_id)
    active = person is None or not person.active
    try:
        run(people.set_active, SetActive(principal(), user_id, active))
    except people.Refused:
        abort(400, description=_("You cannot deactivate yourself."))
    flash(_("Person activated.") if active else _("Person deactivated."), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@blueprint.get("/gebruikers/<int:user_id>/gegevens.json")
@admin_required
def export_person(user_id: int) -> ResponseReturnValue:
    """Everything stored about a person, as JSON (before erasing them, or on request)."""
    return person_export_response(user_id)


def person_export_response(user_id: int) -> ResponseReturnValue:
    """The JSON download of a person's data; the export is audited."""
    tools = services()
    try:
        data = erasure.personal_data(db_session(), user_id)
    except LookupError:
        abort(404)
    audit.record(
        tools.db,
        AuditKind.EXPORT,
        at=tools.clock.now(),
        actor_id=principal().user_id,
        subject_id=user_id,
        address=client_address(),
        detail=audit.fields(data="personal"),
    )
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="gegevens-{user_id}.json"'},
    )


@blueprint.post("/gebruikers/<int:user_id>/wissen")
@admin_required
def erase(user_id: int) -> ResponseReturnValue:
    """Erase a person's personal data (confirmed with a checkbox); the log still replays."""
    form = EraseForm()
    if not form.validate_on_submit():
        abort(400, description=_("Tick the box to confirm erasing this person."))
    try:
        run(people.erase_person, ErasePerson(principal(), user_id))
    except people.Refused:
        abort(400, description=_("You cannot erase yourself."))
    flash(_("The person's personal data has been erased."), "success")
    return redirect(url_for("admin.users"))
