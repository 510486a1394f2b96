"""A network's coordinators manage its workgroups and their members (admins: every network's);
a coordinator of another network gets 404, a member 403, and nothing is written."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from tests.support import World, build_world, login
from tracker.models import Workgroup, WorkgroupMember


@pytest.fixture
def world(backend_app: Flask) -> World:
    return build_world(backend_app)


def signed_in(app: Flask, world: World, role: str) -> FlaskClient:
    client = app.test_client()
    login(client, world.emails[role])
    return client


def groups(app: Flask) -> dict[tuple[int, str], int]:
    with app.extensions["tracker"].db.session() as session:
        return {(w.network_id, w.name): w.id or 0 for w in session.exec(select(Workgroup))}


def members(app: Flask, workgroup_id: int) -> set[int]:
    with app.extensions["tracker"].db.session() as session:
        query = select(WorkgroupMember).where(WorkgroupMember.workgroup_id == workgroup_id)
        return {m.user_id for m in session.exec(query)}


def test_a_coordinator_manages_the_workgroups_of_their_network(
    backend_app: Flask, world: World
) -> None:
    coordinator = signed_in(backend_app, world, "coordinator")
    page = coordinator.get("/werkgroepen/").get_data(as_text=True)
    assert "Werkgroep beleid" in page and "Persoon owner_member" in page
    assert "Ander Netwerk" not in page
    added = coordinator.post(
        "/werkgroepen/", data={"network_id": world.network_id, "name": "Werkgroep scholing"}
    )
    assert added.status_code == 302
    assert (world.network_id, "Werkgroep scholing") in groups(backend_app)
    policy = groups(backend_app)[(world.network_id, "Werkgroep beleid")]
    board, owner = world.user_ids["board"], world.user_ids["owner_member"]
    assert (
        coordinator.post(f"/werkgroepen/{policy}/leden", data={"user_id": board}).status_code == 302
    )
    assert board in members(backend_app, policy)
    removed = coordinator.post(f"/werkgroepen/{policy}/leden/{owner}/verwijderen")
    assert removed.status_code == 302 and owner not in members(backend_app, policy)
    outsider = world.user_ids["other_coordinator"]  # no role in testnet
    refused = coordinator.post(
        f"/werkgroepen/{policy}/leden", data={"user_id": outsider}, follow_redirects=True
    )
    assert "Geef deze persoon eerst een rol in het netwerk van de werkgroep." in refused.get_data(
        as_text=True
    )
    assert outsider not in members(backend_app, policy)


def test_another_networks_coordinator_gets_404_and_a_member_403(
    backend_app: Flask, world: World
) -> None:
    before = {g: members(backend_app, i) for g, i in groups(backend_app).items()}
    policy = groups(backend_app)[(world.network_id, "Werkgroep beleid")]
    owner = world.user_ids["owner_member"]
    outsider = signed_in(backend_app, world, "other_coordinator")
    member = signed_in(backend_app, world, "owner_member")
    for client, status in ((outsider, 404), (member, 403)):
        new_group = {"network_id": world.network_id, "name": "Werkgroep gekaapt"}
        answers = [
            client.post("/werkgroepen/", data=new_group).status_code,
            client.post(
                f"/werkgroepen/{policy}/leden", data={"user_id": world.user_ids["board"]}
            ).status_code,
            client.post(f"/werkgroepen/{policy}/leden/{owner}/verwijderen").status_code,
        ]
        assert answers == [status] * 3
    assert member.get("/werkgroepen/").status_code == 403
    assert {g: members(backend_app, i) for g, i in groups(backend_app).items()} == before


def test_an_admin_sees_every_network_and_removes_a_member_from_the_persons_page(
    backend_app: Flask, world: World
) -> None:
    admin = signed_in(backend_app, world, "admin")
    page = admin.get("/werkgroepen/").get_data(as_text=True)
    assert "Werkgroep beleid" in page and "Ander Netwerk" in page
    assert 'class="subnav"' in page  # the admin's pages stay one click away
    coordinator = signed_in(backend_app, world, "coordinator")
    assert 'class="subnav"' not in coordinator.get("/werkgroepen/").get_data(as_text=True)
    policy = groups(backend_app)[(world.network_id, "Werkgroep beleid")]
    owner = world.user_ids["owner_member"]
    person_page = admin.get(f"/beheer/gebruikers/{owner}").get_data(as_text=True)
    assert f'action="/werkgroepen/{policy}/leden/{owner}/verwijderen"' in person_page
    remove = f"/werkgroepen/{policy}/leden/{owner}/verwijderen"
    assert admin.post(remove, data={"next": "//evil.example"}).location == "/werkgroepen/"
    assert owner not in members(backend_app, policy)
    admin.post(f"/werkgroepen/{policy}/leden", data={"user_id": owner})
    back = admin.post(remove, data={"next": f"/beheer/gebruikers/{owner}"})
    assert back.location == f"/beheer/gebruikers/{owner}"
    assert owner not in members(backend_app, policy)
