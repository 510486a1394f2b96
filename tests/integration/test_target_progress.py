"""Measurable targets: read from the plan, progress recorded as events (page and API)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from tracker.demo import DEMO_PASSWORD, load_demo
from tracker.ids import activity_id_for
from tracker.models import Indicator

SAXION = "Opleidingsplaatsen Leergang Palliatieve Zorg Saxion"
COURSES = "Diverse bij- en nascholingen voor professionals en vrijwilligers"


@pytest.fixture
def demo(app: Flask) -> Flask:
    services = app.extensions["tracker"]
    load_demo(services.db, services.passwords)
    return app


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    response = client.post("/inloggen", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def indicator_id(app: Flask, title: str) -> int:
    with app.extensions["tracker"].db.session() as session:
        found = session.exec(
            select(Indicator).where(Indicator.activity_id == activity_id_for("twente-2021", title))
        ).one()
        assert found.id is not None
        return found.id


def test_a_member_records_progress_and_it_shows_as_reached_and_in_the_history(
    demo: Flask,
) -> None:
    client = signed_in(demo, "lid.deskundigheid@example.org")
    activity_id = activity_id_for("twente-2021", COURSES)
    page = client.get(f"/activiteiten/{activity_id}").get_data(as_text=True)
    assert "minimaal 6 casuïstiekbespreking per jaar" in page
    assert "bereikt: <strong>7</strong> ✓" in page  # recorded in the demo history
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page)
    assert version is not None
    response = client.post(
        f"/activiteiten/{activity_id}/voortgang",
        data={
            "indicator_id": str(indicator_id(demo, COURSES)),
            "value": "9",
            "note": "Negen besprekingen gehouden",
            "version": version.group(1),
        },
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "bereikt: <strong>9</strong> ✓" in text
    assert "Waarde vastgelegd" in text and "Negen besprekingen gehouden" in text


def test_a_bad_value_is_refused_in_dutch_and_nothing_is_recorded(demo: Flask) -> None:
    client = signed_in(demo, "lid.deskundigheid@example.org")
    activity_id = activity_id_for("twente-2021", COURSES)
    target = str(indicator_id(demo, COURSES))
    before = client.get(f"/api/v1/activities/{activity_id}").get_json()["version"]
    for value, message in [
        ("", "Vul de bereikte waarde in"),
        ("-3", "tussen"),
        ("veel", "Vul een getal in, zoals 12 of 2,5."),
        ("2,5,1", "Vul een getal in"),
        ("NaN", "Vul een getal in"),
    ]:
        response = client.post(
            f"/activiteiten/{activity_id}/voortgang",
            data={"indicator_id": target, "value": value, "version": str(before)},
        )
        assert response.status_code == 400, value
        page = response.get_data(as_text=True)
        assert message in page
        assert page.count('class="field-error"') == 1, value  # one message, not two
    other = str(indicator_id(demo, SAXION))  # a target of another activity
    response = client.post(
        f"/activiteiten/{activity_id}/voortgang",
        data={"indicator_id": other, "value": "3", "version": str(before)},
    )
    assert response.status_code == 400
    assert "heeft deze streefwaarde niet" in response.get_data(as_text=True)
    api = client.get(f"/api/v1/activities/{activity_id}").get_json()
    assert api["version"] == before and api["targets"][0]["reached"] == 7


@pytest.mark.parametrize(("typed", "stored"), [("2,5", 2.5), ("1.250,5", 1250.5), ("7.5", 7.5)])
def test_a_value_with_a_dutch_decimal_comma_is_read_as_meant(
    demo: Flask, typed: str, stored: float
) -> None:
    client = signed_in(demo, "lid.deskundigheid@example.org")
    activity_id = activity_id_for("twente-2021", COURSES)
    before = client.get(f"/api/v1/activities/{activity_id}").get_json()["version"]
    response = client.post(
        f"/activiteiten/{activity_id}/voortgang",
        data={"indicator_id": str(indicator_id(demo, COURSES)), "value": typed,
              "version": str(before)},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    api = client.get(f"/api/v1/activities/{activity_id}").get_json()
    assert api["targets"][0]["reached"] == stored


def test_the_api_records_progress_with_409_when_stale_and_precise_errors(demo: Flask) -> None:
    client = signed_in(demo, "coordinator@example.org")
    demo.config["WTF_CSRF_ENABLED"] = False
    activity_id = activity_id_for("twente-2021", SAXION)
    activity = client.get(f"/api/v1/activities/{activity_id}").get_json()
    (target,) = activity["targets"]
    assert (target["comparator"], target["value"], target["unit"]) == ("<=", 24, "verpleegkundigen")
    body = {"target_id": target["id"], "value": 22, "expected_version": activity["version"]}
    saved = client.post(f"/api/v1/activities/{activity_id}/progress", json=body)
    assert saved.status_code == 200 and saved.get_json()["version"] == activity["version"] + 1
    stale = client.post(f"/api/v1/activities/{activity_id}/progress", json=body)
    assert stale.status_code == 409
    assert stale.get_json()["current_version"] == activity["version"] + 1
    wrong = client.post(
        f"/api/v1/activities/{activity_id}/progress",
        json={"target_id": "x", "value": True, "expected_version": 2, "extra": 1},
    )
    assert wrong.status_code == 400
    assert wrong.get_json()["error"] == "invalid_request"
    message = wrong.get_json()["message"]
    assert "unknown field(s): extra" in message and "'value'" in message
    after = client.get(f"/api/v1/activities/{activity_id}").get_json()
    assert after["targets"][0]["reached"] == 22 and after["targets"][0]["met"] is True


def test_the_board_cannot_record_progress(demo: Flask) -> None:
    client = signed_in(demo, "bestuur@example.org")
    activity_id = activity_id_for("twente-2021", SAXION)
    response = client.post(
        f"/activiteiten/{activity_id}/voortgang",
        data={"indicator_id": str(indicator_id(demo, SAXION)), "value": "3", "version": "1"},
    )
    assert response.status_code == 403
