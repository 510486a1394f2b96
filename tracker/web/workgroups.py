"""A network's workgroups and their members, for its coordinators (and admins): add a
workgroup, put a person with a role in the network in one, take them out again. The handlers
check the rights: another network's workgroup answers 404."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from sqlmodel import col, select

from tracker.dashboard import coordinated_networks
from tracker.domain.access import Principal
from tracker.domain.commands import AddWorkgroup, Membership
from tracker.handlers import people
from tracker.models import NetworkRole, User, Workgroup, WorkgroupMember
from tracker.services import db_session
from tracker.web.access import principal
from tracker.web.auth import is_safe_next
from tracker.web.commands import run
from tracker.web.forms import ActionForm, WorkgroupForm

blueprint = Blueprint("workgroups", __name__, url_prefix="/werkgroepen")


def _coordinator() -> Principal:
    actor = principal()
    if not actor.coordinates_a_network:
        abort(403, description=_("Only administrators and coordinators manage workgroups."))
    return actor


@blueprint.route("/", methods=["GET", "POST"])
@login_required
def index() -> ResponseReturnValue:
    actor = _coordinator()
    session = db_session()
    networks = coordinated_networks(session, actor)
    form = WorkgroupForm()
    form.network_id.choices = [(n.id, n.name) for n in networks]
    if form.validate_on_submit():
        command = AddWorkgroup(
            actor, form.network_id.data or 0, form.name.data or "", form.email.data or ""
        )
        try:
            run(people.add_workgroup, command)
        except people.Refused:
            form.name.errors = [_("This network already has a workgroup with this name.")]
        else:
            flash(_("Workgroup added."), "success")
            return redirect(url_for("workgroups.index"))
    ids = [n.id for n in networks]
    groups = session.exec(
        select(Workgroup).where(col(Workgroup.network_id).in_(ids)).order_by(col(Workgroup.name))
    ).all()
    members = session.exec(
        select(WorkgroupMember, User)
        .join(User)
        .where(col(WorkgroupMember.workgroup_id).in_([g.id for g in groups]))
        .order_by(col(User.name))
    ).all()
    roles = session.exec(
        select(NetworkRole, User)
        .join(User)
        .where(col(NetworkRole.network_id).in_(ids))
        .order_by(col(User.name))
    ).all()
    page = render_template(
        "workgroups/index.html",
        networks=networks,
        groups=groups,
        members=members,
        roles=roles,
        form=form,
    )
    return page, 400 if form.is_submitted() else 200


@blueprint.post("/<int:workgroup_id>/leden")
@login_required
def add_member(workgroup_id: int) -> ResponseReturnValue:
    user_id = request.form.get("user_id", type=int)
    if not ActionForm().validate_on_submit() or user_id is None:
        abort(400)
    try:
        run(people.add_to_workgroup, Membership(principal(), user_id, workgroup_id))
    except people.Refused:
        flash(_("Give this person a role in the workgroup's network first."), "error")
    else:
        flash(_("Added to the workgroup."), "success")
    return redirect(url_for("workgroups.index"))


@blueprint.post("/<int:workgroup_id>/leden/<int:user_id>/verwijderen")
@login_required
def remove_member(workgroup_id: int, user_id: int) -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    run(people.remove_from_workgroup, Membership(principal(), user_id, workgroup_id))
    flash(_("Removed from the workgroup."), "success")
    back = request.form.get("next")  # the admin's page of the person
    return redirect(back if is_safe_next(back) else url_for("workgroups.index"))
