"""A person's reminder choice in their profile, and the unsubscribe link that switches it off."""

from __future__ import annotations

import pytest
from flask import Flask

from config import TestConfig
from reminders.tokens import unsubscribe_token
from tests.reminder_support import choose, db_of
from tests.support import World, build_world, csrf_token, login
from tracker.reminder_models import ReminderPreference


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app)


def preference(app: Flask, user_id: int) -> tuple[bool, bool] | None:
    with db_of(app).session() as session:
        found = session.get(ReminderPreference, user_id)
        return None if found is None else (found.personal_copy, found.digest)


def test_a_member_chooses_a_copy_at_their_own_address(app: Flask, world: World) -> None:
    member = app.test_client()
    login(member, world.emails["owner_member"])
    page = member.get("/profiel/herinneringen").get_data(as_text=True)
    assert "Stuur de herinneringen van mijn werkgroepen ook naar mijn eigen e-mailadres" in page
    assert "overzicht van werkgroepen" not in page  # the digest is for coordinators

    saved = member.post(
        "/profiel/herinneringen", data={"personal_copy": "y"}, follow_redirects=True
    )
    assert "Je instellingen voor herinneringen zijn opgeslagen." in saved.get_data(as_text=True)
    assert 'checked id="personal_copy"' in saved.get_data(as_text=True)
    assert preference(app, world.user_ids["owner_member"]) == (True, False)


def test_a_coordinator_can_switch_the_digest_off(app: Flask, world: World) -> None:
    coordinator = app.test_client()
    login(coordinator, world.emails["coordinator"])
    page = coordinator.get("/profiel/herinneringen").get_data(as_text=True)
    assert "Stuur mij het overzicht van werkgroepen die niet hebben gereageerd" in page
    assert 'checked id="digest"' in page  # on until switched off
    coordinator.post("/profiel/herinneringen", data={})
    assert preference(app, world.user_ids["coordinator"]) == (False, False)


def test_the_unsubscribe_link_asks_first_and_then_switches_everything_off(
    app: Flask, world: World
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True  # as in production: the link works all the same
    user_id = world.user_ids["coordinator"]
    choose(app, user_id, personal_copy=True, digest=True)
    path = "/herinneringen/afmelden/" + unsubscribe_token(TestConfig.SECRET_KEY, user_id)
    visitor = app.test_client()  # not signed in: the link comes from a mail

    question = visitor.get(path).get_data(as_text=True)
    assert "Wil je geen herinneringen en overzichten meer ontvangen" in question
    assert preference(app, user_id) == (True, True)  # a mail scanner following it changes nothing

    done = visitor.post(path)  # also what a mail program's one-click unsubscribe does
    assert done.status_code == 200
    assert "Je ontvangt geen herinneringen meer op je eigen adres" in done.get_data(as_text=True)
    assert preference(app, user_id) == (False, False)

    forged = "/herinneringen/afmelden/" + unsubscribe_token("another key", user_id)
    assert visitor.post(forged).status_code == 404


def test_resending_needs_the_csrf_token(app: Flask, world: World) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    admin = app.test_client()
    login(admin, world.emails["admin"])
    assert admin.post("/beheer/herinneringen/1/opnieuw").status_code == 400
    token = csrf_token(admin.get("/beheer/herinneringen").get_data(as_text=True))
    assert token is not None
    assert (
        admin.post("/beheer/herinneringen/1/opnieuw", data={"csrf_token": token}).status_code
        == 404  # with the token the request is heard: there is no failed reminder 1
    )
