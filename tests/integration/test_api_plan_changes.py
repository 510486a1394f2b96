"""The plan's changes through the JSON API, on SQLite and PostgreSQL: add, amend, withdraw,
reopen, rename a theme, make a plan; the rights of the pages; precise errors that write
nothing; 409 on a stale version; the operations in the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from tests.support import World, build_world, token_for

Body = dict[str, Any]


@dataclass(frozen=True)
class Write:
    """One write of the API: its method, its path in the world, a body that succeeds."""

    method: str
    path: Callable[[World], str]
    body: Body


def _activity(world: World) -> str:
    return f"/api/v1/activities/{world.activity_id}"


WRITES = {
    "add": Write(
        "post",
        lambda w: f"/api/v1/plans/{w.plan_slug}/activities",
        {"title": "Scholing vrijwilligers", "theme": "Scholing", "wanneer": "2e kwartaal"},
    ),
    "amend": Write(
        "patch",
        _activity,
        {"title": "Bestuursoverleg", "reason": "kortere naam", "expected_version": 1},
    ),
    "withdraw": Write(
        "post", lambda w: _activity(w) + "/withdraw", {"reason": "dubbel", "expected_version": 1}
    ),
    "reopen": Write(
        "post", lambda w: _activity(w) + "/reopen", {"reason": "toch", "expected_version": 2}
    ),
    "rename": Write(
        "post",
        lambda w: f"/api/v1/plans/{w.plan_slug}/themes/rename",
        {"theme": "Informeren", "new_name": "Communicatie"},
    ),
    "plan": Write(
        "post",
        lambda w: "/api/v1/plans",
        {"network": "testnet", "year": 2022, "title": "Jaarplan 2022", "themes": ["Scholing"]},
    ),
}


@pytest.fixture
def world(backend_app: Flask) -> World:
    return build_world(backend_app)


def send(app: Flask, world: World, role: str | None, name: str, body: Body | None = None) -> Any:
    """The write `name` by `role` (None: no token), with its body or `body`."""
    write = WRITES[name]
    headers = token_for(app, world, role) if role else {}
    return app.test_client().open(
        write.path(world),
        method=write.method.upper(),
        json=write.body if body is None else body,
        headers=headers,
    )


def withdrawn(app: Flask, world: World) -> None:
    """The world's activity withdrawn (version 2), so that it can be reopened."""
    assert send(app, world, "coordinator", "withdraw").status_code == 200


def stored(app: Flask) -> dict[str, list[str]]:
    """The event log and the plan's rows, to show that a refusal wrote nothing."""
    tables = ("events", "plan", "theme", "activity", "activity_state", "activityworkgroup")
    with app.extensions["tracker"].db.engine.connect() as connection:
        return {
            table: sorted(
                repr(tuple(row)) for row in connection.execute(text(f"SELECT * FROM {table}"))
            )
            for table in tables
        }


def get(client: FlaskClient, auth: dict[str, str], path: str) -> Any:
    response = client.get(path, headers=auth)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_coordinator_adds_an_activity_to_the_running_plan(
    backend_app: Flask, world: World
) -> None:
    body = {
        "title": "  Scholing   vrijwilligers ",
        "theme": "Scholing",
        "objectives": "Vrijwilligers zijn geschoold.",
        "wanneer": "2e kwartaal",
        "workgroups": ["Werkgroep PR & Communicatie", "Werkgroep beleid"],
    }
    response = send(backend_app, world, "coordinator", "add", body)
    assert response.status_code == 200, response.get_json()
    added = response.get_json()
    assert added["status"] == "gepland" and added["version"] == 1
    client, auth = backend_app.test_client(), token_for(backend_app, world, "coordinator")
    activity = get(client, auth, f"/api/v1/activities/{added['id']}")
    assert activity["title"] == "Scholing vrijwilligers" and activity["theme"] == "Scholing"
    assert activity["timing"] == {"kind": "period", "start": "2021-04-01", "end": "2021-06-30"}
    assert activity["workgroups"] == ["Werkgroep PR & Communicatie", "Werkgroep beleid"]
    events = get(client, auth, f"/api/v1/activities/{added['id']}/events")
    assert [e["type"] for e in events] == ["ActivityPlanned"]
    assert events[0]["actor"] == world.user_ids["coordinator"]
    listed = get(client, auth, f"/api/v1/activities?plan={world.plan_slug}")
    assert listed[-1]["title"] == "Scholing vrijwilligers"


