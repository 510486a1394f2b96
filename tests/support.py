"""A small world for web tests: two networks, their plans and workgroups, a person per role."""

from __future__ import annotations

import re
import sqlite3
import tempfile
from contextlib import closing
from copy import deepcopy
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select
from werkzeug.test import TestResponse

from tracker import accounts
from tracker.clock import Clock
from tracker.database import Database
from tracker.domain.access import OPERATOR, Principal, Role
from tracker.domain.commands import LoadPlan
from tracker.domain.plan import PlanDocument
from tracker.handlers import plans
from tracker.handlers.plans import LoadResult
from tracker.ids import activity_id_for
from tracker.models import Network, User, Workgroup
from tracker.planfile import read_plan_yaml
from tracker.queries import principal_for

FIXTURES = Path(__file__).parent / "fixtures"


def load_plan(db: Database, document: PlanDocument, clock: Clock) -> LoadResult:
    """Store a plan file as the operator does (`flask --app wsgi load-plan`)."""
    return plans.load_plan(db.unit_of_work(), LoadPlan(OPERATOR, document), clock)


def person(db: Database, user_id: int) -> Principal:
    """The person with this id as the access rules see them (their roles and workgroups)."""
    with db.session() as session:
        user = session.get(User, user_id)
        assert user is not None
        return principal_for(session, user)


PASSWORD = "correct-horse-battery"

ROLES = (
    "anonymous",
    "owner_member",  # member of the workgroup that owns the activity
    "other_member",  # member of another workgroup in the same network
    "coordinator",  # coordinator of the network
    "other_coordinator",  # coordinator of another network
    "board",
    "admin",
)


@dataclass
class World:
    network_slug: str = "testnet"
    network_id: int = 0
    plan_slug: str = "testnet-2021"
    other_plan_slug: str = "andernet-2021"
    activity_id: str = ""  # owned by Werkgroep beleid
    pr_activity_id: str = ""  # owned by Werkgroep PR & Communicatie
    other_network_activity_id: str = ""
    emails: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)


_SNAPSHOTS = tempfile.TemporaryDirectory(prefix="worlds-")
_WORLDS: dict[str, tuple[Path, World]] = {}  # the clock's "now" → the world built then


def build_world(app: Flask) -> World:
    """The world in the app's new database.

    On SQLite the first world built is kept as a file, and a later one on the same clock is
    copied from it (~5 ms instead of ~90 ms: hundreds of tests start from this world).
    """
    db = app.extensions["tracker"].db
    if db.engine.dialect.name != "sqlite" or not _empty(db):
        return _build_world(app)
    path = Path(db.engine.url.database or "")
    key = app.extensions["tracker"].clock.now().isoformat()
    if key in _WORLDS:
        snapshot, world = _WORLDS[key]
        db.engine.dispose()
        _copy_sqlite(snapshot, path)
        return deepcopy(world)
    world = _build_world(app)
    snapshot = Path(_SNAPSHOTS.name) / f"world-{len(_WORLDS)}.db"
    _copy_sqlite(path, snapshot)
    _WORLDS[key] = (snapshot, deepcopy(world))
    return world


def _empty(db: Database) -> bool:
    with db.engine.connect() as connection:
        return not connection.exec_driver_sql(
            "SELECT EXISTS (SELECT 1 FROM network) OR EXISTS (SELECT 1 FROM user)"
            " OR EXISTS (SELECT 1 FROM events)"
        ).scalar_one()


def _copy_sqlite(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as origin, closing(sqlite3.connect(target)) as copy:
        origin.backup(copy)


def _build_world(app: Flask) -> World:
    services = app.extensions["tracker"]
    text = (FIXTURES / "mini-plan.yaml").read_text(encoding="utf-8")
    document = read_plan_yaml(text)
    other = replace(
        document, network_slug="andernet", network_name="Ander Netwerk", plan_slug="andernet-2021"
    )
    load_plan(services.db, document, services.clock)
    load_plan(services.db, other, services.clock)
    world = World(
        activity_id=activity_id_for("testnet-2021", "Algemeen bestuursoverleg"),
        pr_activity_id=activity_id_for("testnet-2021", "Website is actueel"),
        other_network_activity_id=activity_id_for("andernet-2021", "Algemeen bestuursoverleg"),
    )
    with services.db.session() as session:
        networks = {n.slug: n for n in session.exec(select(Network))}
        groups = {(w.network_id, w.name): w.id for w in session.exec(select(Workgroup))}
        testnet, andernet = networks["testnet"].id, networks["andernet"].id
        world.network_id = testnet or 0
        plan = {
            "owner_member": (testnet, Role.MEMBER, "Werkgroep beleid"),
            "other_member": (testnet, Role.MEMBER, "Werkgroep PR & Communicatie"),
            "coordinator": (testnet, Role.COORDINATOR, None),
            "other_coordinator": (andernet, Role.COORDINATOR, None),
            "board": (testnet, Role.BOARD, None),
        }
        for role_name in ROLES[1:]:
            email = f"{role_name.replace('_', '.')}@example.org"
            user = accounts.create_user(
                session,
                services.passwords,
                email=email,
                name=f"Persoon {role_name}",
                password=PASSWORD,
                is_admin=role_name == "admin",
            )
            assert user.id is not None
            world.emails[role_name] = email
            world.user_ids[role_name] = user.id
            if role_name in plan:
                network_id, role, workgroup = plan[role_name]
                accounts.set_role(session, user.id, network_id, role)
                if workgroup is not None:
                    accounts.add_to_workgroup(session, user.id, groups[(network_id, workgroup)])
        session.commit()
    return world


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form (CSRF tokens included when CSRF is on)."""
    page = client.get("/inloggen")
    data = {"email": email, "password": password}
    token = csrf_token(page.get_data(as_text=True))
    if token:
        data["csrf_token"] = token
    response = client.post("/inloggen", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def invite(
    client: FlaskClient, network_id: int, email: str, name: str = "Nieuw Lid", **extra: object
) -> TestResponse:
    """Invite a person as the signed-in admin or coordinator does on /uitnodigen (a member
    unless `role` says otherwise; `workgroup_ids` as the form sends them); the page after."""
    data = {"name": name, "email": email, "network_id": str(network_id), "role": "member"}
    return client.post("/uitnodigen", data={**data, **extra}, follow_redirects=True)


def mail_text(message: EmailMessage) -> str:
    """The plain-text body of a mail."""
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def invitation_link(message: EmailMessage) -> str:
    """The path of the single-use link in an invitation mail."""
    found = re.search(r"https?://\S+(/uitnodiging/\S+)", mail_text(message))
    assert found is not None, mail_text(message)
    return found.group(1)


def accept_invitation(app: Flask, message: EmailMessage, password: str = PASSWORD) -> None:
    """Choose a password with the link in an invitation mail, as the invited person does."""
    form = {"new": password, "repeat": password}
    response = app.test_client().post(invitation_link(message), data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def csrf_token(html: str) -> str | None:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    return match.group(1) if match else None


def token_for(app: Flask, world: World, role: str) -> dict[str, str]:
    """The Authorization header of a new API token for the world's person in `role`."""
    services = app.extensions["tracker"]
    with services.db.session() as session:
        token = accounts.create_token(session, world.user_ids[role], services.clock.now())
        session.commit()
    return {"Authorization": f"Bearer {token}"}


class CollectingMailer:
    """The reminders' mailer replaced in tests: keeps every message it is given."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)
