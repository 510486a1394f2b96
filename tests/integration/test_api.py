"""The JSON API on SQLite and PostgreSQL: reads, status changes, 409 on a stale version, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema_rs
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from tests.support import World, build_world, token_for
from tracker.clock import FixedClock
from tracker.domain.activity import MAX_NOTE_LENGTH
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
        "overdue": False,
    }


def test_one_activity_carries_the_plan_text_and_the_structured_timing(
    world: World, api: tuple[FlaskClient, dict[str, str]]
) -> None:
    client, auth = api
    activity = client.get(f"/api/v1/activities/{world.activity_id}", headers=auth).get_json()
    assert activity["wanneer"] == "4e kwartaal"
    assert activity["timing"] == {"kind": "period", "start": "2021-10-01", "end": "2021-12-31"}
    assert activity["workgroups"] == ["Werkgroep beleid"]


def test_open_work_past_its_period_is_overdue_in_the_list_and_in_its_detail(
    world: World, api: tuple[FlaskClient, dict[str, str]], clock: FixedClock
) -> None:
    client, auth = api
    url = f"/api/v1/activities/{world.activity_id}"  # "4e kwartaal" of 2021

    def overdue() -> tuple[bool, bool]:
        listed = client.get("/api/v1/activities?plan=testnet-2021", headers=auth).get_json()
        mine = next(a for a in listed if a["id"] == world.activity_id)
        return mine["overdue"], client.get(url, headers=auth).get_json()["overdue"]

    assert overdue() == (False, False)  # 10 May 2021
    clock.advance(datetime(2021, 12, 31, 22, 59, tzinfo=UTC) - clock.now())
    assert overdue() == (False, False)  # 31 December, 23:59 in Amsterdam: its last day
    clock.advance(timedelta(minutes=2))
    assert overdue() == (True, True)  # 1 January in Amsterdam, still gepland
    for version, status in ((1, "lopend"), (2, "afgerond")):
        body = {"status": status, "note": "klaar", "expected_version": version}
        assert client.post(url + "/status", json=body, headers=auth).status_code == 200
    assert overdue() == (False, False)  # finished work is never overdue


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
        (
            {"status": "lopend", "expected_version": 1, "happened_on": "1-5-2021"},
            400,
            "invalid_request",
        ),
        ({"status": "lopend", "expected_version": 1, "happened_on": 5}, 400, "invalid_request"),
        (
            {"status": "lopend", "expected_version": 1, "happened_on": "2021-05-11"},
            400,
            "happened_in_future",
        ),
        (
            {"status": "lopend", "expected_version": 1, "happened_on": "2020-12-31"},
            400,
            "happened_before_plan_year",
        ),
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


def test_the_document_lists_exactly_the_api_routes_with_their_errors(backend_app: Flask) -> None:
    document = backend_app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    routes = {
        (method.lower(), str(rule).removeprefix("/api/v1").replace("<", "{").replace(">", "}"))
        for rule in backend_app.url_map.iter_rules()
        if str(rule).startswith("/api/v1/") and str(rule) != "/api/v1/openapi.json"
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    documented = {(method, path) for path, item in document["paths"].items() for method in item}
    assert documented == routes
    assert {path for _method, path in routes} == {
        "/plans",
        "/activities",
        "/activities/{activity_id}",
        "/activities/{activity_id}/events",
        "/activities/{activity_id}/status",
        "/activities/{activity_id}/progress",
        "/activities/{activity_id}/withdraw",
        "/activities/{activity_id}/reopen",
        "/plans/{plan}/activities",
        "/plans/{plan}/themes/rename",
    }
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert {"200", "400", "401", "503"} <= set(operation["responses"]), (method, path)
            if method in ("post", "patch"):
                assert {"403", "404", "413", "415"} <= set(operation["responses"])
                body = operation["requestBody"]["content"]["application/json"]["schema"]
                fields = document["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
                versioned = "expected_version" in fields["required"]
                assert ("409" in operation["responses"]) == versioned, (method, path)


def _undocumented(value: Any, schema: dict[str, Any], schemas: dict[str, Any]) -> list[str]:
    """The names of fields in `value` that `schema` (with its $refs) does not describe."""
    while "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:
        if value is None:
            return []
        schema = next(option for option in schema["anyOf"] if option.get("type") != "null")
    if isinstance(value, list):
        return [name for item in value for name in _undocumented(item, schema["items"], schemas)]
    if not isinstance(value, dict) or "properties" not in schema:
        return []
    properties = schema["properties"]
    return [
        name
        for key, inner in value.items()
        for name in (
            [key] if key not in properties else _undocumented(inner, properties[key], schemas)
        )
    ]


def test_every_field_the_api_sends_is_in_the_document(
    backend_app: Flask, world: World, api: tuple[FlaskClient, dict[str, str]]
) -> None:
    client, auth = api
    document = client.get("/api/v1/openapi.json").get_json()
    url = f"/api/v1/activities/{world.activity_id}"
    (target,) = client.get(url, headers=auth).get_json()["targets"]
    progress = {"target_id": target["id"], "value": 3, "note": "drie", "expected_version": 1}
    answers = [
        ("/plans", "get", client.get("/api/v1/plans", headers=auth)),
        ("/activities", "get", client.get("/api/v1/activities?plan=testnet-2021", headers=auth)),
        (
            "/activities/{activity_id}/progress",
            "post",
            client.post(url + "/progress", json=progress, headers=auth),
        ),
        (
            "/activities/{activity_id}/progress",
            "post",
            client.post(url + "/progress", json=progress, headers=auth),
        ),
        (
            "/activities/{activity_id}/status",
            "post",
            client.post(url + "/status", json={"status": "x", "expected_version": 2}, headers=auth),
        ),
        ("/activities/{activity_id}", "get", client.get(url, headers=auth)),
        ("/activities/{activity_id}/events", "get", client.get(url + "/events", headers=auth)),
    ]
    assert [answer.status_code for *_, answer in answers] == [200, 200, 200, 409, 400, 200, 200]
    schemas = document["components"]["schemas"]
    for path, method, answer in answers:
        described = document["paths"][path][method]["responses"][str(answer.status_code)]
        schema = described["content"]["application/json"]["schema"]
        assert _undocumented(answer.get_json(), schema, schemas) == [], (method, path)


# Bodies at the edges of what the API accepts (version 1 is the activity's current version).
STATUS_BODIES = [
    {"status": "lopend", "note": None, "expected_version": 1},
    {"status": "lopend", "note": "x" + " " * MAX_NOTE_LENGTH, "expected_version": 1},
    {"status": "lopend", "note": "x" * MAX_NOTE_LENGTH, "expected_version": 1.0},
    {"status": " Lopend ", "expected_version": 1},
    {"status": "klaar", "expected_version": 1},
    {"status": "", "expected_version": 1},
    {"status": 1, "expected_version": 1},
    {"status": "lopend", "expected_version": -1},
    {"status": "lopend", "expected_version": 1.5},
    {"status": "lopend", "expected_version": "1"},
    {"status": "lopend", "expected_version": False},
    {"status": "lopend", "expected_version": 1, "note": ["a"]},
    {"status": "lopend", "expected_version": 1, "version": 1},
    {"expected_version": 1},
]
PROGRESS_BODIES = [
    {"value": 0, "expected_version": 1},
    {"value": 2.5, "note": None, "expected_version": 1},
    {"value": 1_000_000_000, "note": "x" * MAX_NOTE_LENGTH, "expected_version": 1},
    {"value": 1_000_000_001, "expected_version": 1},
    {"value": -1, "expected_version": 1},
    {"value": "3", "expected_version": 1},
    {"value": True, "expected_version": 1},
    {"value": 3, "note": "x" * (MAX_NOTE_LENGTH + 1), "expected_version": 1},
    {"value": 3, "expected_version": 1, "target": 1},
    {"value": 3},
]


def test_the_document_accepts_exactly_the_bodies_the_api_accepts(
    backend_app: Flask, world: World, api: tuple[FlaskClient, dict[str, str]]
) -> None:
    """For each body: the document's schema allows it exactly when the API reads it (any
    answer but a 400 invalid_request; the domain may still refuse what it says)."""
    client, auth = api
    document = client.get("/api/v1/openapi.json").get_json()
    url = f"/api/v1/activities/{world.activity_id}"
    (target,) = client.get(url, headers=auth).get_json()["targets"]
    bodies = [("status", body) for body in STATUS_BODIES] + [
        ("progress", {"target_id": target["id"], **body}) for body in PROGRESS_BODIES
    ]
    bodies.append(("progress", {"target_id": "1", "value": 1, "expected_version": 1}))
    mismatches = []
    for write, body in bodies:
        schema = document["paths"]["/activities/{activity_id}/" + write]["post"]["requestBody"]
        validator = jsonschema_rs.validator_for(
            schema["content"]["application/json"]["schema"] | {"components": document["components"]}
        )
        answer = client.post(f"{url}/{write}", json=body, headers=auth)
        read = not (answer.status_code == 400 and answer.get_json()["error"] == "invalid_request")
        assert answer.status_code < 500
        if validator.is_valid(body) != read:
            mismatches.append((write, body, answer.get_json()))
    assert mismatches == []


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


def test_an_update_may_say_the_day_it_happened(
    backend_app: Flask, world: World, api: tuple[FlaskClient, dict[str, str]]
) -> None:
    client, auth = api
    url = f"/api/v1/activities/{world.activity_id}/status"
    body = {"status": "lopend", "expected_version": 1, "happened_on": "2021-04-28"}
    assert client.post(url, json=body, headers=auth).status_code == 200
    events = client.get(f"/api/v1/activities/{world.activity_id}/events", headers=auth)
    assert events.get_json()[-1]["data"]["happened_on"] == "2021-04-28"
    earlier = {"status": "vertraagd", "expected_version": 2, "happened_on": "2021-04-27"}
    refused = client.post(url, json=earlier, headers=auth)
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "happened_before_previous"
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "happened_on" in spec["components"]["schemas"]["StatusChangeIn"]["properties"]