def test_an_amendment_changes_what_the_activity_says_and_records_old_and_new(
    backend_app: Flask, world: World
) -> None:
    body = {
        "title": "Bestuursoverleg",
        "theme": "Bestuur",
        "wanneer": "1e kwartaal",
        "workgroups": ["Werkgroep PR & Communicatie"],
        "reason": "nieuwe opzet",
        "expected_version": 1,
    }
    response = send(backend_app, world, "coordinator", "amend", body)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "id": world.activity_id,
        "status": "gepland",
        "version": 2,
        "changed": ["title", "theme", "wanneer", "workgroups"],
        "timing": "period",
    }
    client, auth = backend_app.test_client(), token_for(backend_app, world, "owner_member")
    activity = get(client, auth, _activity(world))
    assert (activity["title"], activity["theme"], activity["wanneer"]) == (
        "Bestuursoverleg",
        "Bestuur",
        "1e kwartaal",
    )
    assert activity["timing"]["start"] == "2021-01-01" and activity["version"] == 2
    assert activity["workgroups"] == ["Werkgroep PR & Communicatie"]
    assert activity["objectives"] == "Akkoord op jaarplan 2022."  # not given: unchanged
    amended = get(client, auth, _activity(world) + "/events")[-1]
    assert amended["type"] == "ActivityAmended" and amended["data"]["reason"] == "nieuwe opzet"
    assert amended["data"]["changes"]["title"] == ["Algemeen bestuursoverleg", "Bestuursoverleg"]
    summary = get(client, auth, f"/api/v1/activities?plan={world.plan_slug}")
    assert {"id": world.activity_id, "title": "Bestuursoverleg"}.items() <= next(
        a for a in summary if a["id"] == world.activity_id
    ).items()


def test_an_unreadable_wanneer_is_saved_and_flagged(backend_app: Flask, world: World) -> None:
    body = {"wanneer": "als het uitkomt", "expected_version": 1}
    response = send(backend_app, world, "coordinator", "amend", body)
    assert response.status_code == 200
    assert response.get_json()["changed"] == ["wanneer"]
    assert response.get_json()["timing"] == "unparsed"


def test_a_withdrawn_activity_is_vervallen_and_can_be_reopened(
    backend_app: Flask, world: World
) -> None:
    client, auth = backend_app.test_client(), token_for(backend_app, world, "coordinator")
    response = send(backend_app, world, "coordinator", "withdraw")
    assert response.get_json() == {"id": world.activity_id, "status": "vervallen", "version": 2}
    assert get(client, auth, _activity(world))["status"] == "vervallen"
    plans = get(client, auth, "/api/v1/plans")
    assert plans[0]["status_counts"]["vervallen"] == 1
    body = {"reason": "toch nodig", "status": "vertraagd", "expected_version": 2}
    response = send(backend_app, world, "coordinator", "reopen", body)
    assert response.get_json() == {"id": world.activity_id, "status": "vertraagd", "version": 3}
    events = get(client, auth, _activity(world) + "/events")
    assert [e["type"] for e in events[1:]] == ["ActivityWithdrawn", "ActivityReopened"]
    assert events[1]["data"]["reason"] == "dubbel" and events[2]["data"]["to_status"] == "vertraagd"
    assert get(client, auth, _activity(world))["status"] == "vertraagd"


def test_renaming_a_theme_amends_each_of_its_activities(backend_app: Flask, world: World) -> None:
    response = send(backend_app, world, "coordinator", "rename")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "plan": world.plan_slug,
        "theme": "Communicatie",
        "activities": 1,
    }
    client, auth = backend_app.test_client(), token_for(backend_app, world, "coordinator")
    website = get(client, auth, f"/api/v1/activities/{world.pr_activity_id}")
    assert website["theme"] == "Communicatie" and website["version"] == 2
    last = get(client, auth, f"/api/v1/activities/{world.pr_activity_id}/events")[-1]
    assert last["data"]["changes"] == {"theme": ["Informeren", "Communicatie"]}


