"""Once where SMTP allows it, honest where it does not: against a real (aiosmtpd) server.

When the answer to DATA is lost (a timeout, a dropped connection, a sender that died while
waiting), nobody knows whether the server took the mail. Such a row becomes "uncertain"
(onzeker) and is never sent again by itself; an admin sees it and may resend it, with the
same Message-ID. A refusal before DATA (at RCPT) is certain and retried as before. Each test
counts deliveries and distinct Message-IDs on the server; each runs on SQLite and PostgreSQL.
The sender killed with SIGKILL mid-DATA, as a real process, is in test_reminder_processes.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.message import EmailMessage

import pytest
from flask import Flask

from reminders import outbox
from reminders.periods import Period, ReminderKind, Run
from reminders.service import reminders_of
from tests.reminder_support import make_and_deliver, outbox_rows, use_smtp
from tests.smtp_server import SmtpServer, smtp_server
from tests.support import World, build_world, login
from tracker.clock import FixedClock

DUE_SOON = ReminderKind.DUE_SOON  # 2021Q2: two mails (PR & Communicatie of each network)
DUE_SOON_Q2 = Run(DUE_SOON, Period(2021, 2))
UNCERTAIN = "uncertain"
EXPLANATION = (
    "Onbekend of deze mail is aangekomen: de mailserver antwoordde niet op tijd. "
    "Controleer bij de ontvanger voordat je opnieuw verstuurt."
)


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def world(backend_app: Flask, server: SmtpServer) -> World:
    use_smtp(backend_app, server)
    return build_world(backend_app)


def statuses(app: Flask) -> list[str]:
    return [row.status for row in outbox_rows(app)]


def each_once(server: SmtpServer, mails: int) -> None:
    """`mails` deliveries, each of a different message."""
    assert len(server.message_ids) == mails, server.message_ids
    assert Counter(server.message_ids).most_common(1)[0][1] == 1, server.message_ids


def test_a_server_answering_data_after_the_timeout_gets_each_mail_once_and_rows_are_uncertain(
    backend_app: Flask, world: World, server: SmtpServer, clock: FixedClock
) -> None:
    server.handler.delay = 4  # the server takes the mail, answers after the client gave up
    use_smtp(backend_app, server, SMTP_TIMEOUT=1.5)

    first = make_and_deliver(backend_app, DUE_SOON, "2021Q2")
    for _ in range(3):  # a day of delivery passes: nothing is sent again by itself
        clock.advance(timedelta(hours=8))
        assert reminders_of(backend_app).deliver_due() == []

    assert [o.status for o in first] == [UNCERTAIN, UNCERTAIN]
    each_once(server, 2)
    assert server.attempts == 2
    rows = outbox_rows(backend_app)
    assert [(r.status, r.attempts) for r in rows] == [(UNCERTAIN, 1)] * 2
    assert all("timed out" in r.last_error for r in rows), [r.last_error for r in rows]


def test_a_connection_dropped_after_data_is_uncertain_and_not_repeated(
    backend_app: Flask, world: World, server: SmtpServer, clock: FixedClock
) -> None:
    server.handler.hang_up = True  # takes the mail, then the connection breaks

    first = make_and_deliver(backend_app, DUE_SOON, "2021Q2")
    clock.advance(timedelta(days=1))
    again = reminders_of(backend_app).deliver_due()

    assert [o.status for o in first] == [UNCERTAIN, UNCERTAIN] and again == []
    each_once(server, 2)
    assert statuses(backend_app) == [UNCERTAIN, UNCERTAIN]


def test_a_4xx_at_rcpt_is_retried_with_backoff_and_delivered_once(
    backend_app: Flask, world: World, server: SmtpServer, clock: FixedClock
) -> None:
    server.reply_to_rcpt("451 4.3.0 Try again later", "452 4.2.2 Mailbox full")

    first = make_and_deliver(backend_app, DUE_SOON, "2021Q2")
    assert reminders_of(backend_app).deliver_due() == []  # not due before the backoff
    clock.advance(timedelta(seconds=60))
    second = reminders_of(backend_app).deliver_due()

    assert [o.status for o in first] == ["pending", "pending"]
    assert first[0].detail.startswith("451 4.3.0")
    assert [o.status for o in second] == ["sent", "sent"]
    assert server.handler.rcpt_commands == 4 and server.attempts == 2  # DATA once accepted
    each_once(server, 2)
    assert [(r.status, r.attempts) for r in outbox_rows(backend_app)] == [("sent", 2)] * 2


class Died(BaseException):
    """The sender process ending abruptly (as SIGKILL would), after it started DATA."""


class DyingMailer:
    """Starts DATA (the server gets the message: the answer is what is lost) and dies."""

    def __init__(self, deliver: Callable[[EmailMessage], None]) -> None:
        self.deliver = deliver

    def send(self, message: EmailMessage, before_data: Callable[[], None] | None = None) -> None:
        if before_data is not None:
            before_data()
        self.deliver(message)
        raise Died


def test_a_row_whose_sender_died_mid_data_becomes_uncertain_after_the_lease_not_sent_again(
    backend_app: Flask, world: World, server: SmtpServer, clock: FixedClock
) -> None:
    reminders = reminders_of(backend_app)
    reminders.make_run(DUE_SOON_Q2)
    smtp = reminders.mailer
    dying = reminders.sender()
    dying.mailer = DyingMailer(smtp.send)
    with pytest.raises(Died):
        dying.deliver_due()
    assert len(server.received) == 1

    clock.advance(timedelta(minutes=5))  # the lease still holds: left alone
    during = reminders.deliver_due()
    clock.advance(timedelta(minutes=30))  # after the lease
    after = reminders.deliver_due()
    clock.advance(timedelta(days=1))
    later = reminders.deliver_due()

    assert [o.status for o in during] == ["sent"]  # the other row
    assert [o.status for o in after] == [UNCERTAIN] and later == []
    each_once(server, 2)
    assert sorted(statuses(backend_app)) == ["sent", UNCERTAIN]


def test_a_sender_whose_lease_ran_out_before_data_does_not_send_a_row_another_one_sent(
    backend_app: Flask, world: World, server: SmtpServer, clock: FixedClock
) -> None:
    reminders = reminders_of(backend_app)
    reminders.make_run(DUE_SOON_Q2)
    slow, quick = reminders.sender(), reminders.sender()
    claimed = outbox.claim_next(reminders.db, clock.now(), slow.token)
    assert claimed is not None
    clock.advance(timedelta(hours=1))  # the slow sender stalled (a suspended VM) past its lease

    quick_outcomes = quick.deliver_due()
    slow_outcome = slow.deliver(claimed)

    assert [o.status for o in quick_outcomes] == ["sent", "sent"]
    assert slow_outcome.status != "sent"
    each_once(server, 2)
    assert statuses(backend_app) == ["sent", "sent"]


def test_uncertain_mails_are_listed_for_admins_and_resent_with_the_same_message_id(
    backend_app: Flask, world: World, server: SmtpServer, clock: FixedClock
) -> None:
    server.handler.hang_up = True
    make_and_deliver(backend_app, DUE_SOON, "2021Q2")
    first_ids = list(server.message_ids)
    rows = outbox_rows(backend_app)

    admin = backend_app.test_client()
    login(admin, world.emails["admin"])
    page = admin.get("/beheer/herinneringen").get_data(as_text=True)
    assert page.count(EXPLANATION) == 2 and "Onzeker" in page
    for row in rows:
        assert f'action="/beheer/herinneringen/{row.id}/opnieuw"' in page

    server.handler.hang_up = False
    resent = admin.post(f"/beheer/herinneringen/{rows[0].id}/opnieuw", follow_redirects=True)
    assert "wordt binnen enkele minuten opnieuw verstuurd" in resent.get_data(as_text=True)
    [outcome] = reminders_of(backend_app).deliver_due()

    assert outcome.status == "sent" and outcome.outbox_id == rows[0].id
    assert len(server.message_ids) == 3
    assert set(server.message_ids) == set(first_ids)  # the repeat is recognisably the same mail
    assert statuses(backend_app) == ["sent", UNCERTAIN]
    page = admin.get("/beheer/herinneringen").get_data(as_text=True)
    assert page.count(EXPLANATION) == 1
