"""One write path: every route and CLI command that changes data does so through a command
handler (tracker/handlers, reminders/handlers), never in view or command code.

The test app runs with GUARD_WRITE_PATH (config.TestConfig): during a request, a statement
that writes outside a handler raises. So every test that posts a form or calls the API is
already checked; the tests here show the guard catches a bypass, run each personal write
(sign-in, password, preferences …; the other write operations are run by
test_cross_network_writes.py's controls), and run every CLI command that changes data
under the same guard.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from reminders.tokens import unsubscribe_token
from tests.integration.test_cross_network_writes import (
    OPERATOR_COMMANDS,
    PERSONAL_WRITES,
    fingerprint,
)
from tests.support import (
    FIXTURES,
    PASSWORD,
    CollectingMailer,
    World,
    build_world,
    csrf_token,
    login,
)
from tracker.database import WriteOutsideHandler, guard_writes, unguard_writes
from tracker.models import Network
from tracker.services import db_session


def rows(app: Flask) -> dict[str, str]:
    """A digest of every table: any write changes it."""
    return fingerprint(app)


@pytest.mark.parametrize("way", ["read session", "unit of work"])
def test_a_view_that_writes_by_itself_fails_and_writes_nothing(
    app: Flask, caplog: pytest.LogCaptureFixture, way: str
) -> None:
    @app.post("/proef/schrijven")
    def writes_without_a_handler() -> str:
        if way == "read session":
            session = db_session()
            session.add(Network(slug="buiten", name="Buiten de handlers om"))
            session.commit()
        else:
            with app.extensions["tracker"].db.unit_of_work() as uow:
                uow.session.add(Network(slug="buiten", name="Buiten de handlers om"))
                uow.commit()
        return "geschreven"

    before = rows(app)
    answer = app.test_client().post("/proef/schrijven")
    assert answer.status_code == 500
    assert any(
        isinstance(r.exc_info[1] if r.exc_info else None, WriteOutsideHandler)
        for r in caplog.records
    )
    assert rows(app) == before


@contextmanager
def guarded() -> Iterator[None]:
    token = guard_writes(True)
    try:
        yield
    finally:
        unguard_writes(token)


def test_a_command_that_writes_by_itself_fails_under_the_guard(app: Flask) -> None:
    import click
    from flask.cli import with_appcontext

    @click.command("proef-schrijven")
    @with_appcontext
    def writes_without_a_handler() -> None:
        with app.extensions["tracker"].db.session() as session:
            session.add(Network(slug="buiten", name="Buiten de handlers om"))
            session.commit()

    with guarded():
        result = app.test_cli_runner().invoke(writes_without_a_handler)
    assert isinstance(result.exception, WriteOutsideHandler)


@pytest.fixture
def world(app: Flask) -> World:
    app.config["LOGIN_ATTEMPTS_PER_MINUTE"] = 1000
    return build_world(app)


def _form(client, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get(path).get_data(as_text=True))
    return client.post(path, data={**data, **({"csrf_token": token} if token else {})})


def test_every_personal_write_goes_through_a_handler(app: Flask, world: World) -> None:
    """Each route of PERSONAL_WRITES, run once; the guard fails any that writes by itself."""
    done: set[str] = set()
    member = app.test_client()
    before = rows(app)
    login(member, world.emails["owner_member"])  # auth.login: counters, audit
    done.add("auth.login")
    assert rows(app) != before
    answer = _form(member, "/profiel/herinneringen", {"personal_copy": "y"})
    assert answer.status_code == 302
    done.add("reminders.preferences")
    before = rows(app)
    assert member.post("/profiel/agenda", data={}).status_code == 200  # shows the address
    assert rows(app) != before
    done.add("feeds.renew_own")
    answer = member.post("/taal/en", data={})
    assert answer.status_code == 302
    done.add("auth.set_language")
    new_password = "een-nieuw-lang-wachtwoord"
    answer = _form(
        member,
        "/profiel/wachtwoord",
        {"current": PASSWORD, "new": new_password, "repeat": new_password},
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    done.add("auth.change_password")
    assert member.post("/uitloggen", data={}).status_code == 302
    done.add("auth.logout")
    anonymous = app.test_client()
    answer = anonymous.post("/wachtwoord-vergeten", data={"email": world.emails["board"]})
    assert answer.status_code == 302
    done.add("auth.forgot_password")
    answer = anonymous.post(
        "/wachtwoord-herstellen/verzonnen", data={"new": new_password, "repeat": new_password}
    )
    assert answer.status_code == 400  # a made-up link: refused, written by nobody
    done.add("auth.reset_password")
    token = unsubscribe_token(str(app.config["SECRET_KEY"]), world.user_ids["coordinator"])
    assert anonymous.post(f"/herinneringen/afmelden/{token}").status_code == 200
    done.add("reminders.confirm_unsubscribe")
    mailer = CollectingMailer()  # the invitation's link, from its mail
    app.extensions["reminders"].mailer = mailer
    admin = app.test_client()
    login(admin, world.emails["admin"])
    invited = {"name": "Nieuw Lid", "email": "nieuw.lid@example.org", "role": "member"}
    answer = _form(admin, "/uitnodigen", {**invited, "network_id": str(world.network_id)})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    body = mailer.sent[0].get_body(("plain",))
    link = re.search(r"/uitnodiging/\S+", str(body.get_content() if body else ""))
    assert link is not None
    answer = _form(anonymous, link.group(0), {"new": new_password, "repeat": new_password})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    done.add("invitations.accept")
    assert done == set(PERSONAL_WRITES)


# The commands that change data, each with arguments that make it write.
def _cli_cases(tmp: Path) -> dict[str, list[str]]:
    return {
        "load-plan": ["load-plan", str(FIXTURES / "budget-2023.yaml")],
        "import-plan": [
            *("import-plan", str(FIXTURES.parent / "e2e" / "fixtures" / "jaarplan-2023.txt")),
            *("--network", "testnet", "--create-workgroups"),
        ],
        "carry-over": ["carry-over", "--from", "testnet-2021", "--reason", "COVID-19"],
        "record-spending": [
            *("record-spending", "--plan", "twente-2023", "--theme", "Bewustwording"),
            *("--amount", "100,00", "--on", "2023-03-01"),
        ],
        "create-user": [
            *("create-user", "nieuw@example.org", "--name", "Nieuw", "--role", "member"),
            *("--network", "testnet", "--workgroup", "Werkgroep beleid"),
        ],
        "create-token": ["create-token", "admin@example.org"],
        "erase-person": ["erase-person", "board@example.org", "--yes"],
        "load-demo": ["load-demo"],
        "reminders": ["reminders", "send", "--period", "2021Q4"],
    }


# Maintenance commands: they change the schema or derived data, not what people entered.
MAINTENANCE = {"init-db", "rebuild-projections", "check-store", "backup"}
READ_ONLY = {"export-plan", "report", "export-person"}


def test_every_cli_command_that_changes_data_goes_through_a_handler(
    app: Flask, world: World
) -> None:
    cases = _cli_cases(Path(app.instance_path))
    assert set(app.cli.commands) == set(cases) | MAINTENANCE | READ_ONLY
    assert set(cases) | MAINTENANCE | READ_ONLY == set(OPERATOR_COMMANDS) | {
        "load-plan",
        "import-plan",
        "carry-over",
        "create-user",
    }
    runner = app.test_cli_runner()
    app.extensions["tracker"].clock.current = datetime(2023, 5, 3, 9, tzinfo=UTC)  # spending's day
    for name, args in cases.items():
        before = rows(app)
        with guarded():
            result = runner.invoke(args=args, input=PASSWORD + "\n")
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            name,
            result.output,
            result.exception,
        )
        assert result.exit_code == 0, (name, result.output)
        assert rows(app) != before, name
