"""The coordinator's start page: what needs attention in the network's plan now.

The app's clock stands on 5 July 2021 (the 3rd quarter). In testnet's plan "Website is
actueel" (Voorjaar 2021) is overdue, "Algemeen bestuursoverleg" (amended to the 3rd
quarter) is due; Werkgroep beleid gave an update this quarter, PR & Communicatie only one
dated back into the 2nd quarter.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from tests.support import World, build_world, login, person
from tracker.clock import FixedClock
from tracker.domain.commands import AmendActivity, ChangeActivityStatus
from tracker.handlers.activities import change_activity_status
from tracker.handlers.plan_changes import amend_activity
from tracker.ids import activity_id_for
from tracker.models import Network
from tracker.reminder_models import OutboxMessage

BESTUURSOVERLEG = activity_id_for("testnet-2021", "Algemeen bestuursoverleg")
WEBSITE = activity_id_for("testnet-2021", "Website is actueel")
ELSEWHERE = activity_id_for("andernet-2021", "Website is actueel")
NOW = datetime(2021, 7, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(backend_app: Flask, clock: FixedClock) -> World:
    clock.current = datetime(2021, 5, 3, 9, 0, tzinfo=UTC)
    world = build_world(backend_app)
    clock.current = NOW
    db = backend_app.extensions["tracker"].db

    def act(role: str, command: type, *args: object, **kwargs: object) -> None:
        handle = amend_activity if command is AmendActivity else change_activity_status
        handle(db.unit_of_work(), command(person(db, world.user_ids[role]), *args, **kwargs), clock)

    act("coordinator", AmendActivity, BESTUURSOVERLEG, wanneer="3e kwartaal")
    act("owner_member", ChangeActivityStatus, BESTUURSOVERLEG, "lopend", "Agenda staat")
    act(
        "other_member",
        ChangeActivityStatus,
        WEBSITE,
        "lopend",
        "Bijna klaar",
        None,
        date(2021, 6, 28),
    )
    act("other_coordinator", ChangeActivityStatus, ELSEWHERE, "lopend", "Alleen in andernet")
    _outbox(backend_app, "testnet", ["sent", "sent", "failed", "uncertain", "pending"])
    _outbox(backend_app, "testnet", ["failed"], period="2021Q2")
    _outbox(backend_app, "andernet", ["failed"])
    return world


def _outbox(app: Flask, network: str, statuses: list[str], period: str = "2021Q3") -> None:
    """Reminder mails of the network in the outbox, one per status given."""
    with app.extensions["tracker"].db.session() as session:
        network_id = session.exec(select(Network.id).where(Network.slug == network)).one()
        for number, status in enumerate(statuses):
            session.add(
                OutboxMessage(
                    recipient_key=f"workgroup:{network_id}:{number}",
                    kind="quarterly",
                    period=period,
                    recipient_kind="workgroup",
                    network_id=network_id,
                    subject="Herinnering",
                    body_text="tekst",
                    body_html="<p>tekst</p>",
                    status=status,
                    next_attempt_at=NOW,
                    created_at=NOW,
                )
            )
        session.commit()


def signed_in(app: Flask, world: World, role: str) -> FlaskClient:
    client = app.test_client()
    login(client, world.emails[role])
    return client


def section(page: str, name: str) -> str:
    """The text of the page's <section id=name>, tags left out."""
    found = re.search(rf'<section id="{name}".*?</section>', page, re.S)
    assert found, f"no section {name}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(0)).split())


