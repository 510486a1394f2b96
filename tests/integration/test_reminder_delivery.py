"""Delivery over a real SMTP server: retried 4xx replies, failed 5xx replies, resending.

Time is the app's FixedClock: a retry is due when the clock has moved past its backoff, so
the tests step the clock instead of sleeping.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask

from reminders.periods import Period, ReminderKind, Run
from reminders.service import reminders_of
from tests.dutch import dutch
from tests.reminder_support import (
    configure_mail,
    event_types,
    outbox_rows,
    set_workgroup_email,
    use_smtp,
)
from tests.smtp_server import SmtpServer, free_port, smtp_server
from tests.support import World, build_world, login
from tracker.clock import FixedClock
from tracker.domain.message import from_stored
from tracker.ids import activity_id_for
from tracker.reminder_models import OutboxStatus

OVERLEG = activity_id_for("testnet-2021", "Algemeen bestuursoverleg")
Q4 = Run(ReminderKind.QUARTERLY, Period(2021, 4))


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def world(backend_app: Flask, server: SmtpServer) -> World:
    """Only one mail in the outbox: Werkgroep beleid of testnet, for Q4 (the others have no
    address), so every DATA command the server counts is an attempt at that one mail."""
    use_smtp(backend_app, server)
    world = build_world(backend_app)
    set_workgroup_email(backend_app, "testnet", "Werkgroep PR & Communicatie", "")
    set_workgroup_email(backend_app, "andernet", "Werkgroep PR & Communicatie", "")
    set_workgroup_email(backend_app, "andernet", "Werkgroep beleid", "")
    assert reminders_of(backend_app).make_run(Q4) == 1
    return world


def clock_of(app: Flask) -> FixedClock:
    clock: FixedClock = app.extensions["tracker"].clock
    return clock


def test_a_451_is_retried_with_backoff_and_delivered_on_the_fourth_try(
    backend_app: Flask, world: World, server: SmtpServer
) -> None:
    reminders, clock = reminders_of(backend_app), clock_of(backend_app)
    server.reply(*["451 4.3.0 Mailbox temporarily unavailable"] * 3)
    statuses = []
    for delay in (0, 60, 300, 1800):  # the default MAIL_RETRY_DELAYS begin 60, 300, 1800
        clock.advance(timedelta(seconds=delay - 1))
        assert reminders.deliver_due() == []  # not due yet: nothing is tried early
        clock.advance(timedelta(seconds=1))
        [outcome] = reminders.deliver_due()
        statuses.append(outcome.status)

    assert statuses == ["pending", "pending", "pending", "sent"]
    assert server.attempts == 4 and len(server.received) == 1
    assert server.received[0].recipients == ("beleid@test.example.org",)
    [row] = outbox_rows(backend_app)
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT, 4, "")
    assert event_types(backend_app, OVERLEG).count("ReminderSent") == 1
    clock.advance(timedelta(days=1))
    assert reminders.deliver_due() == [] and server.attempts == 4


def test_a_550_is_not_retried_and_shows_on_the_admin_page_with_a_resend_button(
    backend_app: Flask, world: World, server: SmtpServer
) -> None:
    reminders, clock = reminders_of(backend_app), clock_of(backend_app)
    server.reply("550 5.1.1 Mailbox unavailable")

    [outcome] = reminders.deliver_due()
    clock.advance(timedelta(days=2))
    assert reminders.deliver_due() == []

    assert outcome.status == "failed" and server.attempts == 1 and server.received == []
    [row] = outbox_rows(backend_app)
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1)
    assert row.last_error.startswith("550 5.1.1")
    assert "ReminderSent" not in event_types(backend_app, OVERLEG)

    admin = backend_app.test_client()
    login(admin, world.emails["admin"])
    page = admin.get("/beheer/herinneringen").get_data(as_text=True)
    assert "550 5.1.1 Mailbox unavailable" in page and "Werkgroep beleid" in page
    assert f'action="/beheer/herinneringen/{row.id}/opnieuw"' in page
    resent = admin.post(f"/beheer/herinneringen/{row.id}/opnieuw", follow_redirects=True)
    assert "wordt binnen enkele minuten opnieuw verstuurd" in resent.get_data(as_text=True)

    [again] = reminders.deliver_due()
    assert again.status == "sent" and len(server.received) == 1
    assert "Alle herinneringen zijn afgeleverd" in admin.get("/beheer/herinneringen").get_data(
        as_text=True
    )


def test_connection_errors_are_retried_until_the_last_delay_and_then_marked_failed(
    backend_app: Flask, world: World
) -> None:
    nobody_listens = free_port()
    reminders = configure_mail(backend_app, SMTP_PORT=nobody_listens, MAIL_RETRY_DELAYS="60,120")
    clock = clock_of(backend_app)

    outcomes = []
    for _ in range(3):
        outcomes += reminders.deliver_due()
        clock.advance(timedelta(seconds=120))

    assert [o.status for o in outcomes] == ["pending", "pending", "failed"]
    assert "ConnectionRefusedError" in outcomes[0].detail
    [row] = outbox_rows(backend_app)
    assert row.status == OutboxStatus.FAILED and row.attempts == 3
    assert dutch(from_stored(row.last_error)).startswith("na 3 pogingen opgegeven")


def test_a_reminder_sent_while_a_member_edits_does_not_refuse_their_update(
    backend_app: Flask, world: World, server: SmtpServer
) -> None:
    member = backend_app.test_client()
    login(member, world.emails["owner_member"])
    seen = member.get(f"/api/v1/activities/{OVERLEG}").get_json()["version"]

    [outcome] = reminders_of(backend_app).deliver_due()
    assert outcome.status == "sent"

    response = member.post(
        f"/activiteiten/{OVERLEG}/status",
        data={"status": "lopend", "note": "Agenda staat", "version": str(seen)},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Je update is opgeslagen." in page
    assert "Herinneringsmail verstuurd" in page  # the reminder in the history
    assert event_types(backend_app, OVERLEG) == [
        "ActivityPlanned",
        "ReminderSent",
        "ActivityStatusChanged",
    ]
