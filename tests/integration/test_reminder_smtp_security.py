"""SMTP with STARTTLS and a login, and with implicit TLS: the certificate is verified."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from reminders.periods import ReminderKind
from reminders.service import reminders_of
from tests.reminder_support import make_and_deliver, outbox_rows, use_smtp
from tests.smtp_server import Login, self_signed_certificate, smtp_server
from tests.support import build_world
from tracker.clock import FixedClock


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


def test_starttls_with_a_login_delivers(app: Flask, certificate: tuple[Path, Path]) -> None:
    login = Login("jaarplan", "geheim-wachtwoord")
    with smtp_server("starttls", certificate, login) as server:
        use_smtp(
            app,
            server,
            SMTP_SECURITY="starttls",
            SMTP_CA_FILE=str(certificate[0]),
            SMTP_USER=login.user,
            SMTP_PASSWORD=login.password,
        )
        build_world(app)
        outcomes = make_and_deliver(app, ReminderKind.DUE_SOON, "2021Q2")
    assert [o.status for o in outcomes] == ["sent", "sent"] and len(server.received) == 2


def test_implicit_tls_delivers(app: Flask, certificate: tuple[Path, Path]) -> None:
    with smtp_server("ssl", certificate) as server:
        use_smtp(app, server, SMTP_SECURITY="ssl", SMTP_CA_FILE=str(certificate[0]))
        build_world(app)
        outcomes = make_and_deliver(app, ReminderKind.DUE_SOON, "2021Q2")
    assert [o.status for o in outcomes] == ["sent", "sent"] and len(server.received) == 2


def test_a_wrong_password_or_an_untrusted_certificate_is_retried_not_lost(
    app: Flask, certificate: tuple[Path, Path]
) -> None:
    login = Login("jaarplan", "geheim-wachtwoord")
    clock: FixedClock = app.extensions["tracker"].clock
    settings = {"SMTP_SECURITY": "starttls", "SMTP_USER": login.user}
    with smtp_server("starttls", certificate, login) as server:
        build_world(app)
        trusted = str(certificate[0])
        use_smtp(app, server, **settings, SMTP_PASSWORD="fout", SMTP_CA_FILE=trusted)
        wrong_password = make_and_deliver(app, ReminderKind.DUE_SOON, "2021Q2")
        clock.advance(timedelta(minutes=1))
        use_smtp(app, server, **settings, SMTP_PASSWORD=login.password, SMTP_CA_FILE="")
        untrusted = reminders_of(app).deliver_due()
    assert [o.status for o in wrong_password] == ["pending", "pending"]
    assert wrong_password[0].detail.startswith("535")
    assert [o.status for o in untrusted] == ["pending", "pending"]
    assert "CERTIFICATE_VERIFY_FAILED" in untrusted[0].detail
    assert server.received == []
    assert {(row.status, row.attempts) for row in outbox_rows(app)} == {("pending", 2)}
