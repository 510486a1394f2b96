"""Admin pages (beheer): networks, people and their roles, workgroups and memberships."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from sqlmodel import col, select

from tracker import accounts
from tracker.domain.access import Role
from tracker.models import Network, NetworkRole, User, Workgroup, WorkgroupMember
from tracker.security import audit, erasure
from tracker.security.audit import AuditKind
from tracker.services import db_session, services
from tracker.web.access import principal
from tracker.web.auth import client_address
from tracker.web.forms import (
    ActionForm,
    EraseForm,
    MembershipForm,
    NetworkForm,
    RoleForm,
    UserForm,
    WorkgroupForm,
)

blueprint = Blueprint("admin", __name__, url_prefix="/beheer")


def admin_required(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if not principal().is_admin:
            abort(
                403,
                description=_("Only administrators can manage networks, people and workgroups."),
            )
        return view(*args, **kwargs)

    return wrapped


def role_labels() -> dict[str, str]:
    return {
        Role.COORDINATOR.value: _("Coordinator"),
        Role.MEMBER.value: _("Workgroup member"),
        Role.BOARD.value: _("Board (read only)"),
    }


@blueprint.route("/")
@admin_required
def index() -> ResponseReturnValue:
    return redirect(url_for("admin.users"))


@blueprint.route("/netwerken", methods=["GET", "POST"])
@admin_required
def networks() -> ResponseReturnValue:
    session = db_session()
    form = NetworkForm()
    if form.validate_on_submit():
        if session.exec(select(Network).where(Network.slug == form.slug.data)).first():
            form.slug.errors = [_("This short name is already in use.")]
        else:
            session.add(Network(slug=form.slug.data or "", name=form.name.data or ""))
            session.commit()
            flash(_("Network added."), "success")
            return redirect(url_for("admin.networks"))
    code = 400 if form.is_submitted() else 200
    listed = session.exec(select(Network).order_by(col(Network.name))).all()
    return render_template("admin/networks.html", networks=listed, form=form), code


@blueprint.route("/werkgroepen", methods=["GET", "POST"])
@admin_required
def workgroups() -> ResponseReturnValue:
    session = db_session()
    networks_ = session.exec(select(Network).order_by(col(Network.name))).all()
    form = WorkgroupForm()
    form.network_id.choices = [(n.id, n.name) for n in networks_]
    if form.validate_on_submit():
        name = (form.name.data or "").strip()
        clash = session.exec(
            select(Workgroup).where(
                Workgroup.network_id == form.network_id.data, Workgroup.name == name
            )
        ).first()
        if clash:
            form.name.errors = [_("This network already has a workgroup with this name.")]
        else:
            session.add(
                Workgroup(
                    network_id=form.network_id.data,
                    name=name,
                    email=(form.email.data or "").strip().lower(),
                )
            )
            session.commit()
            flash(_("Workgroup added."), "success")
            return redirect(url_for("admin.workgroups"))
    code = 400 if form.is_submitted() else 200
    listed = session.exec(
        select(Workgroup, Network).join(Network).order_by(col(Network.name), col(Workgroup.name))
    ).all()
    return render_template("admin/workgroups.html", workgroups=listed, form=form), code


@blueprint.route("/gebruikers", methods=["GET", "POST"])
@admin_required
def users() -> ResponseReturnValue:
    session = db_session()
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                session,
                services().passwords,
                email=form.email.data or "",
                name=form.name.data or "",
                password=form.password.data or "",
                is_admin=bool(form.is_admin.data),
                now=services().clock.now(),
            )
        except accounts.AccountError as refused:
            session.rollback()
            form.email.errors = [str(refused)]
        else:
            if user.is_admin:
                audit.add(
                    session,
                    AuditKind.ROLE_CHANGED,
                    at=services().clock.now(),
                    actor_id=principal().user_id,
                    subject_id=user.id,
                    address=client_address(),
                    detail="created as administrator",
                )
            session.commit()
            flash(_("Person added. Now give them a role in a network."), "success")
            return redirect(url_for("admin.user", user_id=user.id))
    code = 400 if form.is_submitted() else 200
    listed = session.exec(select(User).order_by(col(User.name))).all()
    return render_template("admin/users.html", users=listed, form=form), code


@blueprint.route("/gebruikers/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user(user_id: int) -> ResponseReturnValue:
    session = db_session()
    person = session.get(User, user_id)
    if person is None:
        abort(404)
    networks_ = session.exec(select(Network).order_by(col(Network.name))).all()
    role_form = RoleForm(prefix="role")
    role_form.network_id.choices = [(n.id, n.name) for n in networks_]
    role_form.role.choices = list(role_labels().items())
    member_form = MembershipForm(prefix="member")
    all_groups = session.exec(
        select(Workgroup, Network).join(Network).order_by(col(Network.name), col(Workgroup.name))
    ).all()
    member_form.workgroup_id.choices = [(w.id, f"{n.name}: {w.name}") for w, n in all_groups]
    code = 200
    if role_form.submit.data:
        if role_form.validate_on_submit():
            accounts.set_role(
                session, user_id, role_form.network_id.data, Role(role_form.role.data)
            )
            audit.add(
                session,
                AuditKind.ROLE_CHANGED,
                at=services().clock.now(),
                actor_id=principal().user_id,
                subject_id=user_id,
                address=client_address(),
                detail=f"network {role_form.network_id.data}: {Role(role_form.role.data).value}",
            )
            session.commit()
            flash(_("Role saved."), "success")
            return redirect(url_for("admin.user", user_id=user_id))
        code = 400
    elif member_form.submit.data:
        if member_form.validate_on_submit():
            accounts.add_to_workgroup(session, user_id, member_form.workgroup_id.data)
            audit.add(
                session,
                AuditKind.ROLE_CHANGED,
                at=services().clock.now(),
                actor_id=principal().user_id,
                subject_id=user_id,
                address=client_address(),
                detail=f"added to workgroup {member_form.workgroup_id.data}",
            )
            session.commit()
            flash(_("Added to the workgroup."), "success")
            return redirect(url_for("admin.user", user_id=user_id))
        code = 400
    roles = session.exec(
        select(NetworkRole, Network).join(Network).where(NetworkRole.user_id == user_id)
    ).all()
    memberships = session.exec(
        select(Workgroup, Network)
        .join(WorkgroupMember, col(WorkgroupMember.workgroup_id) == col(Workgroup.id))
        .join(Network, col(Network.id) == col(Workgroup.network_id))
        .where(WorkgroupMember.user_id == user_id)
    ).all()
    return (
        render_template(
            "admin/user.html",
            person=person,
            roles=roles,
            memberships=memberships,
            role_form=role_form,
            member_form=member_form,
            role_labels=role_labels(),
            erase_form=EraseForm(),
            erased=erasure.is_erased(person),
        ),
        code,
    )


def audit_labels() -> dict[str, str]:
    return {
        AuditKind.SIGNED_IN: _("signed in"),
        AuditKind.LOGIN_FAILED: _("failed login"),
        AuditKind.ACCOUNT_LOCKED: _("account locked"),
        AuditKind.LOGIN_THROTTLED: _("too many login attempts (429)"),
        AuditKind.ACCESS_REFUSED: _("access refused"),
        AuditKind.ROLE_CHANGED: _("role changed"),
        AuditKind.EXPORT: _("export"),
        AuditKind.PASSWORD_CHANGED: _("password changed"),
        AuditKind.PASSWORD_RESET_REQUESTED: _("password reset requested"),
        AuditKind.PASSWORD_RESET: _("password reset"),
        AuditKind.DEACTIVATED: _("deactivated"),
        AuditKind.REACTIVATED: _("activated"),
        AuditKind.PERSON_ERASED: _("person erased"),
    }


@blueprint.route("/audit")
@admin_required
def audit_trail() -> ResponseReturnValue:
    """The audit trail, newest first; filter by kind or by person (?soort=…&persoon=…)."""
    session = db_session()
    kind = request.args.get("soort", "")
    person = request.args.get("persoon", "")
    entries = audit.latest(
        session,
        limit=500,
        kind=kind if kind in audit_labels() else None,
        user_id=int(person) if person.isdigit() and len(person) < 10 else None,
    )
    ids = {i for e in entries for i in (e.actor_id, e.subject_id) if i is not None}
    names = (
        {u.id: u.name for u in session.exec(select(User).where(col(User.id).in_(ids)))}
        if ids
        else {}
    )
    return render_template(
        "admin/audit.html", entries=entries, names=names, labels=audit_labels(), kind=kind
    )


@blueprint.post("/gebruikers/<int:user_id>/actief")
@admin_required
def set_active(user_id: int) -> ResponseReturnValue:
    """Deactivate a person (every session and API token stops working) or activate again."""
    if not ActionForm().validate_on_submit():
        abort(400)
    tools = services()
    with tools.db.unit_of_work() as uow:
        person = uow.session.get(User, user_id)
        if person is None or person.id is None or erasure.is_erased(person):
            abort(404)
        if person.id == principal().user_id:
            abort(400, description=_("You cannot deactivate yourself."))
        accounts.set_active(uow.session, person, not person.active)
        audit.add(
            uow.session,
            AuditKind.REACTIVATED if person.active else AuditKind.DEACTIVATED,
            at=tools.clock.now(),
            actor_id=principal().user_id,
            subject_id=person.id,
            address=client_address(),
        )
        uow.commit()
        active = person.active
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
        detail="personal data",
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
    tools = services()
    if user_id == principal().user_id:
        abort(400, description=_("You cannot erase yourself."))
    with tools.db.unit_of_work() as uow:
        person = uow.session.get(User, user_id)
        if person is None or erasure.is_erased(person):
            abort(404)
        erasure.erase_person(
            uow.session, user_id, now=tools.clock.now(), actor_id=principal().user_id
        )
        uow.commit()
    flash(_("The person's personal data has been erased."), "success")
    return redirect(url_for("admin.users"))


@blueprint.post("/gebruikers/<int:user_id>/werkgroepen/<int:workgroup_id>/verwijderen")
@admin_required
def remove_membership(user_id: int, workgroup_id: int) -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    session = db_session()
    membership = session.get(WorkgroupMember, (user_id, workgroup_id))
    if membership is None:
        abort(404)
    session.delete(membership)
    audit.add(
        session,
        AuditKind.ROLE_CHANGED,
        at=services().clock.now(),
        actor_id=principal().user_id,
        subject_id=user_id,
        address=client_address(),
        detail=f"removed from workgroup {workgroup_id}",
    )
    session.commit()
    flash(_("Removed from the workgroup."), "success")
    return redirect(url_for("admin.user", user_id=user_id))
