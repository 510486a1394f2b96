"""Commands: what a person or process asks the tracker to do, in the imperative."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.domain.targets import Target


@dataclass(frozen=True)
class PlannedActivity:
    """One activity as the jaarplan states it: doelstellingen, acties, wie, wanneer."""

    title: str
    theme: str
    objectives: str = ""
    actions: str = ""
    wie: str = ""
    wanneer: str = ""
    workgroups: tuple[str, ...] = ()
    source: str = ""
    carried_from_year: int | None = None
    parties: tuple[str, ...] = ()  # named in "wie" but not a workgroup (IKNL, gemeenten)
    targets: tuple[Target, ...] = ()  # measurable results the plan commits to


@dataclass(frozen=True)
class PlanActivity:
    """Start tracking an activity of a plan."""

    activity_id: str
    plan_id: int
    content: PlannedActivity
    actor_id: int | None = None
    carried_from: str | None = None  # the activity of an earlier plan this one continues
    carry_over_reason: str = ""


@dataclass(frozen=True)
class ChangeActivityStatus:
    """Move an activity to `status` (or, with the same status, record a progress note).

    `expected_version` is the version the person saw; a newer one means someone else updated
    the activity in the meantime, and the change is refused rather than silently overwriting.
    """

    activity_id: str
    status: str
    note: str = ""
    expected_version: int | None = None
    actor_id: int | None = None


@dataclass(frozen=True)
class RecordProgress:
    """Record the value a measurable target has reached, with an optional note."""

    activity_id: str
    indicator_id: int
    value: float
    note: str = ""
    expected_version: int | None = None
    actor_id: int | None = None


@dataclass(frozen=True)
class CarryOver:
    """Carry unfinished activities of one plan into the next, with the reason (jaarovergang)."""

    from_plan_id: int
    to_plan_slug: str  # the next year's plan; made (same network, year + 1) when new
    activity_ids: tuple[str, ...]
    reason: str
    actor_id: int | None = None


@dataclass(frozen=True)
class RecordReminderSent:
    """Note in the history of each listed activity that a reminder was delivered."""

    activity_ids: tuple[str, ...]
    kind: str
    period: str
    outbox_id: int
    workgroup_id: int | None = None
    user_id: int | None = None
