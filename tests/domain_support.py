"""Domain events as the log would hold them, for tests of the aggregate without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tracker.domain.activity import Activity
from tracker.domain.events import DomainEvent, Recorded

T0 = datetime(2021, 1, 4, 9, 0, tzinfo=UTC)


def recorded(*events: DomainEvent, actor: int | None = None) -> list[Recorded]:
    """The events with versions 1, 2, 3 … an hour apart from T0, as one stream."""
    return [
        Recorded(event, version, T0 + timedelta(hours=version - 1), actor)
        for version, event in enumerate(events, start=1)
    ]


def then(activity: Activity, event: DomainEvent) -> None:
    """Record one more event on the activity's stream (the next version, an hour later)."""
    at = (activity.last_update_at or activity.planned_at or T0) + timedelta(hours=1)
    activity.apply(Recorded(event, activity.version + 1, at))
