"""What people read about a status update: why one is refused, or lost to another one."""

from __future__ import annotations

from flask import flash
from flask_babel import gettext as _

from tracker.domain.status import StatusError
from tracker.domain.status_texts import refusal
from tracker.texts import translate


def refusal_message(error: StatusError) -> str:
    """The reason, in the reader's language, why a status update was refused."""
    return translate(refusal(error))


def flash_edited_meanwhile() -> None:
    """Tell the person their update lost to someone else's (the 409 of a stale version)."""
    flash(
        _(
            "Someone else updated this activity while you were editing it. Your update "
            "was not saved: look at the history below and try again."
        ),
        "error",
    )
