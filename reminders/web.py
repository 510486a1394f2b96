"""Pages of the reminders: a person's choice, the unsubscribe link, and for admins the mails
not delivered: refused (failed) or of unknown outcome (uncertain), with a button to resend."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlmodel import col, select
from wtforms import BooleanField, SubmitField

from reminders import handlers, outbox
from reminders.feed_web import feed_choices
from reminders.handlers import ResendReminder, SetReminderPreferences, Unsubscribe
from reminders.tokens import unsubscribe_user_id
from tracker.domain.access import Role
from tracker.domain.message import from_stored
from tracker.extensions import csrf
from tracker.models import User, Workgroup
from tracker.reminder_models import OutboxStatus, preference_of
from tracker.services import db_session
from tracker.texts import translate
from tracker.web.access import principal
from tracker.web.admin import admin_required
from tracker.web.commands import run
from tracker.web.forms import ActionForm

blueprint = Blueprint("reminders", __name__)


class PreferenceForm(FlaskForm):
    personal_copy = BooleanField(_l("Also send my workgroups' reminders to my own address"))
    digest = BooleanField(_l("Send me the digest of workgroups that have not answered"))
    submit = SubmitField(_l("Save"))


@blueprint.route("/profiel/herinneringen", methods=["GET", "POST"])
@login_required
def preferences() -> ResponseReturnValue:
    me = principal()
    assert me.user_id is not None  # signed in: a person
    session = db_session()
    preference = preference_of(session, me.user_id)
    form = PreferenceForm()
    if not form.is_submitted():
        form.personal_copy.data = preference.personal_copy
        form.digest.data = preference.digest
    if form.validate_on_submit():
        command = SetReminderPreferences(me, bool(form.personal_copy.data), bool(form.digest.data))
        run(handlers.set_preferences, command)
        flash(_("Your reminder settings have been saved."), "success")
        return redirect(url_for("reminders.preferences"))
    is_coordinator = any(role is Role.COORDINATOR for role in me.roles.values())
    return render_template(
        "reminders/preferences.html",
        form=form,
        is_member=bool(me.workgroup_ids),
        is_coordinator=is_coordinator,
        feeds=feed_choices(session, me),
        feed_form=ActionForm(),
    ), (400 if form.is_submitted() else 200)


def _person_for(token: str) -> User:
    user_id = unsubscribe_user_id(str(current_app.config["SECRET_KEY"]), token)
    user = db_session().get(User, user_id) if user_id is not None else None
    if user is None:
        abort(404)
    return user


@blueprint.get("/herinneringen/afmelden/<token>")
def unsubscribe(token: str) -> ResponseReturnValue:
    """The link in a personal reminder: asks for a click, since mail scanners follow links."""
    _person_for(token)
    return render_template("reminders/unsubscribe.html", token=token, done=False)


@blueprint.post("/herinneringen/afmelden/<token>")
@csrf.exempt  # the signed token is the proof; mail programs post here (RFC 8058 one-click)
def confirm_unsubscribe(token: str) -> ResponseReturnValue:
    person = _person_for(token)
    assert person.id is not None
    run(handlers.unsubscribe, Unsubscribe(person.id))
    return render_template("reminders/unsubscribe.html", token=token, done=True)


@blueprint.get("/beheer/herinneringen")
@admin_required
def failed() -> ResponseReturnValue:
    session = db_session()
    rows = outbox.undelivered_messages(session)
    workgroups = {w.id: w for w in session.exec(select(Workgroup))}
    user_ids = [row.user_id for row in rows if row.user_id is not None]
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(user_ids)))}
    return render_template(
        "reminders/failed.html",
        rows=rows,
        problems={row.id: translate(from_stored(row.last_error)) for row in rows},
        workgroups=workgroups,
        users=users,
        uncertain=OutboxStatus.UNCERTAIN,
    )


@blueprint.post("/beheer/herinneringen/<int:message_id>/opnieuw")
@admin_required
def resend(message_id: int) -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    run(handlers.resend, ResendReminder(principal(), message_id))
    flash(_("The reminder will be sent again within a few minutes."), "success")
    return redirect(url_for("reminders.failed"))
