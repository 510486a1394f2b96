"""Sessions: new on sign-in; signing out, a password change and deactivation end every
session of the person (also a copied cookie); idle (2 h) and absolute (12 h) timeouts;
cookie flags; security headers and no-store on signed-in pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import PASSWORD, World, build_world, login
from tracker import accounts
from tracker.clock import FixedClock

HOME = "/mijn-activiteiten"


@pytest.fixture
def world(backend_app: Flask) -> World:
    return build_world(backend_app)


def is_signed_in(client: FlaskClient) -> bool:
    response = client.get(HOME)
    assert response.status_code in (200, 302)
    return response.status_code == 200


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def client_with_cookie(app: Flask, value: str) -> FlaskClient:
    client = app.test_client()
    client.set_cookie("session", value)
    return client


def test_signing_in_starts_a_new_session(backend_app: Flask, world: World) -> None:
    client = backend_app.test_client()
    with client.session_transaction() as before:
        before["planted"] = "by someone else"
        before["locale"] = "en"
    login(client, world.emails["board"])
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after["locale"] == "en"  # the language choice is kept


def test_signing_out_ends_every_session_of_the_person_including_copied_cookies(
    backend_app: Flask, world: World
) -> None:
    laptop, phone, other_person = (backend_app.test_client() for _ in range(3))
    login(laptop, world.emails["board"])
    login(phone, world.emails["board"])
    login(other_person, world.emails["coordinator"])
    copied = session_cookie(laptop)
    assert is_signed_in(client_with_cookie(backend_app, copied))
    assert laptop.post("/uitloggen").status_code == 302
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert not is_signed_in(client_with_cookie(backend_app, copied))
    assert is_signed_in(other_person)
    login(phone, world.emails["board"])  # signing in again works
    assert is_signed_in(phone)


def test_a_password_change_ends_other_sessions_and_keeps_this_one(
    backend_app: Flask, world: World
) -> None:
    here, elsewhere = backend_app.test_client(), backend_app.test_client()
    login(here, world.emails["board"])
    login(elsewhere, world.emails["board"])
    new = "een-nieuw-lang-wachtwoord"
    refused = here.post(
        "/profiel/wachtwoord", data={"current": "fout-fout-fout", "new": new, "repeat": new}
    )
    assert refused.status_code == 400 and "niet je huidige wachtwoord" in refused.get_data(
        as_text=True
    )
    common = here.post(
        "/profiel/wachtwoord",
        data={"current": PASSWORD, "new": "1234567890", "repeat": "1234567890"},
    )
    assert common.status_code == 400 and "veelgebruikte" in common.get_data(as_text=True)
    assert is_signed_in(elsewhere)
    changed = here.post(
        "/profiel/wachtwoord", data={"current": PASSWORD, "new": new, "repeat": new}
    )
    assert changed.status_code == 302
    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)
    fresh = backend_app.test_client()
    old = fresh.post("/inloggen", data={"email": world.emails["board"], "password": PASSWORD})
    assert old.status_code == 200
    login(fresh, world.emails["board"], new)


def test_deactivation_ends_sessions_and_api_tokens(backend_app: Flask, world: World) -> None:
    member, admin = backend_app.test_client(), backend_app.test_client()
    login(member, world.emails["owner_member"])
    login(admin, world.emails["admin"])
    services = backend_app.extensions["tracker"]
    with services.db.session() as session:
        token = accounts.create_token(session, world.user_ids["owner_member"], services.clock.now())
        session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert backend_app.test_client().get("/api/v1/plans", headers=headers).status_code == 200
    user_id = world.user_ids["owner_member"]
    assert admin.post(f"/beheer/gebruikers/{user_id}/actief").status_code == 302
    assert not is_signed_in(member)
    assert backend_app.test_client().get("/api/v1/plans", headers=headers).status_code == 401
    assert (
        backend_app.test_client()
        .post("/inloggen", data={"email": world.emails["owner_member"], "password": PASSWORD})
        .status_code
        == 200
    )
    admin.post(f"/beheer/gebruikers/{user_id}/actief")  # active again
    login(member, world.emails["owner_member"])
    assert backend_app.test_client().get("/api/v1/plans", headers=headers).status_code == 200
    # An admin cannot lock themselves out.
    assert admin.post(f"/beheer/gebruikers/{world.user_ids['admin']}/actief").status_code == 400


def test_a_session_ends_after_two_idle_hours(app: Flask, clock: FixedClock) -> None:
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["board"])
    for _ in range(3):  # used every 1 h 59 min: stays signed in
        clock.advance(timedelta(hours=1, minutes=59))
        assert is_signed_in(client)
    clock.advance(timedelta(hours=2, minutes=1))
    response = client.get(HOME, follow_redirects=True)
    assert "Je sessie is verlopen" in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_a_session_ends_twelve_hours_after_signing_in_however_busy(
    app: Flask, clock: FixedClock
) -> None:
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["board"])
    for _ in range(11):
        clock.advance(timedelta(hours=1))
        assert is_signed_in(client)
    clock.advance(timedelta(minutes=59))
    assert is_signed_in(client)
    clock.advance(timedelta(minutes=2))
    assert not is_signed_in(client)


def test_cookies_are_httponly_lax_and_secure_when_configured(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["board"])
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert not cookie.secure
    app.config["SESSION_COOKIE_SECURE"] = True
    secure = app.test_client()
    response = secure.post(
        "/inloggen",
        data={"email": world.emails["board"], "password": PASSWORD},
        base_url="https://localhost",
    )
    assert response.status_code == 302
    header = response.headers["Set-Cookie"]
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header


@pytest.mark.parametrize(
    "path", ["/inloggen", HOME, "/api/v1/openapi.json", "/bestaat-niet", "/beheer/audit"]
)
def test_every_response_carries_the_security_headers(app: Flask, path: str) -> None:
    world = build_world(app)
    for signed_in in (False, True):
        client = app.test_client()
        if signed_in:
            login(client, world.emails["admin"])
        response = client.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        if signed_in:
            assert response.headers["Cache-Control"] == "no-store"


def test_pages_carry_no_inline_script(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    login(client, world.emails["admin"])
    for path in (HOME, f"/activiteiten/{world.activity_id}", "/plannen/", "/beheer/gebruikers"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " onclick=" not in html and "javascript:" not in html


def test_signing_in_upgrades_a_hash_made_with_old_parameters(app: Flask) -> None:
    from sqlmodel import select

    from tracker.models import User
    from tracker.passwords import Passwords

    world = build_world(app)
    services = app.extensions["tracker"]
    with services.db.session() as session:
        user = session.exec(select(User).where(User.email == world.emails["board"])).one()
        user.password_hash = Passwords(1, 16, 2).hash(PASSWORD)  # older parameters
        session.add(user)
        session.commit()
    login(app.test_client(), world.emails["board"])
    with services.db.session() as session:
        user = session.exec(select(User).where(User.email == world.emails["board"])).one()
        assert not services.passwords.needs_rehash(user.password_hash)
        assert services.passwords.verify(user.password_hash, PASSWORD)