def test_the_start_page_lists_what_needs_attention_this_quarter(
    backend_app: Flask, world: World
) -> None:
    client = signed_in(backend_app, world, "coordinator")
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"] == "/start"
    page = client.get("/start").get_data(as_text=True)
    assert "Netwerk Palliatieve Zorg Test" in page and "Jaarplan 2021 · 3e kwartaal 2021" in page

    overdue = section(page, "over-tijd")
    assert "Over tijd 1" in overdue and "Website is actueel" in overdue
    assert "Algemeen bestuursoverleg" not in overdue
    due = section(page, "deze-kwartaal")
    assert "Deadline dit kwartaal 1" in due and "Algemeen bestuursoverleg" in due
    assert "Website" not in due and "Gesprek bestuurders" not in due  # Continu: no deadline

    silent = section(page, "stil")
    assert "Werkgroep PR &amp; Communicatie" in silent and "Werkgroep beleid" not in silent

    reminders = section(page, "herinneringen")
    assert "Afgeleverd 2 Mislukt 1 Onzeker 1" in reminders

    changes = section(page, "wijzigingen")
    assert changes.index("Website is actueel") < changes.index("Agenda staat")
    assert changes.index("Agenda staat") < changes.index("Plan gewijzigd")
    assert "Persoon other_member" in changes and "Bijna klaar" in changes
    assert "Alleen in andernet" not in page and "Persoon other_coordinator" not in page

    link = re.search(r'id="report-link" href="([^"]+)"', page)
    assert (
        link and link.group(1) == "/plannen/testnet-2021/rapportage?period=2021Q3&amp;format=html"
    )
    report = client.get(link.group(1).replace("&amp;", "&"))
    assert report.status_code == 200 and "3e kwartaal 2021" in report.get_data(as_text=True)


def test_members_land_on_their_activities_and_the_board_on_its_page(
    backend_app: Flask, world: World
) -> None:
    for role, start in (
        ("owner_member", "/mijn-activiteiten"),
        ("board", "/plannen/testnet-2021/bestuur"),
    ):
        client = signed_in(backend_app, world, role)
        assert client.get("/").headers["Location"] == start
        assert client.get(start).status_code == 200
        assert client.get("/start").status_code == 403
        assert client.get(f"/start/{world.network_slug}").status_code == 403
        assert ">Start<" not in client.get("/mijn-activiteiten").get_data(as_text=True)


def test_outsiders_see_nothing_of_another_network(backend_app: Flask, world: World) -> None:
    other = signed_in(backend_app, world, "other_coordinator")
    assert other.get(f"/start/{world.network_slug}").status_code == 404
    assert other.get("/start/bestaat-niet").status_code == 404
    page = other.get("/start").get_data(as_text=True)
    assert "Ander Netwerk" in page and "Netwerk Palliatieve Zorg Test" not in page
    assert "Agenda staat" not in page and "Alleen in andernet" in page
    assert "Afgeleverd 0 Mislukt 1 Onzeker 0" in section(page, "herinneringen")
    assert 'class="subnav"' not in page  # one network: no chooser


def test_an_admin_chooses_the_network(backend_app: Flask, world: World) -> None:
    admin = signed_in(backend_app, world, "admin")
    assert admin.get("/").headers["Location"] == "/start"
    page = admin.get("/start").get_data(as_text=True)
    assert 'href="/start/andernet"' in page and 'href="/start/testnet"' in page
    assert "Alleen in andernet" in page  # "Ander Netwerk" comes first by name
    testnet = admin.get("/start/testnet").get_data(as_text=True)
    assert "Agenda staat" in testnet and "Alleen in andernet" not in testnet


def test_after_the_plans_year_the_page_shows_the_newest_plan_and_its_last_quarter(
    backend_app: Flask, world: World, clock: FixedClock
) -> None:
    clock.current = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    page = signed_in(backend_app, world, "coordinator").get("/start").get_data(as_text=True)
    assert "Jaarplan 2021 · 4e kwartaal 2026" in page
    assert "rapportage?period=2021Q4&amp;format=html" in page
    overdue = section(page, "over-tijd")
    assert "Over tijd 3" in overdue  # "Continu" runs to the end of the plan's year
    assert "Deadline dit kwartaal 0" in section(page, "deze-kwartaal")
    silent = section(page, "stil")
    assert "Werkgroep beleid" in silent and "Werkgroep PR &amp; Communicatie" in silent
