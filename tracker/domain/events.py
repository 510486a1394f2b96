"""Domain events: facts in the past tense, stored for ever in the event log.

An event type, once stored, is never changed in place: a new field gets a default, or a new
type is added, and old payloads are upcast in `decode`. Events carry ids, never names or
e-mail addresses, so a person can be erased without rewriting the log.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class DomainEvent:
    """Base of all events; `activity_id` is also the id of the stream the event belongs to."""

    activity_id: str
    type_name: ClassVar[str] = ""


@dataclass(frozen=True)
class ActivityPlanned(DomainEvent):
    """An activity of a jaarplan started being tracked (by import, demo load or carry-over)."""

    plan_id: int
    source: str = ""
    carried_from: str | None = None
    carry_over_reason: str = ""


@dataclass(frozen=True)
class ActivityStatusChanged(DomainEvent):
    """Someone moved an activity to another status, optionally with a note."""

    from_status: str
    to_status: str
    note: str = ""


@dataclass(frozen=True)
class ActivityNoteAdded(DomainEvent):
    """Someone reported progress without changing the status."""

    status: str
    note: str


@dataclass(frozen=True)
class TargetProgressRecorded(DomainEvent):
    """Someone recorded how far a measurable target has come (e.g. 18 of 25 practices)."""

    indicator_id: int
    value: float
    note: str = ""


@dataclass(frozen=True)
class ActivityCarriedOver(DomainEvent):
    """At year end an unfinished activity was carried into the next plan (status doorgeschoven).

    `to_activity_id` is the activity of the next plan that continues it.
    """

    to_activity_id: str
    to_plan_id: int
    reason: str


@dataclass(frozen=True)
class ActivityCarriedIn(DomainEvent):
    """An activity already in the next plan was linked to the one it continues."""

    carried_from: str
    reason: str


@dataclass(frozen=True)
class ReminderSent(DomainEvent):
    """A reminder listing this activity was delivered (kind and quarter, e.g. "2021Q2").

    Ids only: the outbox row, and the workgroup or person it went to, never an address.
    """

    kind: str
    period: str
    outbox_id: int
    workgroup_id: int | None = None
    user_id: int | None = None


EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.__name__: cls
    for cls in (
        ActivityPlanned,
        ActivityStatusChanged,
        ActivityNoteAdded,
        TargetProgressRecorded,
        ActivityCarriedOver,
        ActivityCarriedIn,
        ReminderSent,
    )
}

# The payload keys each type accepts, computed once (decode runs for every event replayed).
_FIELD_NAMES: dict[str, frozenset[str]] = {
    name: frozenset(f.name for f in dataclasses.fields(cls)) for name, cls in EVENT_TYPES.items()
}

# Upcasters turn an old stored payload into the current shape, keyed by type name. Empty for
# now: every stored type still has its first shape.
UPCASTERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}


class UnknownEventType(Exception):
    """The log holds a type this code does not know (e.g. written by a newer version)."""


def encode(event: DomainEvent) -> tuple[str, dict[str, Any]]:
    """Return the (type name, JSON-able payload) under which `event` is stored."""
    return type(event).__name__, dataclasses.asdict(event)


def decode(type_name: str, data: Mapping[str, Any]) -> DomainEvent:
    """Rebuild a domain event from its stored type name and payload, upcasting old shapes."""
    cls = EVENT_TYPES.get(type_name)
    if cls is None:
        raise UnknownEventType(type_name)
    payload = dict(data)
    upcast = UPCASTERS.get(type_name)
    if upcast is not None:
        payload = upcast(payload)
    known = _FIELD_NAMES[type_name]
    return cls(**{k: v for k, v in payload.items() if k in known})
