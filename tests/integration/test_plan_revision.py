"""Applying a revised plan document: additions, amendments and ticked withdrawals, all in one
transaction, by the plan's coordinators only, refused whole when the review is stale."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from events.store import ConcurrencyError
from tests.support import load_plan
from tracker.clock import FixedClock
from tracker.database import Database
from tracker.domain.access import Forbidden, NotFound, Principal, Role
from tracker.domain.commands import Amendment, ChangeActivityStatus, RevisePlan, Withdrawal
from tracker.domain.plan import PlannedActivity
from tracker.domain.plan_changes import PlanChangeRefused
from tracker.domain.plan_diff import Kind, compare, match
from tracker.handlers.activities import change_activity_status
from tracker.handlers.plan_revision import apply_plan_revision
from tracker.ids import activity_id_for
from tracker.importing.stored import stored_activities, stored_plan_document
from tracker.models import Activity, Network, Plan
from tracker.planfile import WorkgroupSpec, read_plan_yaml
from tracker.projections import ActivityState

FIXTURES = Path(__file__).parent.parent / "fixtures"
MEETING = activity_id_for("testnet-2021", "Algemeen bestuursoverleg")
TALK = activity_id_for("testnet-2021", "Gesprek bestuurders")
WEBSITE = activity_id_for("testnet-2021", "Website is actueel")


@pytest.fixture
def plan(db: Database, clock: FixedClock) -> Plan:
    document = read_plan_yaml((FIXTURES / "mini-plan.yaml").read_text(encoding="utf-8"))
    load_plan(db, document, clock)
    load_plan(db, replace(document, network_slug="andernet", plan_slug="andernet-2021"), clock)
    with db.session() as session:
        return session.exec(select(Plan).where(Plan.slug == "testnet-2021")).one()


def role(plan: Plan, which: Role) -> Principal:
    return Principal(user_id=None, roles={plan.network_id: which})


def events(db: Database) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM events")).scalar_one())


def revision(db: Database, plan: Plan, actor: Principal, **changes: object) -> RevisePlan:
    """The revision of the mini plan: the meeting renamed, the talk gone (ticked), a new one."""
    with db.session() as session:
        stored = {s.activity_id: s for s in stored_activities(session, plan)}
    renamed = replace(stored[MEETING].content, title="Algemeen bestuursoverleg (ABO)")
    new = PlannedActivity(
        title="Rouwcafé",
        theme="Informeren",
        objectives="Een rouwcafé in elke gemeente",
        wie="Werkgroep Rouw",
        workgroups=("Werkgroep Rouw",),
    )
    command = RevisePlan(
        actor,
        plan.id or 0,
        additions=(new,),
        amendments=(Amendment(MEETING, renamed, stored[MEETING].version),),
        withdrawals=(Withdrawal(TALK, stored[TALK].version),),
        reason="Herziene versie van het plan",
        withdrawal_reason="Niet meer in het plan (herziene versie)",
        workgroups=(WorkgroupSpec("Werkgroep Rouw"),),
    )
    return replace(command, **changes)  # type: ignore[arg-type]


def test_a_coordinator_applies_a_revision_in_one_go(
    db: Database, clock: FixedClock, plan: Plan
) -> None:
    before = events(db)
    result = apply_plan_revision(
        db.unit_of_work(), revision(db, plan, role(plan, Role.COORDINATOR)), clock
    )
    assert (result.added, result.amended, result.withdrawn) == (1, 1, 1)
    assert events(db) == before + 3
    with db.session() as session:
        assert session.get(Activity, MEETING).title == "Algemeen bestuursoverleg (ABO)"  # type: ignore[union-attr]
        assert session.get(ActivityState, TALK).status == "vervallen"  # type: ignore[union-attr]
        added = session.exec(select(Activity).where(Activity.title == "Rouwcafé")).one()
        assert session.get(ActivityState, added.id).status == "gepland"  # type: ignore[union-attr]
        # Compared again, the stored plan now is the revised document but for the talk.
        document = stored_plan_document(session, plan)
        stored = stored_activities(session, plan)
    diff = compare(stored, document.activities, match(stored, document.activities))
    assert {item.kind for item in diff.items} == {Kind.UNCHANGED}
    with db.unit_of_work() as uow:
        types = [e.type for e in uow.events.read_stream(MEETING)]
        talk = [e.type for e in uow.events.read_stream(TALK)]
    assert types[-1] == "ActivityAmended" and talk[-1] == "ActivityWithdrawn"


def test_a_stale_review_is_refused_and_nothing_is_written(
    db: Database, clock: FixedClock, plan: Plan
) -> None:
    command = revision(db, plan, role(plan, Role.COORDINATOR))
    change_activity_status(
        db.unit_of_work(),
        ChangeActivityStatus(role(plan, Role.COORDINATOR), TALK, "lopend", "begonnen"),
        clock,
    )
    before = events(db)
    with pytest.raises(ConcurrencyError):
        apply_plan_revision(db.unit_of_work(), command, clock)
    assert events(db) == before
    with db.session() as session:
        assert session.get(Activity, MEETING).title == "Algemeen bestuursoverleg"  # type: ignore[union-attr]
        assert session.exec(select(Activity).where(Activity.title == "Rouwcafé")).all() == []


def test_a_change_the_rules_refuse_undoes_the_whole_revision(
    db: Database, clock: FixedClock, plan: Plan
) -> None:
    command = revision(db, plan, role(plan, Role.COORDINATOR))
    taken = replace(command.additions[0], title="Website is actueel")  # the plan has it
    before = events(db)
    with pytest.raises(PlanChangeRefused):
        apply_plan_revision(db.unit_of_work(), replace(command, additions=(taken,)), clock)
    assert events(db) == before
    with db.session() as session:
        assert session.get(Activity, MEETING).title == "Algemeen bestuursoverleg"  # type: ignore[union-attr]


def test_only_the_plans_coordinators_revise_it(db: Database, clock: FixedClock, plan: Plan) -> None:
    before = events(db)
    for actor, refusal in [
        (role(plan, Role.MEMBER), Forbidden),
        (role(plan, Role.BOARD), Forbidden),
        (Principal(user_id=None, roles={plan.network_id + 1: Role.COORDINATOR}), NotFound),
    ]:
        with pytest.raises(refusal):
            apply_plan_revision(db.unit_of_work(), revision(db, plan, actor), clock)
    assert events(db) == before


def test_an_activity_of_another_plan_cannot_be_amended_or_withdrawn_through_this_one(
    db: Database, clock: FixedClock, plan: Plan
) -> None:
    other = activity_id_for("andernet-2021", "Gesprek bestuurders")
    with db.session() as session:
        andernet = session.exec(select(Network).where(Network.slug == "andernet")).one()
    actor = Principal(
        user_id=None, roles={plan.network_id: Role.COORDINATOR, andernet.id or 0: Role.COORDINATOR}
    )
    before = events(db)
    for changes in [
        {"withdrawals": (Withdrawal(other, None),)},
        {"amendments": (Amendment(other, PlannedActivity("Ander", "Coördinatie"), None),)},
    ]:
        with pytest.raises(NotFound):
            apply_plan_revision(db.unit_of_work(), revision(db, plan, actor, **changes), clock)
    assert events(db) == before
