"""The content of a quarterly report, computed from a plan's activities and their events.

Pure: `build_report` takes what the plan says (ActivityFacts) and the events recorded up to the
report's moment, and nothing else, so the same inputs always give the same report. That is
what makes a report "as of" a past date reproducible: events appended later are simply not
among the inputs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from tracker.clock import AMSTERDAM
from tracker.domain.activity import Activity
from tracker.domain.events import (
    ActivityAmended,
    ActivityCarriedOver,
    ActivityNoteAdded,
    ActivityPlanned,
    ActivityReopened,
    ActivityStatusChanged,
    ActivityWithdrawn,
    Recorded,
    ReminderSent,
    TargetProgressRecorded,
)
from tracker.domain.message import Message
from tracker.domain.period import Period
from tracker.domain.status import OPEN_STATUSES, Status
from tracker.domain.targets import Target
from tracker.domain.timing import Timing, parse_timing
from tracker.reports.period import end_of_day, start_of_day

STATUS_ORDER = (
    Status.GEPLAND,
    Status.LOPEND,
    Status.VERTRAAGD,
    Status.AFGEROND,
    Status.GESTOPT,
    Status.DOORGESCHOVEN,
)


@dataclass(frozen=True)
class TargetFacts:
    indicator_id: int
    target: Target


@dataclass(frozen=True)
class ActivityFacts:
    """What the plan says about one activity now (reference data, not history); a report of
    an earlier moment undoes the amendments made since (`as_of`)."""

    activity_id: str
    title: str
    theme: str
    timing: Timing
    workgroups: tuple[str, ...] = ()
    targets: tuple[TargetFacts, ...] = ()
    carried_from_year: int | None = None
    position: int = 0

    def as_of(
        self,
        later: Sequence[ActivityAmended],
        plan_year: int,
        workgroup_names: Mapping[int, str],
    ) -> ActivityFacts:
        """What the plan said before the `later` amendments (oldest first): each changed
        field's old value in the first of them that changed it."""
        before: dict[str, object] = {}
        for amendment in later:
            for name, (old, _new) in amendment.changes.items():
                before.setdefault(name, old)
        if not before:
            return self
        facts = self
        if "title" in before:
            facts = replace(facts, title=str(before["title"]))
        if "theme" in before:
            facts = replace(facts, theme=str(before["theme"]))
        if "wanneer" in before:
            facts = replace(facts, timing=parse_timing(str(before["wanneer"]), plan_year))
        if "position" in before:
            facts = replace(facts, position=int(before["position"]))  # type: ignore[call-overload]
        if "workgroups" in before:
            ids = before["workgroups"]
            assert isinstance(ids, list)
            facts = replace(facts, workgroups=tuple(workgroup_names.get(i, "?") for i in ids))
        return facts


@dataclass(frozen=True)
class ActivityLine:
    facts: ActivityFacts
    status: Status
    previous_status: Status | None  # None: not yet in the plan at the previous quarter's end
    last_update_at: datetime | None
    last_note: str
    overdue: bool
    updated_this_quarter: bool

    @property
    def changed(self) -> bool:
        return self.previous_status is not None and self.previous_status is not self.status


class ChangeKind(StrEnum):
    STATUS = "status"  # a new status
    CARRIED_OVER = "carried_over"
    VALUE = "value"  # a target's value
    NOTE = "note"  # a progress note


@dataclass(frozen=True)
class Change:
    title: str
    at: datetime
    from_status: Status | None
    to_status: Status | None
    note: str
    kind: ChangeKind

    @classmethod
    def of(cls, title: str, recorded: Recorded) -> Change:
        """The line of the quarter's changes for an update (`DomainEvent.is_update`)."""
        event = recorded.event
        if isinstance(event, ActivityStatusChanged):
            return cls(
                title,
                recorded.at,
                Status(event.from_status),
                Status(event.to_status),
                event.note,
                ChangeKind.STATUS,
            )
        if isinstance(event, ActivityCarriedOver):
            carried = Status.DOORGESCHOVEN
            return cls(title, recorded.at, None, carried, event.reason, ChangeKind.CARRIED_OVER)
        if isinstance(event, ActivityWithdrawn | ActivityReopened):
            to = Status.VERVALLEN if isinstance(event, ActivityWithdrawn) else event.to_status
            status = (Status(event.from_status), Status(to))
            return cls(title, recorded.at, *status, event.reason, ChangeKind.STATUS)
        if isinstance(event, TargetProgressRecorded):
            return cls(title, recorded.at, None, None, event.note, ChangeKind.VALUE)
        assert isinstance(event, ActivityNoteAdded)
        return cls(title, recorded.at, None, Status(event.status), event.note, ChangeKind.NOTE)


