"""Calendar feeds on the web: the feed itself, and making or renewing its secret address.

The feed needs no sign-in: its secret address is the key, so an unknown (or renewed)
address is answered like any page that does not exist. Making or renewing an address is a
form on the reminder settings page; the answer shows the new address once (only its hash is
kept), on a page that is not stored by the browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required
from sqlmodel import Session, col, select

from reminders.handlers import RenewCalendarFeed, renew_feed
from reminders.service import reminders_of
from tracker.clock import as_utc
from tracker.domain.access import Principal, Role
from tracker.models import Workgroup
from tracker.reminder_models import CalendarFeed
from tracker.services import db_session, services
from tracker.web.access import principal
from tracker.web.commands import run
from tracker.web.forms import ActionForm

blueprint = Blueprint("feeds", __name__)
MEDIA_TYPE = "text/calendar; charset=utf-8"


@dataclass(frozen=True)
class FeedChoice:
    """A feed the person may make or renew, as the settings page lists it."""

    workgroup: Workgroup | None  # None: the person's own feed
    made_at: datetime | None  # when its current address was made; None: none yet


def feed_choices(session: Session, me: Principal) -> list[FeedChoice]:
    """The person's own feed, then one per workgroup of theirs (in networks they see) and
    per workgroup of the networks they coordinate."""
    assert me.user_id is not None
    coordinated = [n for n, role in me.roles.items() if role is Role.COORDINATOR]
    workgroups = [
        w
        for w in session.exec(
            select(Workgroup)
            .where(
                col(Workgroup.id).in_(sorted(me.workgroup_ids))
                | col(Workgroup.network_id).in_(coordinated)
            )
            .order_by(col(Workgroup.name))
        )
        if me.can_view_network(w.network_id)
    ]
    ids = [w.id for w in workgroups if w.id is not None]
    feeds = session.exec(
        select(CalendarFeed).where(
            (col(CalendarFeed.user_id) == me.user_id) | col(CalendarFeed.workgroup_id).in_(ids)
        )
    ).all()
    own = next((f.made_at for f in feeds if f.user_id == me.user_id), None)
    made = {f.workgroup_id: f.made_at for f in feeds if f.workgroup_id is not None}
    return [FeedChoice(None, as_utc(own))] + [
        FeedChoice(w, as_utc(made.get(w.id or 0))) for w in workgroups
    ]


def _app_url() -> str:
    return reminders_of(current_app).mail.app_url or request.host_url.rstrip("/")


@blueprint.get("/agenda/<secret>.ics")
def feed(secret: str) -> ResponseReturnValue:
    # icalendar is loaded when a calendar asks, not when the app starts.
    from reminders.feeds import deadlines, feed_calendar, reminder_days, subscriber_for

    session = db_session()
    subscriber = subscriber_for(session, secret)
    if subscriber is None:
        abort(404)
    schedule = reminders_of(current_app).schedule
    now = services().clock.now()
    body = feed_calendar(
        subscriber,
        deadlines(session, subscriber.workgroup_ids),
        reminder_days(schedule, now.astimezone(schedule.timezone).date()),
        _app_url(),
        now,
    )
    response = Response(body, content_type=MEDIA_TYPE)
    response.headers["Content-Disposition"] = 'inline; filename="jaarplan.ics"'
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@blueprint.post("/profiel/agenda")
@login_required
def renew_own() -> ResponseReturnValue:
    return _renew(None)


@blueprint.post("/profiel/agenda/werkgroepen/<int:workgroup_id>")
@login_required
def renew_workgroup(workgroup_id: int) -> ResponseReturnValue:
    return _renew(workgroup_id)


def _renew(workgroup_id: int | None) -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    secret = run(renew_feed, RenewCalendarFeed(principal(), workgroup_id))
    workgroup = db_session().get(Workgroup, workgroup_id) if workgroup_id is not None else None
    address = f"{_app_url()}/agenda/{secret}.ics"
    response = Response(
        render_template(
            "reminders/feed_address.html",
            workgroup=workgroup,
            address=address,
            webcal="webcal://" + address.split("://", 1)[-1],
        )
    )
    response.headers["Cache-Control"] = "no-store"  # the address is shown once
    return response
