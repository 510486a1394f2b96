"""Year-end carry-over (jaarovergang): choosing what continues and running it for a plan.

The rules live in the Activity aggregate and `handlers.carry_over` (which also makes the next
year's plan when it does not exist yet); this module finds what is open and lists the outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from events.projections import ActivityState
from tracker.clock import Clock
from tracker.database import Database
from tracker.domain.commands import CarryOver
from tracker.domain.status import OPEN_STATUSES, StatusError
from tracker.handlers import CarriedOver, PlanMismatch, UnknownActivity, carry_over
from tracker.models import Activity, Plan


class CarryOverRefused(Exception):
    """The carry-over cannot run; the message says why."""


@dataclass
class CarryOverOutcome:
    from_plan: Plan
    to_plan_slug: str
    candidates: list[Activity]
    carried: list[CarriedOver] = field(default_factory=list)

    def lines(self) -> list[str]:
        if not self.carried:
            return [f"{self.from_plan.slug} → {self.to_plan_slug}: would carry over:"] + [
                f"  {a.id}  {a.title}" for a in self.candidates
            ]
        lines = [f"{self.from_plan.slug} → {self.to_plan_slug}:"]
        for item in self.carried:
            what = (
                "already carried over"
                if item.already_carried
                else "new activity"
                if item.created
                else "linked to the existing activity"
            )
            lines.append(f"  {item.title}: {what} ({item.to_activity_id})")
        return lines


def open_activities(session: Session, plan_id: int) -> list[Activity]:
    """The activities of a plan that are not finished, stopped or carried over, in plan order."""
    return list(
        session.exec(
            select(Activity)
            .join(ActivityState, col(ActivityState.activity_id) == Activity.id)
            .where(Activity.plan_id == plan_id)
            .where(col(ActivityState.status).in_([s.value for s in OPEN_STATUSES]))
            .order_by(col(Activity.position))
        ).all()
    )


def carry_over_plan(
    db: Database,
    clock: Clock,
    *,
    from_slug: str,
    to_slug: str,
    reason: str,
    activity_ids: Sequence[str] = (),
    dry_run: bool = False,
    actor_id: int | None = None,
) -> CarryOverOutcome:
    """Carry the chosen (default: all open) activities of one plan into the next."""
    if not reason.strip():
        raise CarryOverRefused("give the reason why these activities continue")
    with db.session() as session:
        source = session.exec(select(Plan).where(Plan.slug == from_slug)).first()
        if source is None:
            raise CarryOverRefused(f"no plan {from_slug!r}")
        candidates = open_activities(session, source.id or 0)
        chosen = list(activity_ids) or [a.id for a in candidates]
        outcome = CarryOverOutcome(source, to_slug, [a for a in candidates if a.id in chosen])
        if dry_run:
            return outcome
    try:
        outcome.carried = carry_over(
            db.unit_of_work(),
            CarryOver(source.id or 0, to_slug, tuple(chosen), reason, actor_id),
            clock,
        )
    except PlanMismatch as mismatch:
        raise CarryOverRefused(str(mismatch)) from None
    except UnknownActivity as unknown:
        raise CarryOverRefused(f"no activity {unknown} in {from_slug}") from None
    except StatusError as refused:
        raise CarryOverRefused(f"refused: {refused}") from None
    return outcome
