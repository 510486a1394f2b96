"""What needs attention now, on the plan overview and on "Mijn activiteiten": overdue badges,
the "over tijd" filter, overdue work first, closed work folded away, and what to update first."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from tests.support import World, build_world, load_plan, login
from tracker.clock import FixedClock
from tracker.domain.access import OPERATOR
from tracker.domain.commands import ChangeActivityStatus
from tracker.handlers.activities import change_activity_status
from tracker.ids import activity_id_for
from tracker.planfile import read_plan_yaml

# Added to the Coördinatie theme of the test plan, for Werkgroep beleid; with the theme's own
# "Algemeen bestuursoverleg" (4e kwartaal) and "Gesprek bestuurders" (Continu), on 10 May 2021:
EXTRA = {
    "Overleg eerste kwartaal": "1e kwartaal",  # overdue since 1 April
    "Scholing tweede kwartaal": "2e kwartaal",  # due this quarter
    "Afgerond overleg": "1e kwartaal",  # finished: folded away
}
MAY_10 = datetime(2021, 5, 10, 9, 30, tzinfo=UTC)
FOLDED = '<details class="folded"'


def moment(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T09:30:00+00:00")


def add_activities(app: Flask) -> None:
    plan = {
        "format": "jaarplan/1",
        "network": {"slug": "testnet", "name": "Netwerk Palliatieve Zorg Test"},
        "plan": {"slug": "testnet-2021", "year": 2021, "title": "Jaarplan 2021"},
        "workgroups": [{"name": "Werkgroep beleid"}],
        "themes": [
            {
                "name": "Coördinatie",
                "activities": [
                    {"title": title, "wanneer": wanneer, "workgroups": ["Werkgroep beleid"]}
                    for title, wanneer in EXTRA.items()
                ],
            }
        ],
    }
    db = app.extensions["tracker"].db
    load_plan(db, read_plan_yaml(yaml.safe_dump(plan, allow_unicode=True)), FixedClock(MAY_10))
    finished = activity_id_for("testnet-2021", "Afgerond overleg")
    for status in ("lopend", "afgerond"):
        command = ChangeActivityStatus(OPERATOR, finished, status, "Klaar.")
        change_activity_status(db.unit_of_work(), command, FixedClock(MAY_10))


@pytest.fixture
def world(app: Flask) -> World:
    built = build_world(app)
    add_activities(app)
    return built


def signed_in(app: Flask, world: World, role: str) -> FlaskClient:
    client = app.test_client()
    login(client, world.emails[role])
    return client


def titles(html: str) -> list[str]:
    """The activity titles of a page (table rows or cards), in page order."""
    return re.findall(r'class="(?:card-title|title-cell)"[^>]*>(?:<a [^>]*>)?([^<]+)<', html)


def coordinatie(html: str) -> list[str]:
    return [t for t in titles(html) if t not in ("Website is actueel",)]


@pytest.mark.parametrize(
    ("day", "overdue"), [("2021-05-30", False), ("2021-05-31", False), ("2021-06-01", True)]
)
def test_the_overdue_badge_shows_from_the_day_after_the_period_ends(
    app: Flask, world: World, clock: FixedClock, day: str, overdue: bool
) -> None:
    clock.current = moment(day)  # "Website is actueel": voorjaar 2021, until 31 May
    ended = "periode eindigde op 31 mei 2021"
    overview = signed_in(app, world, "coordinator").get("/plannen/testnet-2021")
    row = overview.get_data(as_text=True).split("Website is actueel")[1].split("</tr>")[0]
    assert ("Over tijd" in row and ended in row) is overdue
    assert ("Deze periode af" in row) is not overdue
    mine = signed_in(app, world, "other_member").get("/mijn-activiteiten").get_data(as_text=True)
    card = mine.split('class="plan"')[1].split("Website is actueel")[1].split("</li>")[0]
    assert ("Over tijd" in card and ended in card) is overdue


def test_the_overview_shows_overdue_work_first_and_folds_finished_work_away(
    app: Flask, world: World
) -> None:
    page = signed_in(app, world, "coordinator").get("/plannen/testnet-2021").get_data(as_text=True)
    open_part, folded = page.split(FOLDED, 1)
    assert coordinatie(open_part) == [
        "Overleg eerste kwartaal",  # overdue
        "Scholing tweede kwartaal",  # due this quarter
        "Gesprek bestuurders",  # active this quarter (continu)
        "Algemeen bestuursoverleg",  # later: 4e kwartaal
    ]
    assert "1 afgeronde of afgesloten activiteit</summary>" in folded
    assert titles(folded) == ["Afgerond overleg"]
    assert "6 activiteiten getoond" in page  # folded ones are on the page, one click away
    counts = page.split('class="counts-bar"')[1].split("</ul>")[0]
    assert re.search(r"Over tijd</a> <strong>1</strong>", counts)
    assert re.search(r"Afgerond</span> <strong>1</strong>", counts)


def test_a_filter_on_a_closed_status_shows_those_activities_unfolded(
    app: Flask, world: World
) -> None:
    client = signed_in(app, world, "coordinator")
    page = client.get("/plannen/testnet-2021?status=afgerond").get_data(as_text=True)
    assert FOLDED not in page and titles(page) == ["Afgerond overleg"]


def test_the_over_tijd_filter_shows_only_overdue_activities_on_both_databases(
    backend_app: Flask, clock: FixedClock
) -> None:
    world = build_world(backend_app)
    add_activities(backend_app)
    client = signed_in(backend_app, world, "coordinator")
    page = client.get("/plannen/testnet-2021?over_tijd=1").get_data(as_text=True)
    assert titles(page) == ["Overleg eerste kwartaal"]
    assert "1 activiteit getoond" in page
    assert '<input checked id="over_tijd" name="over_tijd" type="checkbox" value="1">' in page
    clock.current = moment("2021-06-01")  # the voorjaar's website work is now overdue too
    client = signed_in(backend_app, world, "coordinator")  # three weeks on: a new session
    page = client.get("/plannen/testnet-2021?over_tijd=1").get_data(as_text=True)
    assert titles(page) == ["Overleg eerste kwartaal", "Website is actueel"]
    counts = page.split('class="counts-bar"')[1].split("</ul>")[0]
    assert re.search(r"Over tijd</a> <strong>2</strong>", counts)
    everything = client.get("/plannen/testnet-2021?over_tijd=0").get_data(as_text=True)
    assert "6 activiteiten getoond" in everything


def test_mijn_activiteiten_lists_what_to_update_first_and_an_update_takes_it_off(
    app: Flask, world: World
) -> None:
    client = signed_in(app, world, "owner_member")
    page = client.get("/mijn-activiteiten").get_data(as_text=True)
    assert "De activiteiten van jouw werkgroepen op 10 mei 2021 (kwartaal 2)." in page
    first = page.split('id="eerst-bijwerken"')[1].split("</section>")[0]
    assert re.findall(r'<a href="/activiteiten/[^"]+">([^<]+)</a>', first) == [
        "Overleg eerste kwartaal",
        "Scholing tweede kwartaal",
        "Gesprek bestuurders",  # active this quarter, not updated since 1 April
    ]
    assert "dit kwartaal nog niet bijgewerkt" in first
    plan = page.split('id="eerst-bijwerken"')[1].split("</section>", 1)[1]
    open_part, folded = plan.split(FOLDED, 1)
    assert titles(open_part) == [
        "Overleg eerste kwartaal",
        "Scholing tweede kwartaal",
        "Gesprek bestuurders",
        "Algemeen bestuursoverleg",
    ]
    assert titles(folded) == ["Afgerond overleg"]

    talks = activity_id_for("testnet-2021", "Gesprek bestuurders")
    client.post(f"/activiteiten/{talks}/status", data={"status": "lopend", "version": "1"})
    first = client.get("/mijn-activiteiten").get_data(as_text=True).split("</section>")[0]
    assert "Gesprek bestuurders" not in first and "Overleg eerste kwartaal" in first


def test_an_update_dated_in_an_earlier_quarter_does_not_count_for_this_one(
    app: Flask, world: World
) -> None:
    client = signed_in(app, world, "owner_member")
    talks = activity_id_for("testnet-2021", "Gesprek bestuurders")
    data = {"status": "lopend", "version": "1", "happened_on": "2021-03-20"}
    assert client.post(f"/activiteiten/{talks}/status", data=data).status_code == 302
    first = client.get("/mijn-activiteiten").get_data(as_text=True).split("</section>")[0]
    assert "Gesprek bestuurders" in first


def test_a_plan_of_an_earlier_year_is_marked_overdue_and_the_text_says_today(
    app: Flask, world: World, clock: FixedClock
) -> None:
    clock.current = moment("2026-12-01")
    page = signed_in(app, world, "owner_member").get("/mijn-activiteiten").get_data(as_text=True)
    assert "op 1 december 2026 (kwartaal 4)" in page
    first = page.split('id="eerst-bijwerken"')[1].split("</section>")[0]
    assert first.count("Over tijd") == 4  # every open activity of 2021 (continu included)
    assert "Deze periode af" not in page and "Loopt dit kwartaal" not in page


def test_nothing_to_update_first_is_said_in_words(app: Flask, world: World) -> None:
    client = signed_in(app, world, "other_member")
    website = activity_id_for("testnet-2021", "Website is actueel")  # due this quarter
    talks = activity_id_for("testnet-2021", "Gesprek bestuurders")  # active this quarter
    for activity, status, version in (
        (website, "lopend", 1),
        (website, "afgerond", 2),
        (talks, "lopend", 1),
    ):
        data = {"status": status, "version": str(version)}
        assert client.post(f"/activiteiten/{activity}/status", data=data).status_code == 302
    page = client.get("/mijn-activiteiten").get_data(as_text=True)
    first = page.split('id="eerst-bijwerken"')[1].split("</section>")[0]
    assert "Niets om eerst bij te werken" in first and "<ol>" not in first


def test_mijn_activiteiten_filters_on_over_tijd(app: Flask, world: World) -> None:
    client = signed_in(app, world, "owner_member")  # Werkgroep beleid, on 10 May 2021
    page = client.get("/mijn-activiteiten").get_data(as_text=True)
    assert 'href="/mijn-activiteiten?over_tijd=1"' in page
    only = client.get("/mijn-activiteiten?over_tijd=1").get_data(as_text=True)
    assert "Alleen de activiteiten die over tijd zijn worden getoond (1)." in only
    plans = only.split('class="plan"', 1)[1]
    assert titles(plans) == ["Overleg eerste kwartaal"]
    assert "Scholing tweede kwartaal" in page and "Scholing tweede kwartaal" not in only
