"""The demo: the Twente 2021 jaarplan, a few people, and some history to look at.

The plan is imported by the document importer from the project's own copy of the plan text
(demo/twente-2021.txt: the extracted text of the published plan, with the one person named in
it replaced by their role, the "SIGNALEREN" page heading the extraction lost put back, and
three typing errors corrected). Its workgroups and their aliases are in
demo/twente-2021-workgroups.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import select

from tracker.carry_over import carry_over_plan
from tracker.clock import AMSTERDAM, FixedClock
from tracker.database import Database
from tracker.domain.access import OPERATOR, Principal, Role
from tracker.domain.budget import BudgetLine
from tracker.domain.commands import (
    ChangeActivityStatus,
    CreatePerson,
    LoadPlan,
    Membership,
    RecordProgress,
    RecordSpending,
    SetRole,
)
from tracker.domain.plan import PlanDocument
from tracker.handlers import people
from tracker.handlers.activities import change_activity_status, record_progress
from tracker.handlers.plans import load_plan, record_spending
from tracker.ids import activity_id_for
from tracker.importing.document_text import read_document_text
from tracker.importing.draft import Draft, build_draft
from tracker.importing.parties import KnownGroup
from tracker.models import Indicator, Network, NetworkRole, Plan, User, Workgroup, WorkgroupMember
from tracker.passwords import Passwords
from tracker.planfile import read_plan_yaml
from tracker.queries import principal_for

DEMO_DIR = Path(__file__).parent / "demo"
DEMO_PLAN = DEMO_DIR / "twente-2021.txt"
DEMO_WORKGROUPS = DEMO_DIR / "twente-2021-workgroups.yaml"
DEMO_PASSWORD = "jaarplan-demo-2021"
DEMO_YEAR = 2021


def demo_today(now: datetime) -> date:
    """Today's day and month in the demo plan's year (28 February for 29 February): the day
    `make run` shows the demo on (APP_TODAY=demo), so "now" falls inside the demo's year at
    the point of it the real calendar has reached."""
    today = now.astimezone(AMSTERDAM).date()
    if (today.month, today.day) == (2, 29):  # the demo's year has none
        return date(DEMO_YEAR, 2, 28)
    return today.replace(year=DEMO_YEAR)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role | None
    workgroups: tuple[str, ...] = ()
    is_admin: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("beheer@example.org", "Beheerder Demo", None, is_admin=True),
    DemoAccount("coordinator@example.org", "Coördinator Demo", Role.COORDINATOR),
    DemoAccount("bestuur@example.org", "Bestuurslid Demo", Role.BOARD),
    DemoAccount(
        "lid.pr@example.org", "Lid PR & Communicatie", Role.MEMBER, ("Werkgroep PR & Communicatie",)
    ),
    DemoAccount(
        "lid.deskundigheid@example.org",
        "Lid Deskundigheidsbevordering",
        Role.MEMBER,
        ("Werkgroep deskundigheidsbevordering",),
    ),
)

DEMO_PLAN_2020 = DEMO_DIR / "twente-2020.yaml"
DEMO_HISTORY = DEMO_DIR / "twente-history.yaml"


@dataclass(frozen=True)
class DemoHistory:
    """What happened to the demo plans (demo/twente-history.yaml)."""

    updates: list[dict[str, Any]]
    progress: list[dict[str, Any]]
    carry_over: dict[str, Any]
    budget: tuple[BudgetLine, ...] = ()  # of the 2021 plan
    spending: list[dict[str, Any]] = field(default_factory=list)  # on the 2021 plan


def demo_history() -> DemoHistory:
    data = yaml.safe_load(DEMO_HISTORY.read_text(encoding="utf-8"))
    budget = tuple(BudgetLine(b["theme"], b["item"], Decimal(b["amount"])) for b in data["budget"])
    return DemoHistory(
        data["updates"], data["progress"], data["carry_over"], budget, data["spending"]
    )


def demo_draft() -> Draft:
    """The demo plan as the importer reads it."""
    setup = yaml.safe_load(DEMO_WORKGROUPS.read_text(encoding="utf-8"))
    groups = setup["workgroups"]
    return build_draft(
        read_document_text(DEMO_PLAN.read_text(encoding="utf-8")),
        network_slug=setup["network"]["slug"],
        network_name=setup["network"]["name"],
        known=[KnownGroup(g["name"], tuple(g.get("aliases", ()))) for g in groups],
        workgroup_emails={g["name"]: g["email"] for g in groups},
        source_name=DEMO_PLAN.name,
    )


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=UTC)


def load_demo(db: Database, passwords: Passwords, until: date | None = None) -> list[DemoAccount]:
    """Load the demo plans, accounts and history (again: only what is missing).

    In the order it happened: the 2020 plan and its year, the 2021 plan imported from its
    document, the carry-over of the COVID-delayed 2020 actions, then 2021 quarter by quarter
    up to `until` (the app's today: updates after it have not happened yet).
    """
    history = demo_history()

    def happened(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [item for item in items if until is None or item["day"] <= until]

    plan_2020 = read_plan_yaml(DEMO_PLAN_2020.read_text(encoding="utf-8"))
    plan_2021 = replace(demo_draft().document, budget=history.budget)
    clock = FixedClock(datetime(2020, 1, 6, 9, 0, tzinfo=UTC))
    with db.session() as session:
        fresh = session.exec(select(Plan).where(Plan.slug == plan_2021.plan_slug)).first() is None
    _load(db, plan_2020, clock)
    people = _accounts(db, passwords, plan_2020.network_slug, clock)
    if not fresh:
        _load(db, plan_2021, clock)  # adds what is missing, nothing else
        return list(DEMO_ACCOUNTS)
    updates = sorted(happened(history.updates), key=lambda u: u["day"])
    for item in (u for u in updates if u["plan"] == plan_2020.plan_slug):
        _update(db, clock, item, people)
    carry = history.carry_over
    clock.current = _at(carry["day"])
    _load(db, plan_2021, clock)
    clock.current = _at(carry["day"]) + timedelta(hours=1)
    carry_over_plan(
        db, clock, from_slug=carry["from"], to_slug=carry["to"], reason=carry["reason"],
        actor=people[carry["by"]],
    )  # fmt: skip
    later = [("update", u) for u in updates if u["plan"] == plan_2021.plan_slug]
    later += [("progress", p) for p in happened(history.progress)]
    later += [("spending", s) for s in happened(history.spending)]
    for kind, item in sorted(later, key=lambda pair: pair[1]["day"]):
        if kind == "update":
            _update(db, clock, item, people)
        elif kind == "progress":
            _progress(db, clock, item, people)
        else:
            _spending(db, clock, item, people, plan_2021.plan_slug)
    return list(DEMO_ACCOUNTS)


def _load(db: Database, document: PlanDocument, clock: FixedClock) -> None:
    load_plan(db.unit_of_work(), LoadPlan(OPERATOR, document), clock)


def _update(db: Database, clock: FixedClock, item: dict[str, Any], people: list[Principal]) -> None:
    clock.current = _at(item["day"])
    change_activity_status(
        db.unit_of_work(),
        ChangeActivityStatus(
            people[item["by"]],
            activity_id_for(item["plan"], item["activity"]),
            item["status"],
            item["note"],
        ),
        clock,
    )


def _spending(
    db: Database, clock: FixedClock, item: dict[str, Any], people: list[Principal], slug: str
) -> None:
    clock.current = _at(item["day"])
    with db.session() as session:
        plan_id = session.exec(select(Plan.id).where(Plan.slug == slug)).one()
    command = RecordSpending(
        people[item["by"]], plan_id or 0, item["theme"], Decimal(item["amount"]), item["day"],
        item["note"],
    )  # fmt: skip
    record_spending(db.unit_of_work(), command, clock)


def _progress(
    db: Database, clock: FixedClock, item: dict[str, Any], people: list[Principal]
) -> None:
    clock.current = _at(item["day"])
    activity_id = activity_id_for(item["plan"], item["activity"])
    with db.session() as session:
        indicator = session.exec(
            select(Indicator).where(Indicator.activity_id == activity_id)
        ).first()
    assert indicator is not None and indicator.id is not None, item["activity"]
    record_progress(
        db.unit_of_work(),
        RecordProgress(people[item["by"]], activity_id, indicator.id, item["value"], item["note"]),
        clock,
    )


def _accounts(
    db: Database, passwords: Passwords, network_slug: str, clock: FixedClock
) -> list[Principal]:
    """The demo accounts (made when missing, through the same handler as `create-user`),
    with their roles and workgroups; the people they are, as the access rules see them."""
    with db.session() as session:
        network = session.exec(select(Network).where(Network.slug == network_slug)).one()
        groups: dict[str, int] = {
            w.name: w.id
            for w in session.exec(select(Workgroup).where(Workgroup.network_id == network.id))
            if w.id is not None
        }
        existing = {u.email: u.id for u in session.exec(select(User)) if u.id is not None}
        roles = {
            (r.user_id, r.role)
            for r in session.exec(select(NetworkRole))
            if r.network_id == network.id
        }
        memberships = {(m.user_id, m.workgroup_id) for m in session.exec(select(WorkgroupMember))}
    assert network.id is not None
    for account in DEMO_ACCOUNTS:
        user_id = existing.get(account.email)
        if user_id is not None:  # made before: its role and workgroups in the demo network
            if account.role is not None and (user_id, account.role.value) not in roles:
                role = SetRole(OPERATOR, user_id, network.id, account.role)
                people.set_role(db.unit_of_work(), role, clock)
            for name in account.workgroups:
                if (user_id, groups[name]) not in memberships:
                    join = Membership(OPERATOR, user_id, groups[name])
                    people.add_to_workgroup(db.unit_of_work(), join, clock)
            continue
        command = CreatePerson(
            OPERATOR,
            email=account.email,
            name=account.name,
            password=DEMO_PASSWORD,
            is_admin=account.is_admin,
            network_id=network.id if account.role is not None else None,
            role=account.role,
            workgroup_ids=tuple(groups[name] for name in account.workgroups if name in groups),
        )
        people.create_person(db.unit_of_work(), command, clock, passwords)
    with db.session() as session:
        by_email = {u.email: u for u in session.exec(select(User))}
        return [principal_for(session, by_email[account.email]) for account in DEMO_ACCOUNTS]
