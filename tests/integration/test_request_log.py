"""One log line per request with its request id, route, status, time and the person's id;
never a path's secret, a query string, a name or an e-mail address. `/api/health` for the
proxy answers without signing in and shows no data."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from tests.support import World, build_world, login

SECRET = "s" * 43


def request_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "tracker.request"]


def test_each_request_logs_one_line_with_route_status_time_and_user_id(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    world: World = build_world(app)
    client = app.test_client()
    login(client, world.emails["owner_member"])
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="tracker.request"):
        page = client.get(f"/activiteiten/{world.activity_id}?zoek=geheim")
        feed = app.test_client().get(f"/agenda/{SECRET}.ics")
    assert page.status_code == 200 and feed.status_code == 404
    first, second = request_lines(caplog)
    assert (first.method, first.route, first.status) == (  # type: ignore[attr-defined]
        "GET",
        "/activiteiten/<activity_id>",
        200,
    )
    assert first.user_id == world.user_ids["owner_member"]  # type: ignore[attr-defined]
    assert isinstance(first.ms, float) and first.ms >= 0  # type: ignore[attr-defined]
    assert second.route == "/agenda/<secret>.ics"  # type: ignore[attr-defined]
    assert second.user_id is None  # type: ignore[attr-defined]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for private in (SECRET, "geheim", world.activity_id, world.emails["owner_member"], "Persoon"):
        assert private not in logged
    assert page.headers["X-Request-ID"] == first.request_id  # type: ignore[attr-defined]
    assert page.headers["X-Request-ID"] != feed.headers["X-Request-ID"]


@pytest.mark.parametrize(
    ("offered", "kept"),
    [
        ("0f2b7c1e9a4d4a51b3c6d2e8f9a0b1c2", True),
        ("kort", False),
        ("a b;c=<d>" * 3, False),
        ("x" * 65, False),
    ],
)
def test_the_proxys_request_id_is_kept_when_it_is_a_plain_token(
    app: Flask, caplog: pytest.LogCaptureFixture, offered: str, kept: bool
) -> None:
    with caplog.at_level(logging.INFO, logger="tracker.request"):
        response = app.test_client().get("/inloggen", headers={"X-Request-ID": offered})
    (line,) = request_lines(caplog)
    assert (line.request_id == offered) is kept  # type: ignore[attr-defined]
    assert response.headers["X-Request-ID"] == line.request_id  # type: ignore[attr-defined]


def test_health_answers_without_signing_in_and_shows_no_data(backend_app: Flask) -> None:
    response = backend_app.test_client().get("/api/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