def test_a_plan_is_made_empty_or_from_an_earlier_plan(backend_app: Flask, world: World) -> None:
    response = send(backend_app, world, "coordinator", "plan")
    assert response.status_code == 200, response.get_json()
    made = response.get_json()
    assert (made["network"], made["year"], made["title"]) == ("testnet", 2022, "Jaarplan 2022")
    assert sum(made["status_counts"].values()) == 0
    body = {"network": "testnet", "year": 2023, "title": "Jaarplan 2023", "copy_from": made["slug"]}
    assert send(backend_app, world, "admin", "plan", body).status_code == 200
    copied = send(
        backend_app,
        world,
        "coordinator",
        "plan",
        {
            "network": "testnet",
            "year": 2024,
            "title": "Jaarplan 2024",
            "copy_from": world.plan_slug,
        },
    ).get_json()
    assert copied["status_counts"]["gepland"] == 3
    client, auth = backend_app.test_client(), token_for(backend_app, world, "coordinator")
    slugs = [p["slug"] for p in get(client, auth, "/api/v1/plans")]
    assert made["slug"] in slugs and copied["slug"] in slugs
    activities = get(client, auth, f"/api/v1/activities?plan={copied['slug']}")
    assert [a["title"] for a in activities] == [
        "Algemeen bestuursoverleg",
        "Gesprek bestuurders",
        "Website is actueel",
    ]
    assert {a["status"] for a in activities} == {"gepland"}


@pytest.mark.parametrize("name", list(WRITES))
def test_an_admin_may_make_each_change(backend_app: Flask, world: World, name: str) -> None:
    if name == "reopen":
        withdrawn(backend_app, world)
    before = stored(backend_app)
    response = send(backend_app, world, "admin", name)
    assert response.status_code == 200, response.get_json()
    assert stored(backend_app) != before


# Who may not: a member (even of the activity's workgroup) and the board get 403; the
# coordinator of another network the 404 of an object that does not exist; no token 401.
REFUSED = [
    ("owner_member", 403, "forbidden"),
    ("board", 403, "forbidden"),
    ("other_coordinator", 404, "not_found"),
    (None, 401, "unauthorized"),
]


@pytest.mark.parametrize(("role", "code", "error"), REFUSED)
@pytest.mark.parametrize("name", list(WRITES))
def test_only_coordinators_of_the_network_and_admins_change_the_plan(
    backend_app: Flask, world: World, name: str, role: str | None, code: int, error: str
) -> None:
    if name == "reopen":
        withdrawn(backend_app, world)
    before = stored(backend_app)
    response = send(backend_app, world, role, name)
    assert response.status_code == code, response.get_json()
    assert response.get_json()["error"] == error
    assert stored(backend_app) == before


def test_another_networks_coordinator_gets_the_answer_for_nothing(
    backend_app: Flask, world: World
) -> None:
    """The 404 for testnet's objects is the one for objects that do not exist."""
    auth = token_for(backend_app, world, "other_coordinator")
    client = backend_app.test_client()
    ghosts = {
        "add": ("post", "/api/v1/plans/geen-plan/activities"),
        "amend": ("patch", "/api/v1/activities/geen-activiteit"),
        "withdraw": ("post", "/api/v1/activities/geen-activiteit/withdraw"),
        "rename": ("post", "/api/v1/plans/geen-plan/themes/rename"),
    }
    for name, (method, path) in ghosts.items():
        real = send(backend_app, world, "other_coordinator", name)
        ghost = client.open(path, method=method.upper(), json=WRITES[name].body, headers=auth)
        assert (real.status_code, real.get_json()) == (ghost.status_code, ghost.get_json()), name
    plan = {"network": "geen-netwerk", "year": 2022, "title": "Jaarplan 2022"}
    ghost = client.post("/api/v1/plans", json=plan, headers=auth)
    real = send(backend_app, world, "other_coordinator", "plan")
    assert (real.status_code, real.get_json()) == (ghost.status_code, ghost.get_json())
    own = {"network": "andernet", "year": 2022, "title": "Jaarplan 2022"}
    copying = client.post("/api/v1/plans", json=own | {"copy_from": world.plan_slug}, headers=auth)
    nothing = client.post("/api/v1/plans", json=own | {"copy_from": "geen-plan"}, headers=auth)
    assert copying.status_code == nothing.status_code == 404
    assert copying.get_json() == nothing.get_json()


