"""Storing a PlanDocument: network, plan, workgroups and one tracked activity per item.

Loading is idempotent: ids are derived from the plan and the activity title, so loading the
same document again adds only what is new.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from tracker.clock import Clock
from tracker.database import Database
from tracker.domain.commands import PlanActivity
from tracker.handlers import plan_activity
from tracker.ids import activity_id_for
from tracker.models import BudgetItem, BudgetSplit, Network, Plan, Workgroup
from tracker.planfile import PlanDocument


@dataclass(frozen=True)
class LoadResult:
    plan_id: int
    created: int
    existing: int


def load_plan(
    db: Database, document: PlanDocument, clock: Clock, actor_id: int | None = None
) -> LoadResult:
    """Store `document` in one transaction; see the module docstring."""
    with db.unit_of_work() as uow:
        session = uow.session
        network = session.exec(select(Network).where(Network.slug == document.network_slug)).first()
        if network is None:
            network = Network(slug=document.network_slug, name=document.network_name)
            session.add(network)
            session.flush()
        plan = session.exec(select(Plan).where(Plan.slug == document.plan_slug)).first()
        if plan is None:
            plan = Plan(
                network_id=network.id,  # type: ignore[arg-type]
                slug=document.plan_slug,
                year=document.year,
                title=document.title,
                motto=document.motto,
                introduction=document.introduction,
            )
            session.add(plan)
            session.flush()
        for spec in document.workgroups:
            exists = session.exec(
                select(Workgroup).where(
                    Workgroup.network_id == network.id, Workgroup.name == spec.name
                )
            ).first()
            if exists is None:
                session.add(
                    Workgroup(
                        network_id=network.id,  # type: ignore[arg-type]
                        name=spec.name,
                        email=spec.email,
                        aliases="\n".join(spec.aliases),
                    )
                )
        session.flush()
        created = 0
        assert plan.id is not None
        _store_budget(session, plan.id, document)
        for content in document.activities:
            command = PlanActivity(
                activity_id=activity_id_for(document.plan_slug, content.title),
                plan_id=plan.id,
                content=content,
                actor_id=actor_id,
            )
            created += plan_activity(uow, command, clock)
        uow.commit()
    return LoadResult(plan.id, created, len(document.activities) - created)


def _store_budget(session: Session, plan_id: int, document: PlanDocument) -> None:
    """The budget of a plan, when the plan has none stored yet (loading again adds nothing)."""
    if session.exec(select(BudgetItem.id).where(BudgetItem.plan_id == plan_id)).first():
        return
    if session.exec(select(BudgetSplit.id).where(BudgetSplit.plan_id == plan_id)).first():
        return
    for position, line in enumerate(document.budget):
        session.add(
            BudgetItem(
                plan_id=plan_id,
                position=position,
                theme=line.theme,
                item=line.item,
                amount_cents=int(line.amount * 100),
            )
        )
    for position, share in enumerate(document.budget_shares):
        session.add(
            BudgetSplit(
                plan_id=plan_id,
                position=position,
                name=share.name,
                numerator=share.share.numerator,
                denominator=share.share.denominator,
            )
        )
