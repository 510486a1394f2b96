"""Year-end carry-over (jaarovergang): choosing what continues and running it for a plan.

The rules live in the Activity aggregate and `handlers.plans.carry_over` (which checks the
person's rights and makes the next year's plan when it does not exist yet); this module finds
what is open, the plans work can continue in, and lists the outcome.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from tracker.clock import Clock
from tracker.database import Database
from tracker.domain.access import Principal
from tracker.domain.commands import CarryOver
from tracker.domain.message import Message, MessageError
from tracker.domain.retiming import RetimedWanneer, retime
from tracker.domain.status import OPEN_STATUSES, StatusError
from tracker.domain.status_texts import refusal
from tracker.handlers.activities import CarriedOver, UnknownActivity
from tracker.handlers.plans import carry_over
from tracker.models import Activity, Plan
from tracker.projections import ActivityState


class CarryOverRefused(MessageError):
    """The carry-over cannot run; the message says why."""


@dataclass(frozen=True)
class Candidate:
    """An open activity of the plan, as the carry-over preview shows it: its status (kept
    in the continuation) and its "Wanneer" proposed for the new year."""

    activity: Activity
    status: str
    proposed: RetimedWanneer


@dataclass
class CarryOverOutcome:
    from_plan: Plan
    to_plan_slug: str
    candidates: list[Candidate]
    carried: list[CarriedOver] = field(default_factory=list)

    def lines(self) -> list[str]:
        if not self.carried:
            return [f"{self.from_plan.slug} → {self.to_plan_slug}: would carry over:"] + [
                f"  {c.activity.id}  {c.activity.title} [{c.status}]"
                f"  wanneer: {c.activity.wanneer!r} → {c.proposed.text!r}"
                + (" (check)" if c.proposed.needs_check else "")
                for c in self.candidates
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


def candidates(session: Session, plan: Plan, new_year: int) -> list[Candidate]:
    """The open activities of a plan with their status and their "Wanneer" re-timed from the
    plan's year into `new_year`, in plan order."""
    rows = session.exec(
        select(Activity, ActivityState.status)
        .join(ActivityState, col(ActivityState.activity_id) == Activity.id)
        .where(Activity.plan_id == plan.id)
        .where(col(ActivityState.status).in_([s.value for s in OPEN_STATUSES]))
        .order_by(col(Activity.position))
    ).all()
    return [
        Candidate(activity, status, retime(activity.wanneer, plan.year, new_year))
        for activity, status in rows
    ]


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
    wanneer: Mapping[str, str] | None = None,
    new_plan_title: str | None = None,
    dry_run: bool = False,
) -> CarryOverOutcome:
    """Carry the chosen (default: all open) activities of one plan into a later plan of its
    network (`to_slug`), or into the network's plan of the next year, made when new (titled
    `new_plan_title`). Each continues with its "Wanneer" from `wanneer` (activity id →
    text), else re-timed into the new plan's year."""
    if not reason.strip():
        raise CarryOverRefused(Message("give the reason why these activities continue"))
    with db.session() as session:
        source = session.exec(select(Plan).where(Plan.slug == from_slug)).first()
        if source is None or not actor.can_view_network(source.network_id):
            raise CarryOverRefused(Message("no plan %(plan)s", plan=repr(from_slug)))
        to_plan_id, new_year = None, source.year + 1
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
            to_plan_id, new_year = target.id, target.year
        open_ones = candidates(session, source, new_year)
        chosen = list(activity_ids) or [c.activity.id for c in open_ones]
        next_name = to_slug or f"the plan of {new_year}"
        outcome = CarryOverOutcome(
            source, next_name, [c for c in open_ones if c.activity.id in chosen]
        )
        if dry_run:
            actor.require_coordinator(source.network_id)
            return outcome
    try:
        done = carry_over(
            db.unit_of_work(),
            CarryOver(
                actor,
                source.id or 0,
                tuple(chosen),
                reason,
                to_plan_id,
                tuple((wanneer or {}).items()),
                new_plan_title,
            ),
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
