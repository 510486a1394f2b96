"""The mail as the SMTP server received it, checked against RFC 5322, 2045-2047 and 5321.

The raw bytes aiosmtpd got are read line by line (7-bit, CRLF, at most 78 characters: no
8BITMIME was asked for) and parsed: one Date, From, To, Subject and Message-ID; a Subject
with non-ASCII characters as encoded words; MIME-Version 1.0 and multipart/alternative with
the plain text first and the HTML second, both UTF-8; no parser defects anywhere.
"""

from __future__ import annotations

import email
import email.policy
import html
import re
from collections.abc import Iterator
from datetime import UTC
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

import pytest
from flask import Flask
from sqlmodel import select

from reminders.periods import ReminderKind
from tests.reminder_support import db_of, make_and_deliver, outbox_rows, use_smtp
from tests.smtp_server import SmtpServer, smtp_server
from tests.support import World, build_world
from tracker.clock import FixedClock
from tracker.models import Workgroup

# Long enough to be folded, with letters outside ASCII (and one outside Latin-1).
NAME = "Werkgroep Coördinatie & Één loket — zorg in de regio ’t Gooi en Vechtstreek, Zuid-Oost"
ONE_HEADER = ("Date", "From", "To", "Subject", "Message-ID", "MIME-Version", "Content-Type")


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def world(backend_app: Flask, server: SmtpServer) -> World:
    use_smtp(backend_app, server)
    world = build_world(backend_app)
    with db_of(backend_app).session() as session:
        workgroup = session.exec(
            select(Workgroup).where(
                Workgroup.network_id == world.network_id,
                Workgroup.name == "Werkgroep PR & Communicatie",
            )
        ).one()
        workgroup.name = NAME
        session.add(workgroup)
        session.commit()
    return world


def header_lines(raw: bytes) -> list[bytes]:
    head, _, _ = raw.partition(b"\r\n\r\n")
    return head.split(b"\r\n")


def test_the_received_mail_follows_the_rfcs(
    backend_app: Flask, world: World, server: SmtpServer, clock: FixedClock
) -> None:
    outcomes = make_and_deliver(backend_app, ReminderKind.DUE_SOON, "2021Q2")
    assert [o.status for o in outcomes] == ["sent", "sent"]
    [mail] = [m for m in server.received if "Coördinatie" in m.subject]
    [row] = [r for r in outbox_rows(backend_app) if NAME in r.subject]
    raw = mail.raw

    # Transport: 7-bit (no BODY=8BITMIME was declared), CRLF only, lines within 78 characters.
    assert raw.isascii()
    assert b"\r" not in raw.replace(b"\r\n", b"") and b"\n" not in raw.replace(b"\r\n", b"")
    too_long = [line for line in raw.split(b"\r\n") if len(line) > 78]
    assert too_long == []

    # Headers: each once; the Subject's non-ASCII letters only as RFC 2047 encoded words.
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    for name in ONE_HEADER:
        assert len(message.get_all(name, [])) == 1, name
    raw_subject = b" ".join(
        line.strip()
        for line in header_lines(raw)
        if line.startswith(b"Subject:") or line[:1] in (b" ", b"\t")
    )
    assert b"=?utf-8?" in raw_subject.lower()
    assert str(message["Subject"]) == row.subject and NAME in row.subject

    date = parsedate_to_datetime(str(message["Date"]))
    assert date.tzinfo is not None and date == clock.now().astimezone(UTC)
    assert str(message["From"]) == "Jaarplan-tracker <jaarplan@test.example.org>"
    assert str(message["To"]) == "pr@test.example.org"
    assert re.fullmatch(r"<[A-Za-z0-9.\-_]+@test\.example\.org>", mail.message_id)
    assert str(row.id) in mail.message_id
    assert str(message["MIME-Version"]) == "1.0"
    assert str(message["Auto-Submitted"]) == "auto-generated"

    # Structure: multipart/alternative, the plain text first, then the HTML, both UTF-8.
    assert message.get_content_type() == "multipart/alternative"
    assert message.get_param("boundary")
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    for part, name in zip(parts, (NAME, html.escape(NAME, quote=False)), strict=True):
        assert part.get_content_charset() == "utf-8"
        assert part.get("Content-Transfer-Encoding") in ("7bit", "quoted-printable", "base64")
        assert name in part.get_content()  # type: ignore[attr-defined]
    for part in message.walk():
        assert part.defects == [], part.defects
        for name, value in part.items():
            assert getattr(value, "defects", ()) == (), (name, value.defects)


def test_every_reminder_has_its_own_message_id(
    backend_app: Flask, world: World, server: SmtpServer
) -> None:
    make_and_deliver(backend_app, ReminderKind.QUARTERLY, "2021Q2")
    make_and_deliver(backend_app, ReminderKind.DUE_SOON, "2021Q2")
    assert len(server.received) == 6
    assert len(set(server.message_ids)) == 6
