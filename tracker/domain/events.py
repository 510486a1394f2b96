"""Domain events: facts in the past tense, stored for ever in the event log.

An event type, once stored, is never changed in place. Each class has a `class_version`,
stored with every event of it (as `_v` in the payload; absent means 1). To change a type,
raise its version and add an upcaster from the old version's payload to the new one's
(`UPCASTERS`): every stored event is decoded through them on every read, so the rest of the
code only ever sees the current shape. Events carry ids, never names or e-mail addresses,
so a person can be erased without rewriting the log.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, ClassVar, TypeVar

from tracker.domain.period import AMSTERDAM

VERSION_KEY = "_v"


@dataclass(frozen=True)
class DomainEvent:
    """Base of all events; `activity_id` is also the id of the stream the event belongs to."""

    activity_id: str
    class_version: ClassVar[int] = 1
    # Whether the event is an update of the activity by the people responsible for it (a
    # status, a note, a value, a carry-over): what "last update" and reports count.
    is_update: ClassVar[bool] = False


@dataclass(frozen=True)
class Recorded:
    """A domain event as the log holds it: its version in the stream, when, by whom."""

    event: DomainEvent
    version: int
    at: datetime
    actor: int | None = None
    position: int = 0

    @property
    def happened_at(self) -> datetime:
        """When what the event records happened: on the day it names (`happened_on`, an
        update dated when it happened), at the time of day it was recorded; otherwise when
        it was recorded."""
        day = getattr(self.event, "happened_on", None)
        if not day:
            return self.at
        local = self.at.astimezone(AMSTERDAM)
        moment = datetime.combine(date.fromisoformat(day), local.time(), tzinfo=AMSTERDAM)
        return moment.astimezone(UTC)


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
    happened_on: str | None = None  # ISO day it happened, when given ("afgerond op 28 juni")
    is_update: ClassVar[bool] = True


@dataclass(frozen=True)
class ActivityNoteAdded(DomainEvent):
    """Someone reported progress without changing the status."""

    status: str
    note: str
    happened_on: str | None = None
    is_update: ClassVar[bool] = True


@dataclass(frozen=True)
class TargetProgressRecorded(DomainEvent):
    """Someone recorded how far a measurable target has come (e.g. 18 of 25 practices)."""

    indicator_id: int
    value: float
    note: str = ""
    happened_on: str | None = None
    is_update: ClassVar[bool] = True


@dataclass(frozen=True)
class ActivityCarriedOver(DomainEvent):
    """At year end an unfinished activity was carried into the next plan (status doorgeschoven).

    `to_activity_id` is the activity of the next plan that continues it.
    """

    to_activity_id: str
    to_plan_id: int
    reason: str
    is_update: ClassVar[bool] = True


@dataclass(frozen=True)
class ActivityCarriedIn(DomainEvent):
    """An activity already in the next plan was linked to the one it continues."""

    carried_from: str
    reason: str


# What a coordinator can change about an activity, in the order a history line names them.
# `workgroups` holds workgroup ids, `theme` the theme's name, `position` the order in the plan.
AMENDABLE_FIELDS = (
    "title",
    "theme",
    "objectives",
    "actions",
    "wie",
    "wanneer",
    "workgroups",
    "position",
)


@dataclass(frozen=True)
class ActivityAmended(DomainEvent):
    """A coordinator changed what the plan says about an activity.

    `changes` maps each changed field (AMENDABLE_FIELDS) to [old, new], so a report of an
    earlier moment can show the plan as it was by undoing the later amendments.
    """

    changes: dict[str, list[Any]]
    reason: str = ""


@dataclass(frozen=True)
class ActivityWithdrawn(DomainEvent):
    """The activity was taken out of the plan (vervallen: a duplicate, cancelled by the board).

    Unlike "gestopt" (work started and stopped) it leaves the counts of reports from then on.
    """

    from_status: str
    reason: str
    is_update: ClassVar[bool] = True


@dataclass(frozen=True)
class ActivityReopened(DomainEvent):
    """A closed activity (afgerond, gestopt, vervallen) was opened again, with the reason."""

    from_status: str
    to_status: str
    reason: str
    is_update: ClassVar[bool] = True


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


def words_of(event: DomainEvent) -> str:
    """What a person wrote with an event: a note, or the reason of a carry-over, an
    amendment, a withdrawal or a reopening."""
    if isinstance(event, ActivityPlanned):
        return event.carry_over_reason
    if isinstance(
        event,
        ActivityCarriedOver
        | ActivityCarriedIn
        | ActivityAmended
        | ActivityWithdrawn
        | ActivityReopened,
    ):
        return event.reason
    return str(getattr(event, "note", ""))


@dataclass(frozen=True)
class PlanEvent:
    """Base of the events about a plan as a whole, kept in the plan's own stream (`stream_id`)
    next to its activities' streams; the activities' fold never sees them."""

    plan_id: int
    class_version: ClassVar[int] = 1

    @property
    def stream_id(self) -> str:
        return plan_stream(self.plan_id)


PLAN_STREAM_PREFIX = "plan-"


def plan_stream(plan_id: int) -> str:
    """The id of a plan's own stream (activities' streams are UUIDs: no clash)."""
    return f"{PLAN_STREAM_PREFIX}{plan_id}"


def stream_of(event: DomainEvent | PlanEvent) -> str:
    """The stream an event belongs in."""
    return event.stream_id if isinstance(event, PlanEvent) else event.activity_id


@dataclass(frozen=True)
class QuarterClosed(PlanEvent):
    """A coordinator closed a quarter of the plan (vastgesteld): its report as known at
    `known_at` (ISO, UTC) is the one of record, kept as the SHA-256 of its figures
    (tracker.reports.closing). `closed_as` is the closer's role, never their name."""

    year: int
    quarter: int
    known_at: str
    report_sha256: str
    closed_as: str


