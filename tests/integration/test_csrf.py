"""With CSRF protection on (as in production), forms and session API writes need the token."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.support import World, build_world, csrf_token, login


@pytest.fixture
def csrf_app(app: Flask) -> Flask:
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def world(csrf_app: Flask) -> World:
    return build_world(csrf_app)


def test_a_form_post_without_the_token_is_refused_and_writes_nothing(
    csrf_app: Flask, world: World
) -> None:
    client = csrf_app.test_client()
    login(client, world.emails["owner_member"])
    url = f"/activiteiten/{world.activity_id}/status"
    refused = client.post(url, data={"status": "lopend", "note": "x", "version": "1"})
    assert refused.status_code == 400
    assert "niet vanaf deze site verstuurd" in refused.get_data(as_text=True)
    assert client.get(f"/api/v1/activities/{world.activity_id}").get_json()["version"] == 1

    token = csrf_token(client.get(f"/activiteiten/{world.activity_id}").get_data(as_text=True))
    accepted = client.post(
        url, data={"status": "lopend", "note": "x", "version": "1", "csrf_token": token}
    )
    assert accepted.status_code == 302
    assert client.get(f"/api/v1/activities/{world.activity_id}").get_json()["version"] == 2


def test_the_login_form_itself_needs_the_token(csrf_app: Flask, world: World) -> None:
    client = csrf_app.test_client()
    response = client.post(
        "/inloggen", data={"email": world.emails["board"], "password": "correct-horse-battery"}
    )
    assert response.status_code == 400


def test_a_session_api_write_needs_the_token_in_a_header(csrf_app: Flask, world: World) -> None:
    client = csrf_app.test_client()
    login(client, world.emails["owner_member"])
    url = f"/api/v1/activities/{world.activity_id}/status"
    body = {"status": "lopend", "expected_version": 1}
    refused = client.post(url, json=body)
    assert refused.status_code == 403 and refused.get_json()["error"] == "csrf_failed"
    token = csrf_token(client.get(f"/activiteiten/{world.activity_id}").get_data(as_text=True))
    assert client.post(url, json=body, headers={"X-CSRFToken": token}).status_code == 200