@dataclass(frozen=True)
class ThemeSummary:
    name: str
    counts: Mapping[Status, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def finished_percent(self) -> int:
        return round(100 * self.counts.get(Status.AFGEROND, 0) / self.total) if self.total else 0


@dataclass(frozen=True)
class TargetLine:
    title: str
    target: Target
    value: float | None
    previous_value: float | None

    @property
    def trend(self) -> str:
        if self.value is None:
            return ""
        if self.previous_value is None:
            return "nieuw"
        if self.value > self.previous_value:
            return "↑"
        return "↓" if self.value < self.previous_value else "="

    @property
    def met(self) -> bool:
        return self.value is not None and self.target.is_met_by(self.value)


@dataclass(frozen=True)
class CarriedLine:
    title: str
    origin_year: int
    age: int  # years since the plan it was first written in
    reason: str
    status: Status
    finished_in: Period | None


@dataclass(frozen=True)
class ThemeTrend:
    name: str
    percents: tuple[int | None, ...]  # one per quarter; None: the theme was not in the plan


@dataclass(frozen=True)
class Trend:
    """Per theme, % finished at the end of each quarter so far (tracker.reports.trend)."""

    periods: tuple[Period, ...]
    themes: tuple[ThemeTrend, ...]


@dataclass(frozen=True)
class Difference:
    """An activity whose status (target None) or a target's value at the quarter's end
    differs from the closed report: old → new (None: not in that report)."""

    activity_id: str
    title: str
    target: Target | None
    old: str | float | None
    new: str | float | None


@dataclass(frozen=True)
class ClosingNote:
    """What a report says about its quarter's closing (tracker.reports.closing)."""

    closed_at: datetime
    closed_as: Message  # the closer's role
    closed_by: str | None  # the person's name, from the users table
    reproduced: bool  # the closed report still gives the stored hash
    changes: tuple[Difference, ...]  # since the closing, as known on the report's date

    @property
    def changed_activities(self) -> frozenset[str]:
        return frozenset(change.activity_id for change in self.changes)


@dataclass(frozen=True)
class PlanReport:
    plan_title: str
    plan_slug: str
    plan_year: int
    motto: str
    network_name: str
    period: Period
    moment: datetime
    themes: tuple[ThemeSummary, ...]
    activities: tuple[ActivityLine, ...]
    changes: tuple[Change, ...]
    targets: tuple[TargetLine, ...]
    carried_in: tuple[CarriedLine, ...]
    carried_out: tuple[ActivityLine, ...]
    reminders: tuple[tuple[str, int, int], ...] = ()  # (workgroup, activities, unanswered)
    budget: tuple[tuple[str, Decimal], ...] = ()  # planned amount per theme
    spent: Mapping[str, Decimal] = field(default_factory=dict)  # spent per theme, to date
    budget_split: tuple[tuple[str, Decimal], ...] = ()  # the total per network
    withdrawn: tuple[ActivityLine, ...] = ()  # vervallen by then: out of the counts
    # The last update counted that was recorded after `moment` (dated back into the quarter,
    # e.g. in answer to the reminder); None when every update counted was in by `moment`.
    updated_until: datetime | None = None
    trend: Trend | None = None
    closing: ClosingNote | None = None  # when the report's quarter was closed by then

    @property
    def budget_total(self) -> Decimal:
        return sum((amount for _, amount in self.budget), Decimal("0.00"))

    @property
    def spent_total(self) -> Decimal:
        return sum(self.spent.values(), Decimal("0.00"))

    @property
    def as_of_date(self) -> date:
        return self.moment.astimezone(AMSTERDAM).date()

    @property
    def totals(self) -> ThemeSummary:
        counts: Counter[Status] = Counter()
        for theme in self.themes:
            counts.update(theme.counts)
        return ThemeSummary("Totaal", dict(counts))

    @property
    def overdue(self) -> tuple[ActivityLine, ...]:
        return tuple(line for line in self.activities if line.overdue)

    @property
    def silent(self) -> tuple[ActivityLine, ...]:
        """Open activities nobody updated this quarter."""
        return tuple(
            line
            for line in self.activities
            if line.status in OPEN_STATUSES and not line.updated_this_quarter
        )


def build_report(
    *,
    plan_title: str,
    plan_slug: str,
    plan_year: int,
    motto: str,
    network_name: str,
    period: Period,
    moment: datetime,
    activities: Sequence[ActivityFacts],
    events: Mapping[str, Sequence[Recorded]],
    origins: Mapping[str, int] | None = None,
    workgroup_names: Mapping[int, str] | None = None,
    known: datetime | None = None,
) -> PlanReport:
    """The report of one plan for `period`: the state at `moment` by the days updates say
    they happened, as recorded up to `known` (by default `moment` itself).

    `events` holds each activity's events up to at least `known` (later ones are ignored);
    `origins` gives, per carried activity, the year of the plan its chain started in;
    `workgroup_names` names the workgroups reminders were sent to.
    """
    known = known or moment
    quarter_start = start_of_day(period.first)
    previous_end = min(end_of_day(period.previous().last), moment)
    updated_until: datetime | None = None
    as_of = moment.astimezone(AMSTERDAM).date()
    lines: list[ActivityLine] = []
    changes: list[Change] = []
    targets: list[TargetLine] = []
    carried_in: list[CarriedLine] = []
    names = workgroup_names or {}
    withdrawn: list[ActivityLine] = []
    for facts in _as_of(activities, events, moment, plan_year, names):
        stream = events.get(facts.activity_id, ())
        now = Activity.fold(stream, known, happened_by=moment)
        if now is None:
            continue  # not yet in the plan at that moment
        before = Activity.fold(stream, known, happened_by=previous_end)
        recent = [
            r
            for r in stream
            if r.event.is_update and r.at <= known and quarter_start <= r.happened_at <= moment
        ]
        late = [r.at for r in recent if r.at > moment]
        if late:
            updated_until = max(late + ([updated_until] if updated_until else []))
        end = facts.timing.end
        changes.extend(Change.of(facts.title, recorded) for recorded in recent)
        line = ActivityLine(
            facts=facts,
            status=now.status,
            previous_status=before.status if before is not None else None,
            last_update_at=now.last_update_at,
            last_note=now.last_note,
            overdue=now.status in OPEN_STATUSES and end is not None and end < as_of,
            updated_this_quarter=bool(recent),
        )
        if now.status is Status.VERVALLEN:  # out of the plan: not counted, listed apart
            withdrawn.append(replace(line, previous_status=None))
            continue
        lines.append(line)
        earlier = before.target_values if before is not None else {}
        for item in facts.targets:
            targets.append(
                TargetLine(
                    facts.title,
                    item.target,
                    now.target_values.get(item.indicator_id),
                    earlier.get(item.indicator_id),
                )
            )
        if now.carried_from is not None:
            origin = (origins or {}).get(facts.activity_id) or facts.carried_from_year or plan_year
            finished = Period.containing(now.finished_at.astimezone(AMSTERDAM).date()) if (
                now.finished_at and now.status is Status.AFGEROND
            ) else None  # fmt: skip
            carried_in.append(
                CarriedLine(
                    facts.title, origin, plan_year - origin, now.carry_reason, now.status, finished
                )
            )
    reminders = _reminders(activities, events, quarter_start, moment, names)
    themes: dict[str, Counter[Status]] = {}
    for line in lines:
        themes.setdefault(line.facts.theme, Counter())[line.status] += 1
    changes.sort(key=lambda change: (change.at, change.title))
    return PlanReport(
        plan_title=plan_title,
        plan_slug=plan_slug,
        plan_year=plan_year,
        motto=motto,
        network_name=network_name,
        period=period,
        moment=moment,
        themes=tuple(ThemeSummary(name, dict(counts)) for name, counts in themes.items()),
        activities=tuple(lines),
        changes=tuple(changes),
        targets=tuple(targets),
        carried_in=tuple(carried_in),
        carried_out=tuple(line for line in lines if line.status is Status.DOORGESCHOVEN),
        reminders=reminders,
        withdrawn=tuple(withdrawn),
        updated_until=updated_until,
    )


def _as_of(
    activities: Sequence[ActivityFacts],
    events: Mapping[str, Sequence[Recorded]],
    moment: datetime,
    plan_year: int,
    names: Mapping[int, str],
) -> list[ActivityFacts]:
    """The activities as the plan said them at `moment`, in the plan's order of then: each
    with the amendments recorded after `moment` undone, ordered by theme (in the order the
    themes come now) and position."""
    result = []
    for facts in activities:
        later = [
            r.event
            for r in events.get(facts.activity_id, ())
            if r.at > moment and isinstance(r.event, ActivityAmended)
        ]
        result.append(facts.as_of(later, plan_year, names))
    theme_order = {name: i for i, name in enumerate(dict.fromkeys(f.theme for f in result))}
    return sorted(result, key=lambda f: (theme_order[f.theme], f.position))


def _reminders(
    activities: Sequence[ActivityFacts],
    events: Mapping[str, Sequence[Recorded]],
    start: datetime,
    moment: datetime,
    names: Mapping[int, str],
) -> tuple[tuple[str, int, int], ...]:
    """Per workgroup: reminders delivered this quarter, and listed activities not updated since.

    An activity counts as answered when anything but a reminder was recorded on it after the
    workgroup's first reminder of the quarter.
    """
    sent: dict[int, set[int]] = {}
    first: dict[tuple[int, str], datetime] = {}
    answered: set[tuple[int, str]] = set()
    for facts in activities:
        stream = [r for r in events.get(facts.activity_id, ()) if start <= r.at <= moment]
        for recorded in stream:
            event = recorded.event
            if not isinstance(event, ReminderSent) or event.workgroup_id is None:
                continue
            sent.setdefault(event.workgroup_id, set()).add(event.outbox_id)
            first.setdefault((event.workgroup_id, facts.activity_id), recorded.at)
        for (group, activity_id), at in first.items():
            if activity_id == facts.activity_id and any(
                r.at > at and not isinstance(r.event, ReminderSent | ActivityPlanned)
                for r in stream
            ):
                answered.add((group, activity_id))
    rows = []
    for group, outboxes in sent.items():
        listed = [key for key in first if key[0] == group]
        silent = sum(1 for key in listed if key not in answered)
        rows.append((names.get(group, f"werkgroep {group}"), len(outboxes), silent))
    return tuple(sorted(rows))
