"""People rules: a person joins a workgroup only with a role in its network first."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlmodel import select

from tests.support import World, build_world, login, person
from tracker.domain.access import Role
from tracker.domain.commands import Membership, SetRole
from tracker.handlers import people
from tracker.models import Workgroup, WorkgroupMember


def _other_network_workgroup(app: Flask, world: World) -> tuple[int, int]:
    """A workgroup of the network the test people have no role in, and that network."""
    with app.extensions["tracker"].db.session() as session:
        found = session.exec(select(Workgroup).where(Workgroup.network_id != world.network_id))
        group = found.first()
    assert group is not None and group.id is not None
    return group.id, group.network_id


def _memberships(app: Flask, user_id: int) -> set[int]:
    with app.extensions["tracker"].db.session() as session:
        rows = session.exec(select(WorkgroupMember).where(WorkgroupMember.user_id == user_id))
        return {m.workgroup_id for m in rows}


def test_the_handler_refuses_a_workgroup_outside_the_persons_networks(backend_app: Flask) -> None:
    world = build_world(backend_app)
    tools = backend_app.extensions["tracker"]
    admin, board = person(tools.db, world.user_ids["admin"]), world.user_ids["board"]
    group, network = _other_network_workgroup(backend_app, world)
    with pytest.raises(people.Refused, match="no_role_in_network"):
        people.add_to_workgroup(
            tools.db.unit_of_work(), Membership(admin, board, group), tools.clock
        )
    assert group not in _memberships(backend_app, board)
    people.set_role(
        tools.db.unit_of_work(), SetRole(admin, board, network, Role.MEMBER), tools.clock
    )
    people.add_to_workgroup(tools.db.unit_of_work(), Membership(admin, board, group), tools.clock)
    assert group in _memberships(backend_app, board)


def test_the_admin_page_explains_the_refusal_in_dutch(backend_app: Flask) -> None:
    world = build_world(backend_app)
    admin = backend_app.test_client()
    login(admin, world.emails["admin"])
    board, (group, _) = world.user_ids["board"], _other_network_workgroup(backend_app, world)
    page = admin.post(
        f"/beheer/gebruikers/{board}",
        data={"member-workgroup_id": str(group), "member-submit": "1"},
    )
    assert page.status_code == 400
    assert "Geef deze persoon eerst een rol in het netwerk van de werkgroep." in page.get_data(
        as_text=True
    )
    assert group not in _memberships(backend_app, board)
