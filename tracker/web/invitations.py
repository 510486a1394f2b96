"""Invitations: admins (any network) and coordinators (their own) invite a person by e-mail;
the invited person chooses a password with the single-use link from the mail.

The inviter sees the same answer whether or not the address already has an account (see
tracker/security/invitations.py); the mail is logged by person id only when undelivered.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from tracker.dashboard import coordinated_networks
from tracker.domain.access import Role
from tracker.domain.commands import InvitePerson
from tracker.handlers import people
from tracker.security import invitations
from tracker.services import db_session, services
from tracker.web.access import principal
from tracker.web.admin import all_workgroups, role_labels
from tracker.web.auth import choose_password_page, send_or_log
from tracker.web.forms import InvitationForm

blueprint = Blueprint("invitations", __name__)


@blueprint.route("/uitnodigen", methods=["GET", "POST"])
@login_required
def invite() -> ResponseReturnValue:
    actor = principal()
    if not actor.coordinates_a_network:
        abort(403, description=_("Only administrators and coordinators can invite people."))
    form = InvitationForm()
    groups = [(w, n) for w, n in all_workgroups() if actor.is_coordinator(n.id or 0)]
    form.network_id.choices = [(n.id, n.name) for n in coordinated_networks(db_session(), actor)]
    form.role.choices = list(role_labels().items())
    form.workgroup_ids.choices = [(w.id, f"{n.name}: {w.name}") for w, n in groups]
    days = int(current_app.config["INVITATION_DAYS"])
    if form.validate_on_submit():
        command = InvitePerson(
            actor,
            email=form.email.data or "",
            name=form.name.data or "",
            network_id=form.network_id.data or 0,
            role=Role(form.role.data),
            workgroup_ids=tuple(form.workgroup_ids.data or ()),
        )
        tools = services()
        invitation = people.invite_person(
            tools.db.unit_of_work(), command, tools.clock, timedelta(days=days)
        )
        _send(invitation, days)
        flash(
            _("Invitation sent. The link in it works once, for %(days)s days.", days=days),
            "success",
        )
        return redirect(url_for("invitations.invite"))
    code = 400 if form.is_submitted() else 200
    return render_template("invitations/invite.html", form=form), code


def _send(invitation: invitations.Invitation, days: int) -> None:
    """Mail the link (or, for an existing account, the sign-in address) to the invited person."""
    target = (
        url_for("auth.login")
        if invitation.token is None
        else url_for("invitations.accept", token=invitation.token)
    )
    message = invitations.invitation_message(
        invitation,
        sender=current_app.config.get("MAIL_FROM") or "jaarplan@localhost",
        link=current_app.config["APP_URL"].rstrip("/") + target,
        days=days,
    )
    send_or_log(message, "invitation", invitation.user_id)


@blueprint.route("/uitnodiging/<token>", methods=["GET", "POST"])
def accept(token: str) -> ResponseReturnValue:
    """Choose a password with the invitation's link (once, within INVITATION_DAYS days)."""
    invalid = _(
        "This invitation link is not valid (any more): it was used already or has expired. "
        "Ask whoever invited you for a new invitation."
    )
    return choose_password_page(
        token,
        invitations.PURPOSE,
        expired=(invalid, _("Invitation not valid")),
        done=_("Welcome! Your password is set: sign in with it."),
        template="invitations/accept.html",
    )