BAD = [
    ("add", {"title": " ", "theme": "Scholing"}, "title_required", "title"),
    ("add", {"title": "Nieuw", "theme": ""}, "theme_required", "theme"),
    ("add", {"title": "Website is actueel", "theme": "Informeren"}, "title_taken", "title"),
    (
        "add",
        {"title": "Nieuw", "theme": "X", "workgroups": ["Geen"]},
        "unknown_workgroup",
        "workgroups",
    ),
    ("add", {"title": "x" * 301, "theme": "X"}, "invalid_request", "title"),
    ("add", {"title": "Nieuw"}, "invalid_request", "theme"),
    (
        "add",
        {"title": "Nieuw", "theme": "X", "workgroups": "Werkgroep beleid"},
        "invalid_request",
        "workgroups",
    ),
    ("add", {"title": "Nieuw", "theme": "X", "status": "lopend"}, "invalid_request", "status"),
    (
        "amend",
        {"title": "Algemeen bestuursoverleg", "expected_version": 1},
        "nothing_changed",
        None,
    ),
    ("amend", {"expected_version": 1}, "nothing_changed", None),
    ("amend", {"title": "", "expected_version": 1}, "title_required", "title"),
    ("amend", {"title": "Gesprek bestuurders", "expected_version": 1}, "title_taken", "title"),
    (
        "amend",
        {"workgroups": ["Werkgroep beleid", "Geen"], "expected_version": 1},
        "unknown_workgroup",
        "workgroups",
    ),
    ("amend", {"title": "Nieuw"}, "invalid_request", "expected_version"),
    ("amend", {"title": "Nieuw", "expected_version": "1"}, "invalid_request", "expected_version"),
    ("amend", {"position": -1, "expected_version": 1}, "invalid_request", "position"),
    ("amend", {"position": 100_000, "expected_version": 1}, "invalid_request", "position"),
    ("amend", {"wanneer": "x" * 501, "expected_version": 1}, "invalid_request", "wanneer"),
    (
        "amend",
        {"title": None, "status": "vervallen", "expected_version": 1},
        "invalid_request",
        "status",
    ),
    ("withdraw", {"reason": " ", "expected_version": 1}, "reason_required_change", None),
    ("withdraw", {"expected_version": 1}, "invalid_request", "reason"),
    ("withdraw", {"reason": "x" * 2001, "expected_version": 1}, "invalid_request", "reason"),
    ("reopen", {"reason": "open", "expected_version": 1}, "not_reopenable", None),
    ("reopen", {"reason": "", "expected_version": 1}, "reason_required_change", None),
    ("reopen", {"reason": "x", "status": "klaar", "expected_version": 1}, "unknown_status", None),
    ("rename", {"theme": "Informeren", "new_name": "Coördinatie"}, "theme_exists", "theme"),
    ("rename", {"theme": "Informeren", "new_name": " Informeren "}, "nothing_changed", "theme"),
    ("rename", {"theme": "Informeren", "new_name": ""}, "theme_required", "theme"),
    ("rename", {"theme": "Informeren"}, "invalid_request", "new_name"),
    ("plan", {"network": "testnet", "year": 2021, "title": "Nog een"}, "plan_exists", "year"),
    ("plan", {"network": "testnet", "year": 1999, "title": "Oud"}, "invalid_year", "year"),
    ("plan", {"network": "testnet", "year": 2022, "title": "  "}, "title_required", "title"),
    (
        "plan",
        {"network": "testnet", "year": 2022, "title": "T", "themes": [""]},
        "theme_required",
        "theme",
    ),
    ("plan", {"network": "testnet", "year": "2022", "title": "T"}, "invalid_request", "year"),
    ("plan", {"network": "testnet", "year": 2022}, "invalid_request", "title"),
]


@pytest.mark.parametrize(
    ("name", "body", "error", "field"), BAD, ids=[f"{b[0]}-{b[2]}-{i}" for i, b in enumerate(BAD)]
)
def test_bad_input_gets_the_code_and_the_field_and_writes_nothing(
    backend_app: Flask, world: World, name: str, body: Body, error: str, field: str | None
) -> None:
    before = stored(backend_app)
    response = send(backend_app, world, "coordinator", name, body)
    assert response.status_code == 400, response.get_json()
    answer = response.get_json()
    assert answer["error"] == error and answer["message"]
    assert answer.get("field") == field
    assert stored(backend_app) == before