PLAN_EVENT_TYPES: dict[str, type[PlanEvent]] = {cls.__name__: cls for cls in (QuarterClosed,)}

EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.__name__: cls
    for cls in (
        ActivityPlanned,
        ActivityStatusChanged,
        ActivityNoteAdded,
        TargetProgressRecorded,
        ActivityCarriedOver,
        ActivityCarriedIn,
        ActivityAmended,
        ActivityWithdrawn,
        ActivityReopened,
        ReminderSent,
    )
}

# The payload keys each type accepts, computed once (decode runs for every event replayed).
_TYPES: dict[str, type[DomainEvent] | type[PlanEvent]] = {**EVENT_TYPES, **PLAN_EVENT_TYPES}
_FIELD_NAMES = {
    name: frozenset(f.name for f in dataclasses.fields(cls)) for name, cls in _TYPES.items()
}

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
# (type name, stored version) → the function giving that payload in the next version's
# shape. Empty for now: every stored type still has its first shape.
UPCASTERS: dict[tuple[str, int], Upcaster] = {}


E = TypeVar("E", DomainEvent, PlanEvent)


class UnknownEventType(Exception):
    """The log holds a type this code does not know (e.g. written by a newer version)."""


class UndecodableEvent(ValueError):
    """A stored payload does not give an event of its type (damaged, or a missing upcaster)."""


def encode(event: DomainEvent | PlanEvent) -> tuple[str, dict[str, Any]]:
    """Return the (type name, JSON-able payload) under which `event` is stored."""
    payload = dataclasses.asdict(event)
    if event.class_version > 1:
        payload[VERSION_KEY] = event.class_version
    return type(event).__name__, payload


def decode(type_name: str, data: Mapping[str, Any]) -> DomainEvent:
    """Rebuild a domain event from its stored type name and payload, upcast from the version
    it was stored in to its class's current one."""
    cls = EVENT_TYPES.get(type_name)
    if cls is None:
        raise UnknownEventType(type_name)
    return _decoded(cls, type_name, data)


def decode_plan_event(type_name: str, data: Mapping[str, Any]) -> PlanEvent:
    """`decode` for the events of a plan's stream."""
    cls = PLAN_EVENT_TYPES.get(type_name)
    if cls is None:
        raise UnknownEventType(type_name)
    return _decoded(cls, type_name, data)


def decode_stored(
    stream_id: str, type_name: str, data: Mapping[str, Any]
) -> DomainEvent | PlanEvent:
    """`decode` or `decode_plan_event`, as the kind of the event's stream says."""
    if stream_id.startswith(PLAN_STREAM_PREFIX):
        return decode_plan_event(type_name, data)
    return decode(type_name, data)


def _decoded(cls: type[E], type_name: str, data: Mapping[str, Any]) -> E:
    stored = int(data.get(VERSION_KEY, 1))
    if stored != cls.class_version:
        payload = dict(data)
        for version in range(stored, cls.class_version):
            upcast = UPCASTERS.get((type_name, version))
            if upcast is None:
                raise UndecodableEvent(f"{type_name}: no upcaster from version {version}")
            payload = upcast(payload)
        data = payload
    known = _FIELD_NAMES[type_name]
    try:
        return cls(**{k: v for k, v in data.items() if k in known})
    except TypeError as error:
        raise UndecodableEvent(f"{type_name}: {error}") from None
