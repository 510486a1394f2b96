"""Who gets what: the activities a reminder lists, and the workgroups a digest names.

Pure: it works on plain snapshots of the read models, so the rules can be read and tested
without a database. A workgroup is reminded of its open activities (gepland, lopend,
vertraagd) that are active or due in the quarter; a workgroup with nothing open gets nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from reminders.periods import Period, ReminderKind
from tracker.domain.status import Status
from tracker.domain.timing import Timing, TimingKind


@dataclass(frozen=True)
class ActivitySnapshot:
    """What a reminder needs to know about one activity (content, state, responsible groups)."""

    id: str
    title: str
    status: str
    start: date | None
    end: date | None
    workgroup_ids: tuple[int, ...]
    last_update_at: datetime | None = None
    wanneer: str = ""
    theme: str = ""
    plan_title: str = ""

    @property
    def is_open(self) -> bool:
        return Status(self.status).is_open

    @property
    def timing(self) -> Timing:
        return Timing(self.wanneer, TimingKind.PERIOD, self.start, self.end)


def is_listed(kind: ReminderKind, period: Period, activity: ActivitySnapshot) -> bool:
    """Whether a reminder of `kind` for `period` lists `activity`.

    Quarterly: open and active or due in the quarter. Due soon: open and due (its period
    ends) in the quarter. Activities whose "wanneer" could not be read have no period and are
    never listed: guessing would send people the wrong work.
    """
    if not activity.is_open:
        return False
    timing = activity.timing
    if kind is ReminderKind.DUE_SOON:
        return timing.ends_within(period.first, period.last)
    return timing.overlaps(period.first, period.last) or timing.ends_within(
        period.first, period.last
    )


def activities_per_workgroup(
    kind: ReminderKind, period: Period, activities: Iterable[ActivitySnapshot]
) -> dict[int, list[ActivitySnapshot]]:
    """For each workgroup with something to do, the activities its reminder lists (in the
    order given, i.e. plan order). Workgroups with nothing listed are absent."""
    listed: dict[int, list[ActivitySnapshot]] = {}
    for activity in activities:
        if is_listed(kind, period, activity):
            for workgroup_id in activity.workgroup_ids:
                listed.setdefault(workgroup_id, []).append(activity)
    return listed


class Silence(StrEnum):
    """Why a workgroup is named in the coordinators' digest."""

    NO_ADDRESS = "no-address"  # it has no e-mail address, so it was not reminded
    NOT_DELIVERED = "not-delivered"  # its reminder could not be delivered (yet)
    NO_UPDATE = "no-update"  # reminded, but none of its activities was updated since


@dataclass(frozen=True)
class SentReminder:
    """The quarterly reminder of a workgroup as the outbox knows it."""

    delivered_at: datetime | None  # None: not (yet) delivered
    activity_ids: tuple[str, ...]


@dataclass(frozen=True)
class DigestLine:
    workgroup_id: int
    reason: Silence
    activity_ids: tuple[str, ...]


def digest_lines(
    workgroups: Mapping[int, bool],
    open_now: Mapping[int, Sequence[str]],
    reminders: Mapping[int, SentReminder],
    last_updates: Mapping[str, datetime | None],
) -> list[DigestLine]:
    """The workgroups a coordinator should chase, in the order of `workgroups`.

    `workgroups` maps each workgroup of the network to whether it has an e-mail address;
    `open_now` holds what a quarterly reminder would list for it today; `reminders` the
    quarterly reminders written to the outbox; `last_updates` the last status change or note
    per activity. A workgroup that updated any of the activities it was reminded of has
    answered; one with nothing to do is not named.
    """
    lines = []
    for workgroup_id, has_address in workgroups.items():
        reminder = reminders.get(workgroup_id)
        if reminder is None:
            activity_ids = tuple(open_now.get(workgroup_id, ()))
            if activity_ids and not has_address:
                lines.append(DigestLine(workgroup_id, Silence.NO_ADDRESS, activity_ids))
            continue
        if reminder.delivered_at is None:
            lines.append(DigestLine(workgroup_id, Silence.NOT_DELIVERED, reminder.activity_ids))
            continue
        since = reminder.delivered_at
        answered = any(
            (updated := last_updates.get(activity_id)) is not None and updated >= since
            for activity_id in reminder.activity_ids
        )
        if not answered:
            lines.append(DigestLine(workgroup_id, Silence.NO_UPDATE, reminder.activity_ids))
    return lines