@pytest.mark.parametrize("name", ["amend", "withdraw", "reopen"])
def test_a_stale_expected_version_gets_409_and_writes_nothing(
    backend_app: Flask, world: World, name: str
) -> None:
    if name == "reopen":
        withdrawn(backend_app, world)  # version 2
    else:
        status = {"status": "lopend", "expected_version": 1}
        auth = token_for(backend_app, world, "coordinator")
        client = backend_app.test_client()
        assert (
            client.post(_activity(world) + "/status", json=status, headers=auth).status_code == 200
        )
    before = stored(backend_app)
    response = send(
        backend_app, world, "coordinator", name, {**WRITES[name].body, "expected_version": 1}
    )
    assert response.status_code == 409, response.get_json()
    assert response.get_json() == {
        "error": "conflict",
        "message": "the activity was updated by someone else; reload it and try again",
        "current_version": 2,
    }
    assert stored(backend_app) == before


def test_the_document_describes_the_plan_changes(backend_app: Flask) -> None:
    document = backend_app.test_client().get("/api/v1/openapi.json").get_json()
    paths, schemas = document["paths"], document["components"]["schemas"]

    def body_of(path: str, method: str) -> dict[str, Any]:
        schema = paths[path][method]["requestBody"]["content"]["application/json"]["schema"]
        return schemas[schema["$ref"].rsplit("/", 1)[1]]

    assert set(body_of("/plans/{plan}/activities", "post")["required"]) == {"title", "theme"}
    amendment = body_of("/activities/{activity_id}", "patch")
    assert amendment["required"] == ["expected_version"]
    assert {"title", "theme", "wanneer", "workgroups", "reason"} <= set(amendment["properties"])
    assert set(body_of("/activities/{activity_id}/withdraw", "post")["required"]) == {
        "reason",
        "expected_version",
    }
    reopening = body_of("/activities/{activity_id}/reopen", "post")
    assert "vervallen" not in reopening["properties"]["status"]["description"]
    assert set(body_of("/plans", "post")["required"]) == {"network", "year", "title"}
    assert set(body_of("/plans/{plan}/themes/rename", "post")["required"]) == {"theme", "new_name"}
    refusal = paths["/activities/{activity_id}/withdraw"]["post"]["responses"]["400"]
    assert refusal["content"]["application/json"]["schema"]["$ref"].endswith("/Refusal")
    assert "field" in schemas["Refusal"]["properties"]
    assert "vervallen" in schemas["Status"]["enum"]
    activity = paths["/activities/{activity_id}"]["get"]["responses"]["200"]
    ref = activity["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"title", "theme", "wanneer", "workgroups", "position"} <= set(
        schemas[ref]["properties"]
    )


def test_an_amended_position_shows_in_the_activity(backend_app: Flask, world: World) -> None:
    response = send(
        backend_app, world, "coordinator", "amend", {"position": 7, "expected_version": 1}
    )
    assert response.status_code == 200 and response.get_json()["changed"] == ["position"]
    client, auth = backend_app.test_client(), token_for(backend_app, world, "coordinator")
    assert get(client, auth, _activity(world))["position"] == 7


# Amendment bodies at the edges of what the API reads (version 1 is the current one).
AMENDMENTS = [
    {"expected_version": 1.0, "title": "Nieuw"},
    {"expected_version": 1, "title": None, "wie": "x" * 20_000},
    {"expected_version": 1, "wie": "x" * 20_001},
    {"expected_version": 1, "position": 99_999},
    {"expected_version": 1, "position": 1.0},
    {"expected_version": 1, "position": 1.5},
    {"expected_version": 1, "position": "1"},
    {"expected_version": 1, "workgroups": []},
    {"expected_version": 1, "workgroups": [1]},
    {"expected_version": 1, "workgroups": ["Werkgroep beleid"] * 101},
    {"expected_version": 1, "reason": "x" * 2001},
    {"expected_version": 1, "title": True},
    {"title": "Nieuw"},
]


def test_the_document_accepts_exactly_the_amendments_the_api_reads(
    backend_app: Flask, world: World
) -> None:
    client = backend_app.test_client()
    document = client.get("/api/v1/openapi.json").get_json()
    body = document["paths"]["/activities/{activity_id}"]["patch"]["requestBody"]
    validator = jsonschema_rs.validator_for(
        body["content"]["application/json"]["schema"] | {"components": document["components"]}
    )
    mismatches = []
    for amendment in AMENDMENTS:
        answer = send(backend_app, world, "coordinator", "amend", amendment)
        read = not (answer.status_code == 400 and answer.get_json()["error"] == "invalid_request")
        assert answer.status_code < 500
        if validator.is_valid(amendment) != read:
            mismatches.append((amendment, answer.get_json()))
    assert mismatches == []
