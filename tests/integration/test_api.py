"""The JSON API on SQLite and PostgreSQL: reads, status changes, 409 on a stale version, errors."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from tests.support import World, build_world, token_for
from tracker.handlers.activities import activity_with_access
from tracker.queries import activity_detail


@pytest.fixture
def world(backend_app: Flask) -> World:
    return build_world(backend_app)


@pytest.fixture
def api(backend_app: Flask, world: World) -> tuple[FlaskClient, dict[str, str]]:
    return backend_app.test_client(), token_for(backend_app, world, "owner_member")


def events_in_log(app: Flask) -> int:
    with app.extensions["tracker"].db.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM events")).scalar_one())


def test_plans_and_activities_are_listed_for_the_callers_networks(
    backend_app: Flask, world: World, api: tuple[FlaskClient, dict[str, str]]
) -> None:
    client, auth = api
    plans = client.get("/api/v1/plans", headers=auth).get_json()
    assert [p["slug"] for p in plans] == ["testnet-2021"]
    assert plans[0]["status_counts"]["gepland"] == 3
    activities = client.get("/api/v1/activities?plan=testnet-2021", headers=auth).get_json()
    assert [a["title"] for a in activities] == [
        "Algemeen bestuursoverleg",
        "Gesprek bestuurders",
        "Website is actueel",
    ]
    assert activities[0] == {
        "id": world.activity_id,
        "title": "Algemeen bestuursoverleg",
        "theme": "Coördinatie",
        "status": "gepland",
        "version": 1,
    }


def test_one_activity_carries_the_plan_text_and_the_structured_timing(
    world: World, api: tuple[FlaskClient, dict[str, str]]
) -> None:
    client, auth = api
    activity = client.get(f"/api/v1/activities/{world.activity_id}", headers=auth).get_json()
    assert activity["wanneer"] == "4e kwartaal"
    assert activity["timing"] == {"kind": "period", "start": "2021-10-01", "end": "2021-12-31"}
    assert activity["workgroups"] == ["Werkgroep beleid"]


def test_a_status_change_returns_the_new_version_and_shows_in_the_events(
    world: World, api: tuple[FlaskClient, dict[str, str]]
) -> None:
    client, auth = api
    url = f"/api/v1/activities/{world.activity_id}"
    response = client.post(
        url + "/status",
        json={"status": "lopend", "note": "gestart", "expected_version": 1},
        headers=auth,
    )
    assert response.status_code == 200
    assert response.get_json() == {"id": world.activity_id, "status": "lopend", "version": 2}
    events = client.get(url + "/events", headers=auth).get_json()
    assert [e["type"] for e in events] == ["ActivityPlanned", "ActivityStatusChanged"]
    assert (
        events[1]["data"]["note"] == "gestart"
        and events[1]["actor"] == world.user_ids["owner_member"]
    )
    assert "email" not in str(events) and "Persoon" not in str(events)


def test_a_stale_expected_version_gets_409_with_the_current_version(
    backend_app: Flask, world: World, api: tuple[FlaskClient, dict[str, str]]
) -> None:
    client, auth = api
    url = f"/api/v1/activities/{world.activity_id}/status"
    assert (
        client.post(url, json={"status": "lopend", "expected_version": 1}, headers=auth).status_code
        == 200
    )
    before = events_in_log(backend_app)
    stale = client.post(
        url, json={"status": "vertraagd", "note": "x", "expected_version": 1}, headers=auth
    )
    assert stale.status_code == 409
    assert stale.get_json()["current_version"] == 2 and stale.get_json()["error"] == "conflict"
    assert events_in_log(backend_app) == before


@pytest.mark.parametrize(
    ("body", "code", "error"),
    [
        ({"status": "afgerond", "expected_version": 1}, 400, "start_first"),
        ({"status": "gestopt", "expected_version": 1}, 400, "reason_required"),
        ({"status": "klaar", "expected_version": 1}, 400, "unknown_status"),
        (
            {"status": "doorgeschoven", "note": "COVID-19", "expected_version": 1},
            400,
            "carry_over_only",
        ),
        ({"status": "lopend"}, 400, "invalid_request"),
        ({"status": "lopend", "expected_version": "1"}, 400, "invalid_request"),
        ({"status": "lopend", "expected_version": True}, 400, "invalid_request"),
        ({"status": "", "expected_version": 1}, 400, "invalid_request"),
        ({"status": "lopend", "note": "x" * 2001, "expected_version": 1}, 400, "invalid_request"),
        ({"status": "lopend", "note": 5, "expected_version": 1}, 400, "invalid_request"),
        ({"status": "lopend", "expected_version": 1, "workgroup": 2}, 400, "invalid_request"),
        ({"status": "lopend", "expected_version": 1, "version": 9}, 400, "invalid_request"),
        (["lopend"], 400, "invalid_json"),
    ],
)
def test_bad_requests_get_a_precise_json_error_and_write_nothing(
    backend_app: Flask,
    world: World,
    api: tuple[FlaskClient, dict[str, str]],
    body: object,
    code: int,
    error: str,
) -> None:
    client, auth = api
    before = events_in_log(backend_app)
    response = client.post(
        f"/api/v1/activities/{world.activity_id}/status", json=body, headers=auth
    )
    assert response.status_code == code
    assert response.get_json()["error"] == error and response.get_json()["message"]
    assert events_in_log(backend_app) == before


def test_a_body_that_is_not_json_gets_415(
    world: World, api: tuple[FlaskClient, dict[str, str]]
) -> None:
    client, auth = api
    response = client.post(
        f"/api/v1/activities/{world.activity_id}/status", data="status=lopend", headers=auth
    )
    assert response.status_code == 415 and response.get_json()["error"] == "unsupported_media_type"


def test_the_activities_list_needs_a_plan(api: tuple[FlaskClient, dict[str, str]]) -> None:
    client, auth = api
    response = client.get("/api/v1/activities", headers=auth)
    assert response.status_code == 400 and response.get_json()["error"] == "missing_parameter"
    assert client.get("/api/v1/activities?plan=bestaat-niet", headers=auth).status_code == 404


def test_an_unknown_or_garbled_token_is_401(world: World, backend_app: Flask) -> None:
    client = backend_app.test_client()
    for header in ("Bearer nope", "Bearer ", "Basic abc"):
        response = client.get("/api/v1/plans", headers={"Authorization": header})
        assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"


def test_the_openapi_document_describes_every_operation(backend_app: Flask) -> None:
    document = backend_app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {
        "/plans",
        "/activities",
        "/activities/{activity_id}",
        "/activities/{activity_id}/events",
        "/activities/{activity_id}/status",
        "/activities/{activity_id}/progress",
    }
    responses = document["paths"]["/activities/{activity_id}/status"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "409", "415"} <= set(responses)
    rules = {
        str(rule) for rule in backend_app.url_map.iter_rules() if str(rule).startswith("/api/v1/")
    }
    documented = {
        "/api/v1" + path.replace("{activity_id}", "<activity_id>") for path in document["paths"]
    }
    assert rules - {"/api/v1/openapi.json"} == documented


def test_the_access_check_of_an_update_sees_what_the_activity_page_sees(
    backend_app: Flask, world: World
) -> None:
    db = backend_app.extensions["tracker"].db
    with db.session() as session, db.unit_of_work() as uow:
        for activity_id in (
            world.activity_id,
            world.pr_activity_id,
            world.other_network_activity_id,
        ):
            detail = activity_detail(session, activity_id)
            found = activity_with_access(uow, activity_id)
            assert detail is not None and found is not None
            _activity, network_id, workgroup_ids = found
            assert network_id == detail.network.id
            assert workgroup_ids == tuple(sorted(w.id or 0 for w in detail.workgroups))
        assert activity_with_access(uow, "no-such-activity") is None
