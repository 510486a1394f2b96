"""Brute force: 10 failed logins lock an account for 15 minutes; more than 20 attempts a
minute from one address get 429. The counters are in the database, so two app instances
(two gunicorn workers, or a restart) on one database share them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import col, select

from config import TestConfig
from tests.support import PASSWORD, World, build_world
from tracker.clock import FixedClock
from tracker.security.models import AuditEntry
from wsgi import create_app

WRONG = "niet-het-goede-wachtwoord"


@pytest.fixture
def world(backend_app: Flask) -> World:
    return build_world(backend_app)


@pytest.fixture
def second_app(backend_app: Flask, clock: FixedClock) -> Iterator[Flask]:
    """Another instance of the app on the same database (as a second gunicorn worker)."""
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["DATABASE_URL"] = backend_app.config["DATABASE_URL"]
    other = create_app(config, clock=clock)
    yield other
    other.extensions["tracker"].db.dispose()


def attempt(client: FlaskClient, email: str, password: str, address: str = "10.0.0.1") -> int:
    response = client.post(
        "/inloggen",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )
    return response.status_code


def signed_in(status: int) -> bool:
    return status == 302


def audit_kinds(app: Flask) -> list[str]:
    with app.extensions["tracker"].db.session() as session:
        return [e.kind for e in session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))]


def test_ten_failures_across_two_workers_lock_the_account_for_fifteen_minutes(
    backend_app: Flask, second_app: Flask, world: World, clock: FixedClock
) -> None:
    email = world.emails["board"]
    clients = [backend_app.test_client(), second_app.test_client()]
    for n in range(10):  # alternate between the two instances, from ten addresses
        assert attempt(clients[n % 2], email, WRONG, f"10.0.1.{n}") == 200
    # Locked: even the right password is refused, on either instance.
    assert not signed_in(attempt(clients[0], email, PASSWORD, "10.0.2.1"))
    assert not signed_in(attempt(clients[1], email, PASSWORD, "10.0.2.2"))
    kinds = audit_kinds(backend_app)
    assert kinds.count("account_locked") == 1
    assert kinds.count("login_failed") == 12
    clock.advance(timedelta(minutes=14))
    assert not signed_in(attempt(clients[1], email, PASSWORD, "10.0.2.3"))
    clock.advance(timedelta(minutes=1, seconds=1))
    assert signed_in(attempt(clients[0], email, PASSWORD, "10.0.2.4"))


def test_nine_failures_then_success_reset_the_count(
    backend_app: Flask, world: World, clock: FixedClock
) -> None:
    email = world.emails["board"]
    for n in range(9):
        assert attempt(backend_app.test_client(), email, WRONG, f"10.0.3.{n}") == 200
    assert signed_in(attempt(backend_app.test_client(), email, PASSWORD, "10.0.3.99"))
    for n in range(9):
        attempt(backend_app.test_client(), email, WRONG, f"10.0.4.{n}")
    assert signed_in(attempt(backend_app.test_client(), email, PASSWORD, "10.0.4.99"))
    assert "account_locked" not in audit_kinds(backend_app)


def test_more_than_twenty_attempts_a_minute_from_one_address_get_429_on_every_worker(
    backend_app: Flask, second_app: Flask, world: World, clock: FixedClock
) -> None:
    clients = [backend_app.test_client(), second_app.test_client()]
    # Unknown addresses: no account is locked, only the address is counted.
    statuses = [attempt(clients[n % 2], f"niemand{n}@example.org", WRONG) for n in range(20)]
    assert statuses == [200] * 20
    refused = clients[0].post(
        "/inloggen",
        data={"email": world.emails["board"], "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert "Te veel inlogpogingen" in refused.get_data(as_text=True)
    assert attempt(clients[1], world.emails["board"], PASSWORD) == 429
    # Another address is not affected, and the next minute the limit starts again.
    assert signed_in(attempt(clients[1], world.emails["board"], PASSWORD, "10.9.9.9"))
    clock.advance(timedelta(minutes=1))
    assert signed_in(attempt(clients[0], world.emails["board"], PASSWORD))
    assert audit_kinds(backend_app).count("login_throttled") == 1


def test_a_failed_login_is_audited_with_the_address_but_not_the_typed_email(
    app: Flask, clock: FixedClock
) -> None:
    world = build_world(app)  # its plan loads are audited too: count from here
    before = len(audit_kinds(app))
    attempt(app.test_client(), "typo@example.org", "geheim-wachtwoord-1", "192.0.2.7")
    attempt(app.test_client(), world.emails["board"], "geheim-wachtwoord-2", "192.0.2.8")
    with app.extensions["tracker"].db.session() as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()[before:]
    assert [(e.kind, e.subject_id, e.address) for e in entries] == [
        ("login_failed", None, "192.0.2.7"),
        ("login_failed", world.user_ids["board"], "192.0.2.8"),
    ]
    text = repr(entries)
    assert "typo@" not in text and "geheim" not in text and "@example.org" not in text


def test_behind_a_proxy_the_forwarded_address_is_counted(
    sqlite_url: str, clock: FixedClock
) -> None:
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(DATABASE_URL=sqlite_url, PROXY_FIX_X_FOR=1)
    proxied = create_app(config, clock=clock)
    proxied.extensions["tracker"].db.create_schema()
    build_world(proxied)
    client = proxied.test_client()
    for n in range(21):
        client.post(
            "/inloggen",
            data={"email": "x@example.org", "password": WRONG},
            headers={"X-Forwarded-For": f"198.51.100.{n}"},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
    with proxied.extensions["tracker"].db.session() as session:
        failed = select(AuditEntry).where(AuditEntry.kind == "login_failed")
        addresses = {e.address for e in session.exec(failed)}
    assert len(addresses) == 21 and "127.0.0.1" not in addresses
    proxied.extensions["tracker"].db.dispose()
