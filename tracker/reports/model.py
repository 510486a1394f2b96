"""The content of a quarterly report, computed from a plan's activities and their events.

Pure: `build_report` takes what the plan says (ActivityFacts) and the events recorded up to the
report's moment, and nothing else, so the same inputs always give the same report. That is
what makes a report "as of" a past date reproducible: events appended later are simply not
among the inputs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from events.store import RecordedEvent
from tracker.clock import AMSTERDAM
from tracker.domain.period import Period
from tracker.domain.status import OPEN_STATUSES, Status
from tracker.domain.targets import Target
from tracker.domain.timing import Timing
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
    """What the plan says about one activity (reference data, not history)."""

    activity_id: str
    title: str
    theme: str
    timing: Timing
    workgroups: tuple[str, ...] = ()
    targets: tuple[TargetFacts, ...] = ()
    carried_from_year: int | None = None


@dataclass
class _State:
    """An activity folded from its events up to some moment."""

    planned_at: datetime | None = None
    status: Status = Status.GEPLAND
    last_update_at: datetime | None = None
    last_note: str = ""
    carried_from: str | None = None
    carry_reason: str = ""
    carried_to: str | None = None
    finished_at: datetime | None = None
    values: dict[int, float] = field(default_factory=dict)
    updates: list[RecordedEvent] = field(default_factory=list)


def _fold(events: Iterable[RecordedEvent], until: datetime) -> _State:
    state = _State()
    for event in events:
        if event.recorded_at > until:
            break
        data = event.data
        if event.type == "ActivityPlanned":
            state.planned_at = event.recorded_at
            state.carried_from = data.get("carried_from")
            state.carry_reason = str(data.get("carry_over_reason") or "")
            continue
        if event.type == "ActivityCarriedIn":
            state.carried_from = str(data["carried_from"])
            state.carry_reason = str(data.get("reason") or "")
            continue
        if event.type == "ActivityStatusChanged":
            state.status = Status(str(data["to_status"]))
            if state.status is Status.AFGEROND:
                state.finished_at = event.recorded_at
        elif event.type == "ActivityCarriedOver":
            state.status = Status.DOORGESCHOVEN
            state.carried_to = str(data["to_activity_id"])
        elif event.type == "TargetProgressRecorded":
            state.values[int(data["indicator_id"])] = float(data["value"])
        elif event.type != "ActivityNoteAdded":
            continue  # reminders and other facts are not updates by the workgroup
        state.last_update_at = event.recorded_at
        note = str(data.get("note") or data.get("reason") or "")
        state.last_note = note or state.last_note
        state.updates.append(event)
    return state


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


@dataclass(frozen=True)
class Change:
    title: str
    at: datetime
    from_status: Status | None
    to_status: Status | None
    note: str
    kind: str  # the event type


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
    events: Mapping[str, Sequence[RecordedEvent]],
    origins: Mapping[str, int] | None = None,
    workgroup_names: Mapping[int, str] | None = None,
) -> PlanReport:
    """The report of one plan for `period`, as the log stood at `moment`.

    `events` holds each activity's events up to at least `moment` (later ones are ignored);
    `origins` gives, per carried activity, the year of the plan its chain started in;
    `workgroup_names` names the workgroups reminders were sent to.
    """
    quarter_start = start_of_day(period.first)
    previous_end = min(end_of_day(period.previous().last), moment)
    as_of = moment.astimezone(AMSTERDAM).date()
    lines: list[ActivityLine] = []
    changes: list[Change] = []
    targets: list[TargetLine] = []
    carried_in: list[CarriedLine] = []
    for facts in activities:
        stream = events.get(facts.activity_id, ())
        now = _fold(stream, moment)
        if now.planned_at is None:
            continue  # not yet in the plan at that moment
        before = _fold(stream, previous_end)
        recent = [e for e in now.updates if e.recorded_at >= quarter_start]
        end = facts.timing.end
        lines.append(
            ActivityLine(
                facts=facts,
                status=now.status,
                previous_status=before.status if before.planned_at is not None else None,
                last_update_at=now.last_update_at,
                last_note=now.last_note,
                overdue=now.status in OPEN_STATUSES and end is not None and end < as_of,
                updated_this_quarter=bool(recent),
            )
        )
        for event in recent:
            data = event.data
            changes.append(
                Change(
                    title=facts.title,
                    at=event.recorded_at,
                    from_status=_status(data.get("from_status")),
                    to_status=_status(data.get("to_status") or data.get("status")),
                    note=str(data.get("note") or data.get("reason") or ""),
                    kind=event.type,
                )
            )
        for item in facts.targets:
            targets.append(
                TargetLine(
                    facts.title,
                    item.target,
                    now.values.get(item.indicator_id),
                    before.values.get(item.indicator_id),
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
    reminders = _reminders(activities, events, quarter_start, moment, workgroup_names or {})
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
    )


def _reminders(
    activities: Sequence[ActivityFacts],
    events: Mapping[str, Sequence[RecordedEvent]],
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
        stream = [e for e in events.get(facts.activity_id, ()) if start <= e.recorded_at <= moment]
        for event in stream:
            group = event.data.get("workgroup_id")
            if event.type != "ReminderSent" or group is None:
                continue
            sent.setdefault(int(group), set()).add(int(event.data["outbox_id"]))
            key = (int(group), facts.activity_id)
            first.setdefault(key, event.recorded_at)
        for (group, activity_id), at in first.items():
            if activity_id == facts.activity_id and any(
                e.recorded_at > at and e.type not in ("ReminderSent", "ActivityPlanned")
                for e in stream
            ):
                answered.add((group, activity_id))
    rows = []
    for group, outboxes in sent.items():
        listed = [key for key in first if key[0] == group]
        silent = sum(1 for key in listed if key not in answered)
        rows.append((names.get(group, f"werkgroep {group}"), len(outboxes), silent))
    return tuple(sorted(rows))


def _status(value: object) -> Status | None:
    try:
        return Status(str(value)) if value else None
    except ValueError:
        return None
