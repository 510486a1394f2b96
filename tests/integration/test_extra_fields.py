"""Extra fields in a request (workgroup, role, network, actor, version) are refused (API) or
ignored (forms), never applied; ids of another network's objects answer 404."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlmodel import select

from tests.support import World, build_world, login
from tracker import accounts
from tracker.models import NetworkRole, User, WorkgroupMember


@pytest.fixture
def world(backend_app: Flask) -> World:
    return build_world(backend_app)


EXTRA = {
    "actor_id": "1",
    "actor": "1",
    "user_id": "1",
    "network_id": "2",
    "plan_id": "2",
    "workgroup_id": "2",
    "role": "coordinator",
    "is_admin": "y",
}


def test_a_form_with_extra_fields_applies_only_its_own(backend_app: Flask, world: World) -> None:
    client = backend_app.test_client()
    login(client, world.emails["owner_member"])
    data = {"status": "lopend", "note": "gestart", "version": "1", **EXTRA}
    assert client.post(f"/activiteiten/{world.activity_id}/status", data=data).status_code == 302
    events = client.get(f"/api/v1/activities/{world.activity_id}/events").get_json()
    assert events[-1]["actor"] == world.user_ids["owner_member"]
    data = events[-1]["data"]
    assert set(data) <= {"activity_id", "from_status", "to_status", "note", "reason", "happened_on"}
    assert data.get("happened_on") is None
    new = "een-nieuw-lang-wachtwoord"
    client.post(
        "/profiel/wachtwoord",
        data={"current": "correct-horse-battery", "new": new, "repeat": new, **EXTRA},
    )
    services = backend_app.extensions["tracker"]
    with services.db.session() as session:
        person = session.get(User, world.user_ids["owner_member"])
        assert person is not None and not person.is_admin
        roles = session.exec(
            select(NetworkRole).where(NetworkRole.user_id == world.user_ids["owner_member"])
        ).all()
        assert [(r.network_id, r.role) for r in roles] == [(world.network_id, "member")]
        groups = session.exec(
            select(WorkgroupMember).where(WorkgroupMember.user_id == world.user_ids["owner_member"])
        ).all()
        assert len(groups) == 1


@pytest.mark.parametrize("field", ["workgroup", "role", "network", "version", "actor_id"])
def test_the_api_refuses_extra_fields_and_writes_nothing(
    backend_app: Flask, world: World, field: str
) -> None:
    services = backend_app.extensions["tracker"]
    with services.db.session() as session:
        token = accounts.create_token(session, world.user_ids["owner_member"], services.clock.now())
        session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    client = backend_app.test_client()
    body = {"status": "lopend", "note": "", "expected_version": 1, field: 2}
    refused = client.post(
        f"/api/v1/activities/{world.activity_id}/status", json=body, headers=headers
    )
    assert refused.status_code == 400 and field in refused.get_json()["message"]
    events = client.get(f"/api/v1/activities/{world.activity_id}/events", headers=headers)
    assert len(events.get_json()) == 1


def test_objects_of_another_network_answer_404_everywhere(backend_app: Flask, world: World) -> None:
    client = backend_app.test_client()
    login(client, world.emails["coordinator"])
    other = world.other_network_activity_id
    for response in (
        client.get(f"/activiteiten/{other}"),
        client.post(f"/activiteiten/{other}/status", data={"status": "lopend", "version": "1"}),
        client.post(f"/activiteiten/{other}/voortgang", data={"indicator_id": "1", "value": "1"}),
        client.get(f"/plannen/{world.other_plan_slug}"),
        client.get(f"/plannen/{world.other_plan_slug}/rapportage"),
        client.get(f"/plannen/{world.other_plan_slug}/jaarovergang"),
        client.get(f"/api/v1/activities/{other}"),
        client.get(f"/api/v1/activities?plan={world.other_plan_slug}"),
    ):
        assert response.status_code == 404
