"""Every route and API operation, for every role: the expected answer of each cell.

Roles (columns): anonymous, member of the owning workgroup, member of another workgroup,
coordinator of the network, coordinator of another network, board, admin. The activity and
plan belong to network "testnet"; the other coordinator only has a role in "andernet".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from config import TestConfig
from reminders.tokens import unsubscribe_token
from tests.support import ROLES, World, build_world, login
from tracker import accounts


@dataclass(frozen=True)
class Route:
    name: str
    call: Callable[[FlaskClient, World, dict[str, str]], TestResponse]
    expected: tuple[int, ...]  # one answer per role, in ROLES order


def get(
    path: Callable[[World], str],
) -> Callable[[FlaskClient, World, dict[str, str]], TestResponse]:
    return lambda client, world, headers: client.get(path(world), headers=headers)


def post(
    path: Callable[[World], str],
    data: Callable[[World], dict[str, object]] | None = None,
    json: bool = False,
) -> Callable[[FlaskClient, World, dict[str, str]], TestResponse]:
    def call(client: FlaskClient, world: World, headers: dict[str, str]) -> TestResponse:
        body = data(world) if data else {}
        if json:
            return client.post(path(world), json=body, headers=headers)
        return client.post(path(world), data=body, headers=headers)

    return call


def patch(
    path: Callable[[World], str], data: Callable[[World], dict[str, object]]
) -> Callable[[FlaskClient, World, dict[str, str]], TestResponse]:
    return lambda client, world, headers: client.patch(
        path(world), json=data(world), headers=headers
    )


A = lambda w: f"/activiteiten/{w.activity_id}"  # noqa: E731
CLOSE_Q1 = {"period": "2021Q1"}  # ended on the tests' clock (10 May 2021)
API_A = lambda w: f"/api/v1/activities/{w.activity_id}"  # noqa: E731
NEW_STATUS = lambda w: {"status": "lopend", "note": "gestart", "version": "1"}  # noqa: E731
NEW_STATUS_JSON = lambda w: {"status": "lopend", "note": "gestart", "expected_version": 1}  # noqa: E731
# The first target of the plan belongs to the owner's activity (see tests/fixtures/mini-plan.yaml).
PROGRESS = lambda w: {"indicator_id": "1", "value": "2", "version": "1"}  # noqa: E731
PROGRESS_JSON = lambda w: {"target_id": 1, "value": 2, "expected_version": 1}  # noqa: E731

# Changing the plan: coordinators of the network and admins; members and the board 403,
# outsiders 404 (roles in ROLES order).
COORDINATORS_PAGE = (302, 403, 403, 200, 404, 403, 200)
COORDINATORS_POST = (302, 403, 403, 302, 404, 403, 302)
EDIT = lambda w: {  # noqa: E731
    "title": "Algemeen bestuursoverleg",
    "theme": "Coördinatie",
    "wanneer": "1e kwartaal",
    "workgroups": [],
    "position": "0",
    "version": "1",
}
WITHDRAW = lambda w: {"reason": "Dubbel met een andere activiteit", "version": "1"}  # noqa: E731
RENAME = lambda w: {"theme": "Informeren", "new_name": "Communicatie"}  # noqa: E731


def unsubscribe_path(w: World) -> str:
    return "/herinneringen/afmelden/" + unsubscribe_token(
        TestConfig.SECRET_KEY, w.user_ids["owner_member"]
    )


#                  anon owner other coord other-coord board admin
PAGES = [
    Route("home", get(lambda w: "/"), (302, 302, 302, 302, 302, 302, 302)),
    Route("start page", get(lambda w: "/start"), (302, 403, 403, 200, 200, 403, 200)),
    Route(
        "start page of a network",
        get(lambda w: f"/start/{w.network_slug}"),
        (302, 403, 403, 200, 404, 403, 200),
    ),
    Route("login page", get(lambda w: "/inloggen"), (200, 302, 302, 302, 302, 302, 302)),
    Route(
        "my activities", get(lambda w: "/mijn-activiteiten"), (302, 200, 200, 200, 200, 200, 200)
    ),
    Route("activity page", get(A), (302, 200, 200, 200, 404, 200, 200)),
    Route(
        "activity of another network",
        get(lambda w: f"/activiteiten/{w.other_network_activity_id}"),
        (302, 404, 404, 404, 200, 404, 200),
    ),
    Route(
        "unknown activity",
        get(lambda w: "/activiteiten/does-not-exist"),
        (302, 404, 404, 404, 404, 404, 404),
    ),
    Route(
        "status update",
        post(lambda w: A(w) + "/status", NEW_STATUS),
        (302, 302, 403, 302, 404, 403, 302),
    ),
    Route(
        "status update of another workgroup",
        post(lambda w: f"/activiteiten/{w.pr_activity_id}/status", NEW_STATUS),
        (302, 403, 302, 302, 404, 403, 302),
    ),
    Route(
        "record progress",
        post(lambda w: A(w) + "/voortgang", PROGRESS),
        (302, 302, 403, 302, 404, 403, 302),
    ),
    Route("change an activity (page)", get(lambda w: A(w) + "/wijzigen"), COORDINATORS_PAGE),
    Route("change an activity", post(lambda w: A(w) + "/wijzigen", EDIT), COORDINATORS_POST),
    Route("withdraw (page)", get(lambda w: A(w) + "/laten-vervallen"), COORDINATORS_PAGE),
    Route("withdraw", post(lambda w: A(w) + "/laten-vervallen", WITHDRAW), COORDINATORS_POST),
    Route("reopen (page)", get(lambda w: A(w) + "/heropenen"), COORDINATORS_PAGE),
    Route(
        "add an activity (page)",
        get(lambda w: f"/plannen/{w.plan_slug}/activiteit-toevoegen"),
        COORDINATORS_PAGE,
    ),
    Route(
        "rename a theme (page)",
        get(lambda w: f"/plannen/{w.plan_slug}/thema-hernoemen"),
        COORDINATORS_PAGE,
    ),
    Route(
        "rename a theme",
        post(lambda w: f"/plannen/{w.plan_slug}/thema-hernoemen", RENAME),
        COORDINATORS_POST,
    ),
    Route(
        "new year plan (page)",
        get(lambda w: "/plannen/nieuw-jaarplan"),
        (302, 403, 403, 200, 200, 403, 200),
    ),
    Route("plans", get(lambda w: "/plannen/"), (302, 200, 200, 200, 200, 200, 200)),
    Route(
        "plan overview",
        get(lambda w: f"/plannen/{w.plan_slug}"),
        (302, 403, 403, 200, 404, 200, 200),
    ),
    Route(
        "plan overview of another network",
        get(lambda w: f"/plannen/{w.other_plan_slug}"),
        (302, 404, 404, 404, 200, 404, 200),
    ),
    Route(
        "quarterly report",
        get(lambda w: f"/plannen/{w.plan_slug}/rapportage"),
        (302, 403, 403, 200, 404, 200, 200),
    ),
    Route(
        "board overview",
        get(lambda w: f"/plannen/{w.plan_slug}/bestuur"),
        (302, 403, 403, 200, 404, 200, 200),
    ),
    Route(
        "budget and spending",
        get(lambda w: f"/plannen/{w.plan_slug}/begroting"),
        (302, 403, 403, 200, 404, 200, 200),
    ),
    Route(
        # The test plan has no budget: a coordinator's spending names no theme of it (400).
        "record spending",
        post(
            lambda w: f"/plannen/{w.plan_slug}/begroting",
            lambda w: {"theme": "Informeren", "amount": "5", "spent_on": "2021-05-03"},
        ),
        (302, 403, 403, 400, 404, 403, 400),
    ),
    Route(
        "close a quarter",
        post(lambda w: f"/plannen/{w.plan_slug}/rapportage/vaststellen", lambda w: CLOSE_Q1),
        (302, 403, 403, 302, 404, 403, 302),
    ),
    Route(
        "year-end carry-over",
        get(lambda w: f"/plannen/{w.plan_slug}/jaarovergang"),
        (302, 403, 403, 200, 404, 403, 200),
    ),
    Route(
        "import a plan",
        get(lambda w: "/plannen/importeren/"),
        (302, 403, 403, 200, 200, 403, 200),
    ),
    Route(
        "import draft that does not exist",
        get(lambda w: "/plannen/importeren/00000000-0000-0000-0000-000000000000"),
        (302, 404, 404, 404, 404, 404, 404),
    ),
    Route(
        "discard an import draft that does not exist",
        post(lambda w: "/plannen/importeren/00000000-0000-0000-0000-000000000000/verwijderen"),
        (302, 404, 404, 404, 404, 404, 404),
    ),
    Route(
        "map the layout of an import draft that does not exist",
        post(lambda w: "/plannen/importeren/00000000-0000-0000-0000-000000000000/indeling"),
        (302, 404, 404, 404, 404, 404, 404),
    ),
    Route("admin: start page", get(lambda w: "/beheer/"), (302, 403, 403, 403, 403, 403, 302)),
    Route(
        "admin: people", get(lambda w: "/beheer/gebruikers"), (302, 403, 403, 403, 403, 403, 200)
    ),
    Route(
        "admin: person",
        get(lambda w: f"/beheer/gebruikers/{w.user_ids['board']}"),
        (302, 403, 403, 403, 403, 403, 200),
    ),
    Route(
        "admin: networks", get(lambda w: "/beheer/netwerken"), (302, 403, 403, 403, 403, 403, 200)
    ),
    Route(
        "admin: add network",
        post(lambda w: "/beheer/netwerken", lambda w: {"slug": "nieuw", "name": "Nieuw"}),
        (302, 403, 403, 403, 403, 403, 302),
    ),
    Route(  # people come in by invitation: no one types another person's password
        "admin: add a person with a typed password",
        post(
            lambda w: "/beheer/gebruikers",
            lambda w: {
                "email": "nieuw@example.org",
                "name": "Nieuw",
                "password": "lang-genoeg-wachtwoord",
            },
        ),
        (405, 405, 405, 405, 405, 405, 405),
    ),
    Route(
        "admin: set role",
        post(
            lambda w: f"/beheer/gebruikers/{w.user_ids['board']}",
            lambda w: {"role-network_id": "1", "role-role": "coordinator", "role-submit": "1"},
        ),
        (302, 403, 403, 403, 403, 403, 302),
    ),
    Route(
        "reminder settings",
        get(lambda w: "/profiel/herinneringen"),
        (302, 200, 200, 200, 200, 200, 200),
    ),
    Route(
        "save reminder settings",
        post(lambda w: "/profiel/herinneringen", lambda w: {"personal_copy": "y"}),
        (302, 302, 302, 302, 302, 302, 302),
    ),
    Route("unsubscribe page", get(unsubscribe_path), (200, 200, 200, 200, 200, 200, 200)),
    Route("unsubscribe", post(unsubscribe_path), (200, 200, 200, 200, 200, 200, 200)),
    Route(
        "unsubscribe with a forged link",
        post(lambda w: unsubscribe_path(w) + "x"),
        (404, 404, 404, 404, 404, 404, 404),
    ),
    Route(
        "make my calendar address",
        post(lambda w: "/profiel/agenda"),
        (302, 200, 200, 200, 200, 200, 200),
    ),
    Route(
        "make the calendar address of Werkgroep beleid",  # testnet's first workgroup: id 1
        post(lambda w: "/profiel/agenda/werkgroepen/1"),
        (302, 200, 403, 200, 404, 403, 200),
    ),
    Route(
        "calendar feed with an unknown address",
        get(lambda w: "/agenda/onbekend.ics"),
        (404, 404, 404, 404, 404, 404, 404),
    ),
    Route(
        "admin: reminders not delivered",
        get(lambda w: "/beheer/herinneringen"),
        (302, 403, 403, 403, 403, 403, 200),
    ),
    Route(
        "admin: resend a reminder",  # admins: 404, there is no failed reminder 1 in this world
        post(lambda w: "/beheer/herinneringen/1/opnieuw"),
        (302, 403, 403, 403, 403, 403, 404),
    ),
    Route(
        "change password page",
        get(lambda w: "/profiel/wachtwoord"),
        (302, 200, 200, 200, 200, 200, 200),
    ),
    Route(
        "change password (wrong current password)",
        post(
            lambda w: "/profiel/wachtwoord", lambda w: {"current": "x", "new": "y", "repeat": "y"}
        ),
        (302, 400, 400, 400, 400, 400, 400),
    ),
    Route(
        "admin: audit trail", get(lambda w: "/beheer/audit"), (302, 403, 403, 403, 403, 403, 200)
    ),
    Route(
        "admin: audit trail as CSV",
        get(lambda w: "/beheer/audit.csv"),
        (302, 403, 403, 403, 403, 403, 200),
    ),
    Route(
        "admin: deactivate a person",
        post(lambda w: f"/beheer/gebruikers/{w.user_ids['board']}/actief"),
        (302, 403, 403, 403, 403, 403, 302),
    ),
    Route(
        "coordinator: workgroups page",
        get(lambda w: "/werkgroepen/"),
        (302, 403, 403, 200, 200, 403, 200),
    ),
    Route(
        "coordinator: add a workgroup to testnet",
        post(lambda w: "/werkgroepen/", lambda w: {"network_id": w.network_id, "name": "Nieuw"}),
        (302, 403, 403, 302, 404, 403, 302),
    ),
    Route(
        "coordinator: add testnet's board member to workgroup 1",
        post(lambda w: "/werkgroepen/1/leden", lambda w: {"user_id": w.user_ids["board"]}),
        (302, 403, 403, 302, 404, 403, 302),
    ),
    Route(
        "coordinator: remove a member of workgroup 1",
        post(lambda w: f"/werkgroepen/1/leden/{w.user_ids['owner_member']}/verwijderen"),
        (302, 403, 403, 302, 404, 403, 302),
    ),
    Route(
        "invitation page",
        get(lambda w: "/uitnodigen"),
        (302, 403, 403, 200, 200, 403, 200),
    ),
    Route(
        "invite a person into testnet",
        post(
            lambda w: "/uitnodigen",
            lambda w: {
                "name": "Nieuw",
                "email": "nieuw@example.org",
                "network_id": str(w.network_id),
                "role": "member",
            },
        ),
        (302, 403, 403, 302, 404, 403, 302),
    ),
    Route(
        "accept a made-up invitation",
        get(lambda w: "/uitnodiging/verzonnen-token"),
        (400, 400, 400, 400, 400, 400, 400),
    ),
    Route(
        "forgot password page",
        get(lambda w: "/wachtwoord-vergeten"),
        (200, 302, 302, 302, 302, 302, 302),
    ),
    Route(
        "ask for a reset link",
        post(lambda w: "/wachtwoord-vergeten", lambda w: {"email": "niemand@example.org"}),
        (302, 302, 302, 302, 302, 302, 302),
    ),
    Route(
        "reset with a made-up link",
        get(lambda w: "/wachtwoord-herstellen/verzonnen-token"),
        (400, 400, 400, 400, 400, 400, 400),
    ),
    Route(
        "my data as JSON",
        get(lambda w: "/profiel/gegevens.json"),
        (302, 200, 200, 200, 200, 200, 200),
    ),
    Route(
        "admin: a person's data as JSON",
        get(lambda w: f"/beheer/gebruikers/{w.user_ids['board']}/gegevens.json"),
        (302, 403, 403, 403, 403, 403, 200),
    ),
    Route(
        "admin: erase a person",
        post(
            lambda w: f"/beheer/gebruikers/{w.user_ids['board']}/wissen", lambda w: {"confirm": "y"}
        ),
        (302, 403, 403, 403, 403, 403, 302),
    ),
    Route("sign out", post(lambda w: "/uitloggen"), (302, 302, 302, 302, 302, 302, 302)),
    Route("choose language", post(lambda w: "/taal/en"), (302, 302, 302, 302, 302, 302, 302)),
]

API = [
    Route("openapi", get(lambda w: "/api/v1/openapi.json"), (200, 200, 200, 200, 200, 200, 200)),
    Route("health", get(lambda w: "/api/health"), (200, 200, 200, 200, 200, 200, 200)),
    Route("plans", get(lambda w: "/api/v1/plans"), (401, 200, 200, 200, 200, 200, 200)),
    Route(
        "activities",
        get(lambda w: f"/api/v1/activities?plan={w.plan_slug}"),
        (401, 200, 200, 200, 404, 200, 200),
    ),
    Route("activity", get(API_A), (401, 200, 200, 200, 404, 200, 200)),
    Route("events", get(lambda w: API_A(w) + "/events"), (401, 200, 200, 200, 404, 200, 200)),
    Route(
        "unknown activity",
        get(lambda w: "/api/v1/activities/nope"),
        (401, 404, 404, 404, 404, 404, 404),
    ),
    Route(
        "change status",
        post(lambda w: API_A(w) + "/status", NEW_STATUS_JSON, json=True),
        (401, 200, 403, 200, 404, 403, 200),
    ),
    Route(
        "record progress",
        post(lambda w: API_A(w) + "/progress", PROGRESS_JSON, json=True),
        (401, 200, 403, 200, 404, 403, 200),
    ),
    # Changing the plan: the coordinators of the network and admins, as on the pages.
    Route(
        "add an activity",
        post(
            lambda w: f"/api/v1/plans/{w.plan_slug}/activities",
            lambda w: {"title": "Nieuw", "theme": "Scholing"},
            json=True,
        ),
        (401, 403, 403, 200, 404, 403, 200),
    ),
    Route(
        "amend an activity",
        patch(API_A, lambda w: {"title": "Nieuw", "expected_version": 1}),
        (401, 403, 403, 200, 404, 403, 200),
    ),
    Route(
        "withdraw an activity",
        post(
            lambda w: API_A(w) + "/withdraw",
            lambda w: {"reason": "dubbel", "expected_version": 1},
            json=True,
        ),
        (401, 403, 403, 200, 404, 403, 200),
    ),
    Route(  # the activity is open: who may is told it cannot be reopened (400)
        "reopen an activity",
        post(
            lambda w: API_A(w) + "/reopen",
            lambda w: {"reason": "toch", "expected_version": 1},
            json=True,
        ),
        (401, 403, 403, 400, 404, 403, 400),
    ),
    Route(
        "rename a theme",
        post(
            lambda w: f"/api/v1/plans/{w.plan_slug}/themes/rename",
            lambda w: {"theme": "Informeren", "new_name": "Communicatie"},
            json=True,
        ),
        (401, 403, 403, 200, 404, 403, 200),
    ),
    Route(
        "make a plan",
        post(
            lambda w: "/api/v1/plans",
            lambda w: {"network": "testnet", "year": 2022, "title": "Jaarplan 2022"},
            json=True,
        ),
        (401, 403, 403, 200, 404, 403, 200),
    ),
]


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app)


def _signed_in(app: Flask, world: World, role: str) -> FlaskClient:
    client = app.test_client()
    if role != "anonymous":
        login(client, world.emails[role])
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", PAGES, ids=lambda r: r.name)
def test_pages_answer_each_role_as_the_access_rules_say(
    app: Flask, world: World, route: Route, role: str
) -> None:
    client = _signed_in(app, world, role)
    response = route.call(client, world, {})
    expected = route.expected[ROLES.index(role)]
    assert response.status_code == expected, response.get_data(as_text=True)[:300]
    if role == "anonymous" and expected == 302:
        location = response.headers["Location"]
        assert "/inloggen" in location or route.name in ("sign out", "choose language")
    if role != "anonymous" and route.name == "save reminder settings":
        assert response.headers["Location"] == "/profiel/herinneringen"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", API, ids=lambda r: r.name)
def test_api_answers_each_role_as_the_access_rules_say(
    app: Flask, world: World, route: Route, role: str
) -> None:
    headers = {}
    if role != "anonymous":
        with app.app_context():
            services = app.extensions["tracker"]
            with services.db.session() as session:
                token = accounts.create_token(session, world.user_ids[role], services.clock.now())
                session.commit()
        headers["Authorization"] = f"Bearer {token}"
    response = route.call(app.test_client(), world, headers)
    assert response.status_code == route.expected[ROLES.index(role)], response.get_data(
        as_text=True
    )[:300]
    if response.status_code >= 400:
        body = response.get_json()
        assert body is not None and {"error", "message"} <= set(body)


def test_refused_status_updates_write_nothing(app: Flask, world: World) -> None:
    from sqlalchemy import text

    db = app.extensions["tracker"].db
    with db.engine.connect() as connection:
        before = connection.execute(text("SELECT count(*) FROM events")).scalar_one()
    for role in ("anonymous", "other_member", "other_coordinator", "board"):
        client = _signed_in(app, world, role)
        client.post(A(world) + "/status", data=NEW_STATUS(world))
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM events")).scalar_one() == before


def test_every_route_of_the_app_is_in_the_matrix(app: Flask, world: World) -> None:
    """A route added without a row here fails this test: the matrix stays complete."""
    seen: set[str] = set()
    app.config["LOGIN_ATTEMPTS_PER_MINUTE"] = 1000  # one address signs in once per route here

    @app.before_request
    def note_endpoint() -> None:
        from flask import request

        if request.endpoint:
            seen.add(request.endpoint)

    for route in PAGES:
        route.call(_signed_in(app, world, "admin"), world, {})
    with app.app_context():
        services = app.extensions["tracker"]
        with services.db.session() as session:
            token = accounts.create_token(session, world.user_ids["admin"], services.clock.now())
            session.commit()
    for route in API:
        route.call(app.test_client(), world, {"Authorization": f"Bearer {token}"})
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert endpoints - seen == set()
