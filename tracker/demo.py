"""The demo: the Twente 2021 jaarplan, a few people, and some history to look at.

The plan is imported by the document importer from the project's own copy of the plan text
(demo/twente-2021.txt: the extracted text of the published plan, with the one person named in
it replaced by their role, the "SIGNALEREN" page heading the extraction lost put back, and
three typing errors corrected). Its workgroups and their aliases are in
demo/twente-2021-workgroups.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml
from sqlmodel import select

from tracker import accounts
from tracker.clock import FixedClock
from tracker.database import Database
from tracker.domain.access import Role
from tracker.domain.commands import ChangeActivityStatus, RecordProgress
from tracker.handlers import change_activity_status, record_progress
from tracker.importing.document_text import read_document_text
from tracker.importing.draft import Draft, build_draft
from tracker.importing.parties import KnownGroup
from tracker.loading import activity_id_for, load_plan
from tracker.models import Indicator, Network, User, Workgroup
from tracker.passwords import Passwords

DEMO_DIR = Path(__file__).parent / "demo"
DEMO_PLAN = DEMO_DIR / "twente-2021.txt"
DEMO_WORKGROUPS = DEMO_DIR / "twente-2021-workgroups.yaml"
DEMO_PASSWORD = "jaarplan-demo-2021"


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

# Some of what happened in 2021, so the history and the overview have something to show.
DEMO_UPDATES = (
    (
        "Algemeen bestuursoverleg",
        "lopend",
        "Uitnodiging jaarlijkse bijeenkomst verstuurd.",
        "2021-10-04",
        1,
    ),
    (
        "Overzicht aanbod palliatieve zorg is actueel",
        "lopend",
        "Nieuw regionaal katern in voorbereiding.",
        "2021-02-15",
        3,
    ),
    (
        "Internationale Dag van de Palliatieve Zorg (IDPZ)",
        "lopend",
        "Programma voor oktober staat.",
        "2021-06-01",
        1,
    ),
    (
        "Internationale Dag van de Palliatieve Zorg (IDPZ)",
        "afgerond",
        "Publieksavond gehouden, 120 bezoekers.",
        "2021-10-12",
        1,
    ),
    (
        "Gluren bij de buren",
        "vertraagd",
        "Stageplekken uitgesteld door de coronamaatregelen.",
        "2021-03-20",
        4,
    ),
)


# Progress on measurable targets: (activity title, value, note, day, account index).
DEMO_PROGRESS = (
    (
        "Borging en uitbreiding PaTz groepen (palliatieve thuiszorg)",
        5,
        "Vijf PaTz-groepen actief, twee in oprichting.",
        "2021-09-15",
        1,
    ),
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


def load_demo(db: Database, passwords: Passwords) -> list[DemoAccount]:
    """Load the demo plan, accounts and history (again: only what is missing)."""
    document = demo_draft().document
    clock = FixedClock(datetime(2021, 1, 4, 9, 0, tzinfo=UTC))
    result = load_plan(db, document, clock)
    with db.session() as session:
        network = session.exec(select(Network).where(Network.slug == document.network_slug)).one()
        user_ids: list[int] = []
        for account in DEMO_ACCOUNTS:
            user = session.exec(select(User).where(User.email == account.email)).first()
            if user is None:
                user = accounts.create_user(
                    session,
                    passwords,
                    email=account.email,
                    name=account.name,
                    password=DEMO_PASSWORD,
                    is_admin=account.is_admin,
                    now=clock.now(),
                )
            assert user.id is not None and network.id is not None
            user_ids.append(user.id)
            if account.role is not None:
                accounts.set_role(session, user.id, network.id, account.role)
            for name in account.workgroups:
                workgroup = session.exec(
                    select(Workgroup).where(
                        Workgroup.network_id == network.id, Workgroup.name == name
                    )
                ).one()
                assert workgroup.id is not None
                accounts.add_to_workgroup(session, user.id, workgroup.id)
        session.commit()
    if result.created:  # a fresh plan: give it some history
        for title, status, note, day, account_index in DEMO_UPDATES:
            clock.current = datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)
            change_activity_status(
                db.unit_of_work(),
                ChangeActivityStatus(
                    activity_id_for(document.plan_slug, title),
                    status,
                    note,
                    actor_id=user_ids[account_index],
                ),
                clock,
            )
        for title, value, note, day, account_index in DEMO_PROGRESS:
            clock.current = datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)
            activity_id = activity_id_for(document.plan_slug, title)
            with db.session() as session:
                indicator = session.exec(
                    select(Indicator).where(Indicator.activity_id == activity_id)
                ).first()
            assert indicator is not None and indicator.id is not None
            record_progress(
                db.unit_of_work(),
                RecordProgress(
                    activity_id, indicator.id, value, note, None, user_ids[account_index]
                ),
                clock,
            )
    return list(DEMO_ACCOUNTS)
