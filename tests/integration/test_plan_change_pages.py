"""Coordinators change the plan through the pages: edit an activity, withdraw and reopen it,
add one, rename a theme, make a year plan. Members and the board see no controls and get
403; another network's coordinator gets 404; bad input is answered in Dutch at the field and
writes nothing; a stale form gets 409; the history shows each change. SQLite and PostgreSQL.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from tests.support import World, build_world, login


@pytest.fixture
def app_(backend_app: Flask) -> Flask:
    backend_app.config["LOGIN_ATTEMPTS_PER_MINUTE"] = 1000
    return backend_app


@pytest.fixture
def world(app_: Flask) -> World:
    return build_world(app_)


def count(app: Flask, table: str = "events") -> int:
    with app.extensions["tracker"].db.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def signed_in(app: Flask, world: World, role: str) -> FlaskClient:
    client = app.test_client()
    login(client, world.emails[role])
    return client


def page(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def workgroup_id(app: Flask, world: World, name: str) -> int:
    query = "SELECT id FROM workgroup WHERE network_id = :n AND name = :name"
    with app.extensions["tracker"].db.engine.connect() as connection:
        found = connection.execute(text(query), {"n": world.network_id, "name": name})
        return int(found.scalar_one())


def edit_form(app: Flask, world: World, **changes: Any) -> dict[str, Any]:
    """The edit form of "Algemeen bestuursoverleg" as the page offers it, with `changes`."""
    data = {
        "title": "Algemeen bestuursoverleg",
        "theme": "Coördinatie",
        "new_theme": "",
        "objectives": "Akkoord op jaarplan 2022.",
        "actions": "Algemeen Bestuur informeren.",
        "wie": "Werkgroep beleid.",
        "wanneer": "4e kwartaal",
        "workgroups": [workgroup_id(app, world, "Werkgroep beleid")],
        "position": "0",
        "reason": "",
        "version": "1",
    }
    return {**data, **changes}


def history_of(client: FlaskClient, activity_id: str) -> str:
    return page(client.get(f"/activiteiten/{activity_id}")).split('id="geschiedenis"')[1]


def test_only_coordinators_see_the_controls_and_may_post(app_: Flask, world: World) -> None:
    edit = f"/activiteiten/{world.activity_id}/wijzigen"
    for role, sees in (("owner_member", False), ("board", False), ("coordinator", True)):
        detail = page(signed_in(app_, world, role).get(f"/activiteiten/{world.activity_id}"))
        assert (edit in detail) is sees, role
        assert ("/laten-vervallen" in detail) is sees, role
    overview = page(signed_in(app_, world, "board").get(f"/plannen/{world.plan_slug}"))
    assert "/activiteit-toevoegen" not in overview and "/thema-hernoemen" not in overview
    overview = page(signed_in(app_, world, "coordinator").get(f"/plannen/{world.plan_slug}"))
    assert "Activiteit toevoegen" in overview and "Thema hernoemen" in overview

    before = count(app_)
    data = edit_form(app_, world, wanneer="1e kwartaal")
    for role, status in (("owner_member", 403), ("board", 403), ("other_coordinator", 404)):
        client = signed_in(app_, world, role)
        assert client.post(edit, data=data).status_code == status, role
        withdraw = {"reason": "Dubbel", "version": "1"}
        answer = client.post(f"/activiteiten/{world.activity_id}/laten-vervallen", data=withdraw)
        assert answer.status_code == status, role
        answer = client.post(
            f"/plannen/{world.plan_slug}/activiteit-toevoegen",
            data={"title": "Nieuw", "theme": "Coördinatie"},
        )
        assert answer.status_code == status, role
    assert count(app_) == before
    coordinator = signed_in(app_, world, "coordinator")
    assert coordinator.post(edit, data=data).status_code == 302
    assert count(app_) == before + 1


def test_a_coordinator_moves_and_reassigns_an_activity_and_the_history_says_so(
    app_: Flask, world: World
) -> None:
    client = signed_in(app_, world, "coordinator")
    form = page(client.get(f"/activiteiten/{world.activity_id}/wijzigen"))
    assert 'value="4e kwartaal"' in form and "Verantwoordelijke werkgroepen" in form
    pr = workgroup_id(app_, world, "Werkgroep PR & Communicatie")
    data = edit_form(
        app_, world, wanneer="2e kwartaal", workgroups=[pr], reason="Werkgroep beleid is vol"
    )
    response = client.post(f"/activiteiten/{world.activity_id}/wijzigen", data=data)
    assert response.status_code == 302
    shown = page(client.get(response.headers["Location"]))
    assert "De wijzigingen zijn opgeslagen." in shown
    assert "niet als periode te lezen" not in shown
    history = history_of(client, world.activity_id)
    assert "Plan gewijzigd" in history
    assert "Wanneer gewijzigd van '4e kwartaal' naar '2e kwartaal'" in history
    assert (
        "Verantwoordelijke werkgroepen gewijzigd van 'Werkgroep beleid' "
        "naar 'Werkgroep PR & Communicatie'" in history
    )
    assert "Werkgroep beleid is vol" in history
    assert "Titel gewijzigd" not in history  # only what changed


def test_long_texts_are_shortened_in_the_history(app_: Flask, world: World) -> None:
    client = signed_in(app_, world, "coordinator")
    long_text = "Nieuwe doelstelling " + "met heel veel woorden " * 20
    data = edit_form(app_, world, objectives=long_text)
    assert client.post(f"/activiteiten/{world.activity_id}/wijzigen", data=data).status_code == 302
    history = history_of(client, world.activity_id)
    line = re.search(r"Doelstellingen gewijzigd van '[^']*' naar '([^']*)'", history)
    assert line is not None and line.group(1).endswith("…") and len(line.group(1)) <= 80


def test_an_unreadable_wanneer_is_saved_and_flagged(app_: Flask, world: World) -> None:
    client = signed_in(app_, world, "coordinator")
    data = edit_form(app_, world, wanneer="als het bestuur het wil")
    response = client.post(
        f"/activiteiten/{world.activity_id}/wijzigen", data=data, follow_redirects=True
    )
    shown = page(response)
    assert "De nieuwe 'Wanneer' (als het bestuur het wil) is niet als periode te lezen" in shown
    assert "Wanneer gewijzigd van '4e kwartaal' naar 'als het bestuur het wil'" in shown


@pytest.mark.parametrize(
    ("changes", "message", "field"),
    [
        ({"title": "  "}, "Geef een titel.", "title"),
        ({"theme": "", "new_theme": ""}, "Geef een thema.", "new_theme"),
        ({"position": "-1"}, "De volgorde moet 0 of hoger zijn.", "position"),
        ({"position": "een"}, "Ongeldig getal.", "position"),
        ({"workgroups": [999_999]}, "Kies werkgroepen van dit netwerk.", "workgroups"),
        ({"wanneer": "x" * 501}, "Deze tekst is te lang.", "wanneer"),
        ({}, "Er is niets gewijzigd", None),
        ({"version": "abc"}, "controleer de velden", None),
    ],
)
def test_bad_edits_are_answered_in_dutch_at_the_field_and_write_nothing(
    app_: Flask, world: World, changes: dict[str, Any], message: str, field: str | None
) -> None:
    client = signed_in(app_, world, "coordinator")
    before = count(app_), count(app_, "activity"), count(app_, "theme")
    data = edit_form(app_, world, **changes)
    response = client.post(f"/activiteiten/{world.activity_id}/wijzigen", data=data)
    assert response.status_code == 400
    shown = page(response)
    assert message in shown
    if field is not None:
        assert re.search(rf'id="{field}-error">[^<]*{re.escape(message)}', shown), shown[-3000:]
    assert (count(app_), count(app_, "activity"), count(app_, "theme")) == before


def test_an_edit_of_another_networks_workgroup_is_refused(app_: Flask, world: World) -> None:
    with app_.extensions["tracker"].db.engine.connect() as connection:
        other = connection.execute(
            text("SELECT id FROM workgroup WHERE network_id <> :n"), {"n": world.network_id}
        ).first()
    assert other is not None
    client = signed_in(app_, world, "coordinator")
    before = count(app_)
    data = edit_form(app_, world, workgroups=[other[0]])
    response = client.post(f"/activiteiten/{world.activity_id}/wijzigen", data=data)
    assert response.status_code == 400 and "Kies werkgroepen van dit netwerk." in page(response)
    assert count(app_) == before


def test_a_stale_edit_gets_409_and_overwrites_nothing(app_: Flask, world: World) -> None:
    member = signed_in(app_, world, "owner_member")
    answer = member.post(
        f"/activiteiten/{world.activity_id}/status",
        data={"status": "lopend", "note": "gestart", "version": "1"},
    )
    assert answer.status_code == 302
    client = signed_in(app_, world, "coordinator")
    before = count(app_)
    data = edit_form(app_, world, wanneer="1e kwartaal", version="1")
    response = client.post(f"/activiteiten/{world.activity_id}/wijzigen", data=data)
    assert response.status_code == 409
    shown = page(response)
    assert "Iemand anders heeft deze activiteit" in shown
    assert 'name="version" type="hidden" value="2"' in shown
    assert count(app_) == before
    stale = client.post(
        f"/activiteiten/{world.activity_id}/laten-vervallen",
        data={"reason": "Dubbel", "version": "1"},
    )
    assert stale.status_code == 409 and "Iemand anders heeft deze activiteit" in page(stale)
    assert count(app_) == before


def test_withdraw_and_reopen_with_a_reason_and_the_status_form_follows(
    app_: Flask, world: World
) -> None:
    client = signed_in(app_, world, "coordinator")
    url = f"/activiteiten/{world.activity_id}"
    before = count(app_)
    refused = client.post(url + "/laten-vervallen", data={"reason": " ", "version": "1"})
    assert refused.status_code == 400
    assert re.search(r'id="reason-error">Geef de reden waarom de activiteit vervalt', page(refused))
    assert count(app_) == before

    done = client.post(
        url + "/laten-vervallen", data={"reason": "Dubbel met scholing", "version": "1"}
    )
    assert done.status_code == 302
    detail = page(client.get(url))
    assert 'class="badge status-vervallen">Vervallen<' in detail
    assert "/status" not in detail.split('id="geschiedenis"')[0]  # no status form
    assert "Deze activiteit is afgesloten (Vervallen)" in detail
    assert "/heropenen" in detail and "/laten-vervallen" not in detail
    history = detail.split('id="geschiedenis"')[1]
    assert re.search(r"status-gepland.*→.*status-vervallen", history, re.S)
    assert "Dubbel met scholing" in history
    member = signed_in(app_, world, "owner_member")
    assert "Een coördinator kan haar heropenen." in page(member.get(url))
    refused = member.post(url + "/status", data={"status": "lopend", "note": "", "version": "2"})
    assert refused.status_code == 400 and count(app_) == before + 1

    no_reason = client.post(
        url + "/heropenen", data={"status": "lopend", "reason": "", "version": "2"}
    )
    assert no_reason.status_code == 400 and "Geef de reden waarom" in page(no_reason)
    closed = client.post(
        url + "/heropenen", data={"status": "afgerond", "reason": "x", "version": "2"}
    )
    assert closed.status_code == 400 and count(app_) == before + 1
    reopened = client.post(
        url + "/heropenen", data={"status": "vertraagd", "reason": "Toch nodig", "version": "2"}
    )
    assert reopened.status_code == 302
    detail = page(client.get(url))
    history = detail.split('id="geschiedenis"')[1]
    assert "Heropend" in history and "Toch nodig" in history
    assert re.search(r"status-vervallen.*→.*status-vertraagd", history, re.S)
    assert f'action="{url}/status"' in detail


def test_the_status_form_offers_only_the_allowed_transitions(app_: Flask, world: World) -> None:
    client = signed_in(app_, world, "owner_member")
    shown = page(client.get(f"/activiteiten/{world.activity_id}"))
    select = shown.split('<select id="status"')[1].split("</select>")[0]
    offered = re.findall(r'<option[^>]*value="([a-z]+)"', select)
    assert offered == ["gepland", "lopend", "vertraagd", "gestopt"]
    refused = client.post(
        f"/activiteiten/{world.activity_id}/status",
        data={"status": "afgerond", "note": "", "version": "1"},
    )
    assert refused.status_code == 400 and "Zet de activiteit eerst op" in page(refused)


def test_a_coordinator_adds_an_activity_under_a_new_theme(app_: Flask, world: World) -> None:
    client = signed_in(app_, world, "coordinator")
    url = f"/plannen/{world.plan_slug}/activiteit-toevoegen"
    before = count(app_)
    taken = client.post(url, data={"title": "Website is actueel", "theme": "Informeren"})
    assert taken.status_code == 400
    assert re.search(
        r'id="title-error">Dit plan heeft al een activiteit met deze titel', page(taken)
    )
    assert count(app_) == before
    pr = workgroup_id(app_, world, "Werkgroep PR & Communicatie")
    data = {
        "title": "Symposium",
        "theme": "",
        "new_theme": "Scholing",
        "wanneer": "najaar",
        "workgroups": [pr],
    }
    response = client.post(url, data=data)
    assert response.status_code == 302
    assert count(app_) == before + 1
    overview = page(client.get(f"/plannen/{world.plan_slug}"))
    assert "Scholing" in overview and "Symposium" in overview


def test_a_coordinator_renames_a_theme(app_: Flask, world: World) -> None:
    client = signed_in(app_, world, "coordinator")
    url = f"/plannen/{world.plan_slug}/thema-hernoemen"
    before = count(app_)
    clash = client.post(url, data={"theme": "Informeren", "new_name": "Coördinatie"})
    assert clash.status_code == 400
    assert re.search(r'id="new_name-error">Dit plan heeft al een thema met deze naam', page(clash))
    assert count(app_) == before
    done = client.post(url, data={"theme": "Informeren", "new_name": "Communicatie"})
    assert done.status_code == 302 and count(app_) == before + 1
    assert "Communicatie" in page(client.get(f"/plannen/{world.plan_slug}"))
    history = history_of(client, world.pr_activity_id)
    assert "Thema gewijzigd van 'Informeren' naar 'Communicatie'" in history


def test_a_coordinator_makes_a_year_plan_empty_or_as_a_copy(app_: Flask, world: World) -> None:
    client = signed_in(app_, world, "coordinator")
    index = page(client.get("/plannen/"))
    assert "Nieuw jaarplan" in index
    assert "Nieuw jaarplan" not in page(signed_in(app_, world, "board").get("/plannen/"))
    data = {"network_id": str(world.network_id), "title": "Jaarplan", "copy_from": ""}
    plans = count(app_, "plan")
    exists = client.post("/plannen/nieuw-jaarplan", data={**data, "year": "2021"})
    assert exists.status_code == 400
    assert re.search(
        r'id="year-error">Dit netwerk heeft al een jaarplan voor dat jaar', page(exists)
    )
    bad_year = client.post("/plannen/nieuw-jaarplan", data={**data, "year": "1999"})
    assert bad_year.status_code == 400 and "Geef een jaar van 2000 tot en met 2100." in page(
        bad_year
    )
    assert count(app_, "plan") == plans

    empty = client.post(
        "/plannen/nieuw-jaarplan",
        data={**data, "year": "2022", "title": "Jaarplan 2022", "themes": "Scholing\nZorg\n"},
    )
    assert empty.status_code == 302
    overview = page(client.get(empty.headers["Location"]))
    assert "Jaarplan 2022" in overview and "0 activiteiten getoond" in overview
    events = count(app_)
    with app_.extensions["tracker"].db.engine.connect() as connection:
        source = connection.execute(
            text("SELECT id FROM plan WHERE slug = :s"), {"s": world.plan_slug}
        ).scalar_one()
    copy = client.post(
        "/plannen/nieuw-jaarplan",
        data={**data, "year": "2023", "title": "Jaarplan 2023", "copy_from": str(source)},
    )
    assert copy.status_code == 302
    overview = page(client.get(copy.headers["Location"]))
    assert "Algemeen bestuursoverleg" in overview and "3 activiteiten getoond" in overview
    assert count(app_) == events + 3


def test_withdrawn_is_a_status_of_the_overview_filter(app_: Flask, world: World) -> None:
    client = signed_in(app_, world, "coordinator")
    client.post(
        f"/activiteiten/{world.activity_id}/laten-vervallen",
        data={"reason": "Dubbel", "version": "1"},
    )
    overview = page(client.get(f"/plannen/{world.plan_slug}?status=vervallen"))
    assert '<option selected value="vervallen">Vervallen</option>' in overview
    assert "1 activiteit getoond" in overview and "Algemeen bestuursoverleg" in overview
