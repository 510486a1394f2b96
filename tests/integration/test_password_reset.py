"""Password reset by e-mail: the same answer for known and unknown addresses; one mail, to
the account's own address, even when the request names several; a single-use link, valid
for at most 60 minutes; afterwards every old session has ended."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from tests.support import PASSWORD, World, build_world, login
from tracker.clock import FixedClock
from tracker.mail import DeliveryFailure

NEW = "een-gloednieuw-wachtwoord"


class CollectingMailer:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


@pytest.fixture
def mailer(backend_app: Flask) -> CollectingMailer:
    collecting = CollectingMailer()
    backend_app.extensions["reminders"].mailer = collecting
    return collecting


@pytest.fixture
def world(backend_app: Flask) -> World:
    return build_world(backend_app)


def link_in(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    found = re.search(r"https?://\S+/wachtwoord-herstellen/(\S+)", body.get_content())
    assert found is not None
    return f"/wachtwoord-herstellen/{found.group(1)}"


def ask(app: Flask, data: object) -> tuple[int, str]:
    response = app.test_client().post("/wachtwoord-vergeten", data=data, follow_redirects=True)
    return response.status_code, response.get_data(as_text=True)


def test_known_and_unknown_addresses_get_the_same_answer_and_only_the_account_gets_mail(
    backend_app: Flask, world: World, mailer: CollectingMailer
) -> None:
    known = ask(backend_app, {"email": world.emails["board"]})
    unknown = ask(backend_app, {"email": "niemand@example.org"})
    assert known == unknown
    assert "Als er een account met dit adres bestaat" in known[1]
    assert [m["To"] for m in mailer.sent] == [world.emails["board"]]


def test_a_list_of_addresses_sends_one_mail_to_the_accounts_own_address(
    backend_app: Flask, world: World, mailer: CollectingMailer
) -> None:
    victim = world.emails["board"]
    ask(backend_app, MultiDict([("email", victim), ("email", "aanvaller@evil.example")]))
    ask(backend_app, MultiDict([("email", "aanvaller@evil.example"), ("email", victim)]))
    response = backend_app.test_client().post(
        "/wachtwoord-vergeten", json={"email": [victim, "aanvaller@evil.example"]}
    )
    assert response.status_code == 302  # the same answer as any request
    ask(backend_app, {"email": f"{victim},aanvaller@evil.example"})
    ask(backend_app, {"email": f" {victim.upper()} "})
    # One mail per request that named the account first, each to its stored address only.
    assert [m.get_all("To") for m in mailer.sent] == [[victim]] * 3
    assert all(m["Cc"] is None and m["Bcc"] is None for m in mailer.sent)
    assert all("evil" not in str(m) for m in mailer.sent)


def test_the_link_works_once_and_ends_every_session(
    backend_app: Flask, world: World, mailer: CollectingMailer
) -> None:
    signed_in = backend_app.test_client()
    login(signed_in, world.emails["board"])
    ask(backend_app, {"email": world.emails["board"]})
    link = link_in(mailer.sent[-1])
    client = backend_app.test_client()
    page = client.get(link)
    assert page.status_code == 200
    assert "<h1>Kies een nieuw wachtwoord</h1>" in page.get_data(as_text=True)
    weak = client.post(link, data={"new": "1234567890", "repeat": "1234567890"})
    assert weak.status_code == 400 and "veelgebruikte" in weak.get_data(as_text=True)
    assert client.post(link, data={"new": NEW, "repeat": NEW}).status_code == 302
    assert signed_in.get("/mijn-activiteiten").status_code == 302
    login(backend_app.test_client(), world.emails["board"], NEW)
    old = backend_app.test_client().post(
        "/inloggen", data={"email": world.emails["board"], "password": PASSWORD}
    )
    assert old.status_code == 200
    again = backend_app.test_client().post(
        link, data={"new": "nog-een-ander-wachtwoord", "repeat": "nog-een-ander-wachtwoord"}
    )
    assert again.status_code == 400
    login(backend_app.test_client(), world.emails["board"], NEW)


def test_the_link_expires_after_sixty_minutes(
    backend_app: Flask, world: World, mailer: CollectingMailer, clock: FixedClock
) -> None:
    backend_app.config["PASSWORD_RESET_MINUTES"] = 60
    ask(backend_app, {"email": world.emails["board"]})
    link = link_in(mailer.sent[-1])
    clock.advance(timedelta(minutes=59))
    assert backend_app.test_client().get(link).status_code == 200
    clock.advance(timedelta(minutes=1, seconds=1))
    expired = backend_app.test_client().post(link, data={"new": NEW, "repeat": NEW})
    assert expired.status_code == 400 and "niet (meer) geldig" in expired.get_data(as_text=True)
    assert backend_app.test_client().get("/wachtwoord-herstellen/verzonnen").status_code == 400


def test_no_token_or_address_in_the_database_or_the_audit(
    backend_app: Flask, world: World, mailer: CollectingMailer
) -> None:
    from tests.integration.test_privacy import every_row_as_text

    ask(backend_app, {"email": world.emails["board"]})
    token = link_in(mailer.sent[-1]).rsplit("/", 1)[1]
    stored = every_row_as_text(backend_app, ["password_reset_token", "audit_entry", "events"])
    assert token not in stored and world.emails["board"] not in stored
    assert "password_reset_requested" in stored


class RefusingMailer:
    def send(self, message: EmailMessage) -> None:
        raise DeliveryFailure("connection refused")


def test_an_undelivered_reset_mail_is_logged_without_the_address(
    backend_app: Flask, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    backend_app.extensions["reminders"].mailer = RefusingMailer()
    status, page = ask(backend_app, {"email": world.emails["board"]})
    assert status == 200 and "Als er een account met dit adres bestaat" in page
    board = world.user_ids["board"]
    logged = [r.getMessage() for r in caplog.records]
    assert f"password-reset mail for person {board} not delivered: DeliveryFailure" in logged
    assert not any(world.emails["board"] in line for line in logged)
