"""An API token's person and grants come from one query, and give the same access-rule view
as the session sign-in's two (tracker/queries.py: user_by_token, principal_for)."""

from __future__ import annotations

from flask import Flask
from sqlmodel import select

from tests.support import World, build_world
from tracker import accounts
from tracker.domain.access import Role
from tracker.models import Network, NetworkRole, User, Workgroup, WorkgroupMember
from tracker.queries import _USER_AND_GRANTS_BY_TOKEN, principal_for, user_by_token


def test_every_person_gets_the_same_principal_by_token_as_by_session(app: Flask) -> None:
    world: World = build_world(app)
    services = app.extensions["tracker"]
    with services.db.session() as session:
        # One person with several grants: a role in both networks and two workgroups.
        coordinator = world.user_ids["coordinator"]
        other = session.exec(select(Network.id).where(Network.slug == "andernet")).one()
        session.add(NetworkRole(user_id=coordinator, network_id=other, role="board"))
        for workgroup in session.exec(select(Workgroup)).all()[:2]:
            session.add(WorkgroupMember(user_id=coordinator, workgroup_id=workgroup.id))
        session.commit()
        tokens = {
            name: accounts.create_token(session, user_id, services.clock.now())
            for name, user_id in world.user_ids.items()
        }
        session.commit()
        for name, token in tokens.items():
            found = user_by_token(session, accounts.token_hash(token))
            assert found is not None, name
            user, principal = found
            stored = session.get(User, world.user_ids[name])
            assert stored is not None
            assert user.id == stored.id and user.email == stored.email, name
            assert principal == principal_for(session, stored), name
        _, busy = user_by_token(session, accounts.token_hash(tokens["coordinator"])) or (None, None)
        assert busy is not None and len(busy.roles) == 2 and len(busy.workgroup_ids) >= 2
        assert busy.roles[world.network_id] == Role.COORDINATOR and busy.roles[other] == Role.BOARD
        admin = user_by_token(session, accounts.token_hash(tokens["admin"]))
        assert admin is not None and admin[1].is_admin and not admin[1].roles
        assert user_by_token(session, accounts.token_hash("no such token")) is None


def test_sqlite_reads_only_the_tokens_grants(app: Flask) -> None:
    """SQLite's plan searches the grant tables by the token's person instead of reading
    everyone's grants (it did, through the materialised union: 4 ms at 30,000 grants)."""
    services = app.extensions["tracker"]
    with services.db.session() as session:
        connection = session.connection()
        sql = str(_USER_AND_GRANTS_BY_TOKEN.compile(connection))
        values = ("h",) * sql.count("?")
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", values).all()
    details = [str(row[-1]) for row in plan]
    for table in ("networkrole", "workgroupmember"):
        assert any(d.startswith("SEARCH " + table) for d in details), details
        assert not any(d.startswith("SCAN " + table) for d in details), details
