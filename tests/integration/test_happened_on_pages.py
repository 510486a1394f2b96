"""The update form may say the day an update happened (on SQLite and PostgreSQL)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import text

from tests.support import World, build_world, csrf_token, login


def events_in_log(app: Flask) -> int:
    with app.extensions["tracker"].db.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM events")).scalar_one())


def test_a_member_dates_an_update_and_a_day_out_of_bounds_is_refused_in_dutch(
    backend_app: Flask,
) -> None:
    world: World = build_world(backend_app)
    client = backend_app.test_client()
    login(client, world.emails["owner_member"])
    page = client.get(f"/activiteiten/{world.activity_id}").get_data(as_text=True)
    assert 'name="happened_on"' in page and 'max="2021-05-10"' in page  # the clock's today
    url = f"/activiteiten/{world.activity_id}/status"
    data = {"csrf_token": csrf_token(page), "status": "lopend", "version": "1"}
    before = events_in_log(backend_app)
    future = client.post(url, data=data | {"happened_on": "2021-05-11"})
    assert future.status_code in (400, 422)
    assert "kan niet in de toekomst liggen" in future.get_data(as_text=True)
    assert events_in_log(backend_app) == before
    assert client.post(url, data=data | {"happened_on": "2021-04-28"}).status_code == 302
    events = client.get(f"/api/v1/activities/{world.activity_id}/events").get_json()
    assert events[-1]["data"]["happened_on"] == "2021-04-28"
