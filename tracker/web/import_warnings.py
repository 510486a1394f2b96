"""The warnings of an import draft as a review page shows them: how the file was read and
what went nowhere apart, those about a place in the file together at the top, those about an
activity on that activity."""

from __future__ import annotations

from collections.abc import Mapping

from tracker.domain.message import Message
from tracker.domain.timing import describe_timing, parse_timing
from tracker.importing.draft import Draft
from tracker.importing.reading import NOT_PLACED
from tracker.texts import translate


def review_warnings(draft: Draft) -> tuple[list[str], dict[str, list[str]]]:
    """(warnings about the file, warnings by activity place "Theme › Title"), translated."""
    by_place: dict[str, list[str]] = {}
    general: list[str] = []
    for warning in draft.warnings:
        if warning.message.text_id == NOT_PLACED:
            continue
        where, message = warning.where, translate(warning.message)
        if isinstance(where, Message) or not where or where.startswith("regel "):  # a line
            general.append(f"{translate(where)}: {message}" if where else message)
        else:  # an activity's place: "Theme › Title"
            by_place.setdefault(where, []).append(message)
    return general, by_place


def not_placed(draft: Draft) -> list[str]:
    """What the reader placed nowhere, "where: text", translated."""
    return [
        f"{translate(w.where)}: {w.message.params['text']}"
        for w in draft.warnings
        if w.message.text_id == NOT_PLACED
    ]


def timing_readings(draft: Draft, submitted: Mapping[str, str] | None) -> list[str]:
    """What each activity's "Wanneer" is read as, translated; after a refused form the
    coordinator's edited "Wanneer" is read again."""
    activities, year = draft.document.activities, draft.document.year
    texts = [
        submitted.get(f"wanneer-{i}", a.wanneer) if submitted else a.wanneer
        for i, a in enumerate(activities)
    ]
    return [translate(describe_timing(parse_timing(text, year))) for text in texts]
