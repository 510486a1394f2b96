"""The headers every mail gets (Date, Message-ID), and a Message-ID that is the same for one
outbox row however its creation moment comes back from the database."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from reminders.compose import email_message, mail_domain, message_id_for
from reminders.mailer import FileMailer, complete

SENDER = "Jaarplan-tracker <jaarplan@Netwerk.example.org>"
WRITTEN = datetime(2021, 4, 1, 6, 0, 30, 123456, tzinfo=UTC)


def test_the_message_id_of_a_row_is_the_same_from_sqlite_naive_and_postgresql_aware_moments() -> (
    None
):
    naive = WRITTEN.replace(tzinfo=None)  # SQLite gives stored moments back without a zone
    assert message_id_for(7, naive, SENDER) == message_id_for(7, WRITTEN, SENDER)
    assert (
        message_id_for(7, WRITTEN, SENDER)
        == "<jaarplan.7.20210401060030123456@netwerk.example.org>"
    )
    assert message_id_for(8, WRITTEN, SENDER) != message_id_for(7, WRITTEN, SENDER)


def test_the_message_id_domain_is_ascii_whatever_mail_from_says() -> None:
    assert mail_domain("Zorg <zorg@bücher.example>") == "xn--bcher-kva.example"
    assert mail_domain("no address at all") == "localhost"


def test_a_composed_mail_carries_the_given_message_id_and_date() -> None:
    message = email_message(
        SENDER, "pr@example.org", "Onderwerp", "tekst", "<p>tekst</p>",
        message_id=message_id_for(7, WRITTEN, SENDER), date=WRITTEN,
    )  # fmt: skip
    assert message["Message-ID"] == message_id_for(7, WRITTEN, SENDER)
    assert parsedate_to_datetime(str(message["Date"])) == WRITTEN.replace(microsecond=0)


def test_a_message_without_date_or_message_id_gets_both_before_it_is_sent() -> None:
    message = EmailMessage()
    message["From"] = SENDER
    message.set_content("tekst")
    complete(message)
    assert parsedate_to_datetime(str(message["Date"])).tzinfo is not None
    assert str(message["Message-ID"]).endswith("@netwerk.example.org>")
    assert complete(message).get_all("Date") == message.get_all("Date")  # not added twice


def test_the_file_mailer_keeps_a_resent_mail_next_to_the_first(tmp_path: Path) -> None:
    mailer = FileMailer(tmp_path)
    for _ in range(2):
        mailer.send(
            email_message(
                SENDER,
                "pr@example.org",
                "Onderwerp",
                "tekst",
                "<p>tekst</p>",
                message_id=message_id_for(7, WRITTEN, SENDER),
                date=WRITTEN,
            )  # fmt: skip
        )
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "jaarplan.7.20210401060030123456@netwerk.example.org-2.eml",
        "jaarplan.7.20210401060030123456@netwerk.example.org.eml",
    ]
