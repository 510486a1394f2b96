"""The warnings of an import draft as a review page shows them: those about a line of the
file together at the top, those about an activity on that activity."""

from __future__ import annotations

from tracker.domain.message import Message
from tracker.importing.draft import Draft
from tracker.texts import translate


def review_warnings(draft: Draft) -> tuple[list[str], dict[str, list[str]]]:
    """(warnings about the file, warnings by activity place "Theme › Title"), translated."""
    by_place: dict[str, list[str]] = {}
    general: list[str] = []
    for warning in draft.warnings:
        where, message = warning.where, translate(warning.message)
        if isinstance(where, Message) or not where or where.startswith("regel "):  # a line
            general.append(f"{translate(where)}: {message}" if where else message)
        else:  # an activity's place: "Theme › Title"
            by_place.setdefault(where, []).append(message)
    return general, by_place
