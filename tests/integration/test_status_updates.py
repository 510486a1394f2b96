"""A member updates an activity through the pages: history, overview, refusals, conflicts."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from tests.support import World, build_world, login


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app)


def event_count(app: Flask) -> int:
    with app.extensions["tracker"].db.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM events")).scalar_one())


def member(app: Flask, world: World) -> FlaskClient:
    client = app.test_client()
    login(client, world.emails["owner_member"])
    return client


def test_a_member_changes_a_status_and_sees_it_in_the_history_and_the_overview(
    app: Flask, world: World
) -> None:
    client = member(app, world)
    mine = client.get("/mijn-activiteiten").get_data(as_text=True)
    assert "Algemeen bestuursoverleg" in mine and "Website is actueel" not in mine

    response = client.post(
        f"/activiteiten/{world.activity_id}/status",
        data={"status": "lopend", "note": "Uitnodiging verstuurd", "version": "1"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Je update is opgeslagen." in page
    history = page.split('id="geschiedenis"')[1]
    assert "Uitnodiging verstuurd" in history and "Persoon owner_member" in history
    assert re.search(r"status-gepland.*→.*status-lopend", history, re.S)

    coordinator = app.test_client()
    login(coordinator, world.emails["coordinator"])
    overview = coordinator.get(f"/plannen/{world.plan_slug}?status=lopend").get_data(as_text=True)
    assert "Algemeen bestuursoverleg" in overview and "Uitnodiging verstuurd" in overview
    assert "Gesprek bestuurders" not in overview  # filtered out: still gepland


def test_a_progress_note_without_a_status_change_is_recorded(app: Flask, world: World) -> None:
    client = member(app, world)
    client.post(
        f"/activiteiten/{world.activity_id}/status",
        data={"status": "lopend", "note": "", "version": "1"},
    )
    response = client.post(
        f"/activiteiten/{world.activity_id}/status",
        data={"status": "lopend", "note": "Halverwege", "version": "2"},
        follow_redirects=True,
    )
    assert "Voortgangsnotitie" in response.get_data(as_text=True)
    assert event_count(app) == 6 + 2  # two plans of three activities, then two updates


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "afgerond", "note": "", "version": "1"}, "Zet de activiteit eerst op"),
        ({"status": "gestopt", "note": "  ", "version": "1"}, "Geef een reden"),
        ({"status": "gepland", "note": "", "version": "1"}, "niets om op te slaan"),
        ({"status": "klaar", "note": "", "version": "1"}, "controleer de velden"),
        ({"status": "lopend", "note": "x" * 2001, "version": "1"}, "controleer de velden"),
        ({"status": "lopend", "note": "", "version": "abc"}, "controleer de velden"),
        ({"status": "lopend", "note": ""}, "controleer de velden"),
    ],
)
def test_bad_updates_are_refused_with_a_dutch_reason_and_write_nothing(
    app: Flask, world: World, data: dict[str, str], message: str
) -> None:
    client = member(app, world)
    before = event_count(app)
    response = client.post(f"/activiteiten/{world.activity_id}/status", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert event_count(app) == before


def test_a_stale_form_gets_409_and_does_not_overwrite_the_other_update(
    app: Flask, world: World
) -> None:
    first, second = member(app, world), app.test_client()
    login(second, world.emails["coordinator"])
    url = f"/activiteiten/{world.activity_id}/status"
    assert (
        first.post(url, data={"status": "lopend", "note": "eerste", "version": "1"}).status_code
        == 302
    )
    response = second.post(url, data={"status": "vertraagd", "note": "tweede", "version": "1"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Iemand anders heeft deze activiteit" in page
    assert 'name="version" type="hidden" value="2"' in page  # the form now carries the new version
    api = first.get(f"/api/v1/activities/{world.activity_id}").get_json()
    assert (api["status"], api["version"], api["last_note"]) == ("lopend", 2, "eerste")


def test_html_in_notes_is_shown_escaped(app: Flask, world: World) -> None:
    client = member(app, world)
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    client.post(
        f"/activiteiten/{world.activity_id}/status",
        data={"status": "lopend", "note": payload, "version": "1"},
    )
    for page in (
        client.get(f"/activiteiten/{world.activity_id}").get_data(as_text=True),
        client.get("/mijn-activiteiten").get_data(as_text=True),
    ):
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_login_refuses_a_wrong_password_and_an_offsite_next(app: Flask, world: World) -> None:
    client = app.test_client()
    wrong = client.post(
        "/inloggen", data={"email": world.emails["board"], "password": "verkeerd-wachtwoord"}
    )
    assert wrong.status_code == 200 and "E-mailadres of wachtwoord klopt niet." in wrong.get_data(
        as_text=True
    )
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(
            "/inloggen?next=" + target,
            data={"email": world.emails["board"], "password": "correct-horse-battery"},
        )
        assert response.headers["Location"] == "/"
        client.post("/uitloggen")
    response = client.post(
        f"/inloggen?next=/activiteiten/{world.activity_id}",
        data={"email": world.emails["board"], "password": "correct-horse-battery"},
    )
    assert response.headers["Location"] == f"/activiteiten/{world.activity_id}"


def test_the_ui_is_dutch_by_default_and_english_when_chosen(app: Flask, world: World) -> None:
    client = member(app, world)
    assert "Mijn activiteiten" in client.get("/mijn-activiteiten").get_data(as_text=True)
    client.post("/taal/en")
    page = client.get("/mijn-activiteiten").get_data(as_text=True)
    assert "My activities" in page and "Mijn activiteiten" not in page
    assert 'lang="en"' in page


def test_security_headers_are_on_every_page(app: Flask, world: World) -> None:
    client = member(app, world)
    response = client.get("/mijn-activiteiten")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "<script" not in response.get_data(as_text=True)  # no inline script anywhere


def test_a_member_of_another_workgroup_sees_a_clear_refusal(app: Flask, world: World) -> None:
    client = app.test_client()
    login(client, world.emails["other_member"])
    page = client.get(f"/activiteiten/{world.activity_id}").get_data(as_text=True)
    assert 'action="/activiteiten/' not in page  # no update form offered
    response = client.post(
        f"/activiteiten/{world.activity_id}/status", data={"status": "lopend", "version": "1"}
    )
    assert response.status_code == 403
    assert "Alleen leden van de verantwoordelijke werkgroepen" in response.get_data(as_text=True)
