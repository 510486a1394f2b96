"""What people read about a status update: the reason one is refused, in their language."""

from __future__ import annotations

from tracker.domain.status import StatusError
from tracker.domain.status_texts import refusal
from tracker.texts import translate


def refusal_message(error: StatusError) -> str:
    """The reason, in the reader's language, why a status update was refused."""
    return translate(refusal(error))
