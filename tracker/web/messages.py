"""What people read about a status update: why one is refused, or lost to another one."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash
from flask_babel import gettext as _

from tracker.domain.status import StatusError
from tracker.domain.status_texts import refusal
from tracker.queries import ActivityDetail
from tracker.services import db_session
from tracker.texts import translate
from tracker.web.access import visible_activity


def refusal_message(error: StatusError) -> str:
    """The reason, in the reader's language, why a status update was refused."""
    return translate(refusal(error))


def edited_meanwhile(
    activity_id: str, load: Callable[[str], ActivityDetail] = visible_activity
) -> ActivityDetail:
    """The activity as it is now, after someone else's update beat the person's (the 409 of
    a stale version), with a notice that theirs was not saved."""
    db_session().expire_all()
    found = load(activity_id)
    flash(
        _(
            "Someone else updated this activity while you were editing it. Your update "
            "was not saved: look at the history below and try again."
        ),
        "error",
    )
    return found
