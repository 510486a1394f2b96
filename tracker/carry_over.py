"""Year-end carry-over (jaarovergang): choosing what continues and running it for a plan.

The rules live in the Activity aggregate and `handlers.plans.carry_over` (which checks the
person's rights and makes the next year's plan when it does not exist yet); this module finds
what is open, the plans work can continue in, and lists the outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from tracker.clock import Clock
from tracker.database import Database
from tracker.domain.access import Principal
from tracker.domain.commands import CarryOver
from tracker.domain.message import Message, MessageError
from tracker.domain.status import OPEN_STATUSES, StatusError
from tracker.domain.status_texts import refusal
from tracker.handlers.activities import CarriedOver, UnknownActivity
from tracker.handlers.plans import carry_over
from tracker.models import Activity, Plan
from tracker.projections import ActivityState


class CarryOverRefused(MessageError):
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


def later_plans(session: Session, plan: Plan) -> list[Plan]:
    """The plans of the same network after this one's year: where its work can continue."""
    return list(
        session.exec(
            select(Plan)
            .where(Plan.network_id == plan.network_id, Plan.year > plan.year)
            .order_by(col(Plan.year), col(Plan.id))
        ).all()
    )


def carry_over_plan(
    db: Database,
    clock: Clock,
    *,
    actor: Principal,
    from_slug: str,
    reason: str,
    to_slug: str | None = None,
    activity_ids: Sequence[str] = (),
    dry_run: bool = False,
) -> CarryOverOutcome:
    """Carry the chosen (default: all open) activities of one plan into a later plan of its
    network (`to_slug`), or into the network's plan of the next year, made when new."""
    if not reason.strip():
        raise CarryOverRefused(Message("give the reason why these activities continue"))
    with db.session() as session:
        source = session.exec(select(Plan).where(Plan.slug == from_slug)).first()
        if source is None or not actor.can_view_network(source.network_id):
            raise CarryOverRefused(Message("no plan %(plan)s", plan=repr(from_slug)))
        to_plan_id = None
        if to_slug is not None:
            target = next((p for p in later_plans(session, source) if p.slug == to_slug), None)
            if target is None:
                raise CarryOverRefused(
                    Message(
                        "%(plan)s is not a later plan of the network of %(source)s",
                        plan=repr(to_slug),
                        source=repr(from_slug),
                    )
                )
            to_plan_id = target.id
        candidates = open_activities(session, source.id or 0)
        chosen = list(activity_ids) or [a.id for a in candidates]
        next_name = to_slug or f"the plan of {source.year + 1}"
        outcome = CarryOverOutcome(source, next_name, [a for a in candidates if a.id in chosen])
        if dry_run:
            actor.require_coordinator(source.network_id)
            return outcome
    try:
        done = carry_over(
            db.unit_of_work(),
            CarryOver(actor, source.id or 0, tuple(chosen), reason, to_plan_id),
            clock,
        )
    except UnknownActivity as unknown:
        raise CarryOverRefused(
            Message("no activity %(activity)s in %(plan)s", activity=str(unknown), plan=from_slug)
        ) from None
    except StatusError as refused:
        raise CarryOverRefused(refusal(refused)) from None
    outcome.to_plan_slug, outcome.carried = done.plan_slug, done.carried
    return outcome
