"""Calendar feeds: a workgroup's and a person's secret iCal address, read by a real
iCalendar parser (the `icalendar` package), renewed, and made only by those who may.

The world's clock says 10 May 2021 (tests/conftest.py). In the mini plan, "Algemeen
bestuursoverleg" (Werkgroep beleid) is due on 31 December 2021, "Gesprek bestuurders"
(beleid and PR, "Continu") on 31 December 2021, "Website is actueel" (PR) in spring.
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlmodel import select

from reminders.handlers import _store_feed as store_feed
from reminders.service import reminders_of
from tests.support import World, build_world, login, person
from tracker import accounts
from tracker.domain.commands import AmendActivity, ChangeActivityStatus, WithdrawActivity
from tracker.domain.timing import TimingKind
from tracker.handlers.activities import change_activity_status
from tracker.handlers.plan_changes import amend_activity, withdraw_activity
from tracker.ids import activity_id_for
from tracker.models import Network, Workgroup
from tracker.reminder_models import CalendarFeed

ADDRESS = re.compile(r'<textarea id="feed-address"[^>]*>([^<]+)</textarea>')
APP_URL = "http://127.0.0.1:5000"
# The quarterly and due-soon reminder days from May 2021 on, as the default schedule sends
# them: the first working day of a quarter, and 14 days before its last day.
REMINDER_DAYS = {
    ("Herinnering: kwartaalupdate van het jaarplan (2e kwartaal 2021)", date(2021, 4, 1)),
    ("Herinnering: deadlines van het jaarplan naderen (2e kwartaal 2021)", date(2021, 6, 16)),
    ("Herinnering: kwartaalupdate van het jaarplan (3e kwartaal 2021)", date(2021, 7, 1)),
    ("Herinnering: deadlines van het jaarplan naderen (3e kwartaal 2021)", date(2021, 9, 16)),
    ("Herinnering: kwartaalupdate van het jaarplan (4e kwartaal 2021)", date(2021, 10, 1)),
    ("Herinnering: deadlines van het jaarplan naderen (4e kwartaal 2021)", date(2021, 12, 17)),
    ("Herinnering: kwartaalupdate van het jaarplan (1e kwartaal 2022)", date(2022, 1, 3)),
    ("Herinnering: deadlines van het jaarplan naderen (1e kwartaal 2022)", date(2022, 3, 17)),
}
BESTUURSOVERLEG = activity_id_for("testnet-2021", "Algemeen bestuursoverleg")
GESPREK = activity_id_for("testnet-2021", "Gesprek bestuurders")
WEBSITE = activity_id_for("testnet-2021", "Website is actueel")


@pytest.fixture
def world(backend_app: Flask) -> World:
    return build_world(backend_app)


def signed_in(app: Flask, world: World, role: str) -> FlaskClient:
    client = app.test_client()
    if role != "anonymous":
        login(client, world.emails[role])
    return client


def workgroup_id(app: Flask, network_id: int, name: str = "Werkgroep beleid") -> int:
    with app.extensions["tracker"].db.session() as session:
        found = session.exec(
            select(Workgroup.id).where(Workgroup.network_id == network_id, Workgroup.name == name)
        ).one()
    assert found is not None
    return found


def make_feed(client: FlaskClient, workgroup: int | None = None) -> str:
    """Make (or renew) a feed through the settings page's button; its new address."""
    path = "/profiel/agenda" if workgroup is None else f"/profiel/agenda/werkgroepen/{workgroup}"
    response = client.post(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Cache-Control"] == "no-store"
    found = ADDRESS.search(response.get_data(as_text=True))
    assert found is not None
    return found.group(1)


def fetch(app: Flask, address: str) -> Calendar:
    """The feed as a calendar program gets it (no session), parsed by `icalendar`."""
    assert address.startswith(APP_URL + "/agenda/")
    response = app.test_client().get(address.removeprefix(APP_URL))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.get_data())


def events(calendar: Calendar) -> dict[str, Any]:
    """The events by UID."""
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def deadlines(calendar: Calendar) -> dict[str, tuple[str, date]]:
    """The deadline events: activity id (from the UID) → (summary, day)."""
    return {
        uid.removeprefix("deadline-").split("@")[0]: (str(e["SUMMARY"]), e.decoded("DTSTART"))
        for uid, e in events(calendar).items()
        if uid.startswith("deadline-")
    }


def main_text(page: str) -> str:
    """A page's own words (the header repeats the address asked for)."""
    return page.split("<main", 1)[-1].split("</main>", 1)[0]


def reminders(calendar: Calendar) -> set[tuple[str, date]]:
    return {
        (str(e["SUMMARY"]), e.decoded("DTSTART"))
        for uid, e in events(calendar).items()
        if uid.startswith("reminder-")
    }


def test_a_workgroup_feed_holds_its_open_deadlines_and_the_reminder_days(
    backend_app: Flask, world: World
) -> None:
    app = backend_app
    address = make_feed(signed_in(app, world, "owner_member"), workgroup_id(app, world.network_id))
    calendar = fetch(app, address)
    assert str(calendar["X-WR-CALNAME"]) == "Jaarplan: Werkgroep beleid"
    assert str(calendar["VERSION"]) == "2.0" and calendar.get("PRODID")
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT6H"  # Outlook's refresh interval
    assert calendar.decoded("REFRESH-INTERVAL") == timedelta(hours=6)
    # Of its own network only: andernet's "Werkgroep beleid" has the same titles.
    assert deadlines(calendar) == {
        BESTUURSOVERLEG: ("Deadline: Algemeen bestuursoverleg", date(2021, 12, 31)),
        GESPREK: ("Deadline: Gesprek bestuurders", date(2021, 12, 31)),
    }
    assert reminders(calendar) == REMINDER_DAYS
    event = events(calendar)[f"deadline-{BESTUURSOVERLEG}@127.0.0.1"]
    assert event.decoded("DTEND") == date(2022, 1, 1)  # all day, one day
    assert not hasattr(event.decoded("DTSTART"), "hour")  # a day, not a moment
    description = str(event["DESCRIPTION"])
    assert "Jaarplan 2021 (Netwerk Palliatieve Zorg Test)" in description
    assert "Verantwoordelijk: Werkgroep beleid" in description
    assert f"{APP_URL}/activiteiten/{BESTUURSOVERLEG}" in description
    assert str(event["URL"]) == f"{APP_URL}/activiteiten/{BESTUURSOVERLEG}"
    assert "@" not in description  # no e-mail address (the workgroup's is in the plan)

    again = fetch(app, address)
    assert again.to_ical() == calendar.to_ical()  # same clock: the very same feed
    assert set(events(again)) == set(events(calendar))


def test_finished_withdrawn_and_undated_work_is_left_out(backend_app: Flask, world: World) -> None:
    app = backend_app
    services = app.extensions["tracker"]
    coordinator = person(services.db, world.user_ids["coordinator"])
    address = make_feed(
        signed_in(app, world, "other_member"),
        workgroup_id(app, world.network_id, "Werkgroep PR & Communicatie"),
    )
    before = fetch(app, address)
    assert set(deadlines(before)) == {GESPREK, WEBSITE}
    uids = set(events(before))

    for status in ("lopend", "afgerond"):
        command = ChangeActivityStatus(coordinator, WEBSITE, status)
        change_activity_status(services.db.unit_of_work(), command, services.clock)
    withdraw = WithdrawActivity(coordinator, GESPREK, "Dubbel")
    withdraw_activity(services.db.unit_of_work(), withdraw, services.clock)
    after = fetch(app, address)
    assert deadlines(after) == {}
    assert set(events(after)) == uids - {
        f"deadline-{WEBSITE}@127.0.0.1",
        f"deadline-{GESPREK}@127.0.0.1",
    }

    unreadable = AmendActivity(coordinator, BESTUURSOVERLEG, wanneer="als het kan")
    amended = amend_activity(services.db.unit_of_work(), unreadable, services.clock)
    assert amended.timing_kind == TimingKind.UNPARSED  # no due day: left out, not guessed
    beleid = make_feed(signed_in(app, world, "owner_member"), workgroup_id(app, world.network_id))
    assert set(deadlines(fetch(app, beleid))) == set()  # Gesprek withdrawn, the other undated


def test_a_person_feed_holds_the_work_of_each_of_their_workgroups_once(
    backend_app: Flask, world: World
) -> None:
    app = backend_app
    services = app.extensions["tracker"]
    pr = workgroup_id(app, world.network_id, "Werkgroep PR & Communicatie")
    with services.db.session() as session:
        accounts.add_to_workgroup(session, world.user_ids["owner_member"], pr)
        session.commit()
    client = signed_in(app, world, "owner_member")
    address = make_feed(client)
    calendar = fetch(app, address)
    assert str(calendar["X-WR-CALNAME"]) == "Jaarplan: mijn werkgroepen"
    assert set(deadlines(calendar)) == {BESTUURSOVERLEG, GESPREK, WEBSITE}
    gesprek = events(calendar)[f"deadline-{GESPREK}@127.0.0.1"]
    assert "Verantwoordelijk: Werkgroep beleid, Werkgroep PR & Communicatie" in str(
        gesprek["DESCRIPTION"]
    )
    assert reminders(calendar) == REMINDER_DAYS
    # Memberships are read at each fetch: the feed follows a person out of a workgroup.
    admin = signed_in(app, world, "admin")
    member = world.user_ids["owner_member"]
    assert admin.post(f"/werkgroepen/{pr}/leden/{member}/verwijderen").status_code == 302
    assert set(deadlines(fetch(app, address))) == {BESTUURSOVERLEG, GESPREK}
    # A board member has no workgroup: only the reminder days.
    board = fetch(app, make_feed(signed_in(app, world, "board")))
    assert deadlines(board) == {} and reminders(board) == REMINDER_DAYS


def test_the_reminder_days_follow_the_reminder_schedule(backend_app: Flask, world: World) -> None:
    app = backend_app
    schedule = reminders_of(app).schedule
    reminders_of(app).schedule = replace(schedule, due_soon_days=7, kinds=(schedule.kinds[1],))
    calendar = fetch(app, make_feed(signed_in(app, world, "coordinator")))
    assert schedule.kinds[1].value == "due-soon"
    assert reminders(calendar) == {
        ("Herinnering: deadlines van het jaarplan naderen (2e kwartaal 2021)", date(2021, 6, 23)),
        ("Herinnering: deadlines van het jaarplan naderen (3e kwartaal 2021)", date(2021, 9, 23)),
        ("Herinnering: deadlines van het jaarplan naderen (4e kwartaal 2021)", date(2021, 12, 24)),
        ("Herinnering: deadlines van het jaarplan naderen (1e kwartaal 2022)", date(2022, 3, 24)),
    }


def test_renewing_makes_the_old_address_answer_404(backend_app: Flask, world: World) -> None:
    app = backend_app
    client = signed_in(app, world, "coordinator")
    beleid = workgroup_id(app, world.network_id)
    old = make_feed(client, beleid)
    fetch(app, old)
    new = make_feed(client, beleid)
    assert new != old
    fetch(app, new)
    anonymous = app.test_client()
    gone = anonymous.get(old.removeprefix(APP_URL))
    unknown = anonymous.get("/agenda/" + "x" * 43 + ".ics")
    assert gone.status_code == unknown.status_code == 404
    nowhere = anonymous.get("/bestaat-niet")
    assert main_text(gone.get_data(as_text=True)) == main_text(unknown.get_data(as_text=True))
    assert main_text(gone.get_data(as_text=True)) == main_text(nowhere.get_data(as_text=True))
    assert "text/calendar" not in gone.headers["Content-Type"]
    with app.extensions["tracker"].db.session() as session:
        stored = session.exec(select(CalendarFeed)).all()
    assert len(stored) == 1 and stored[0].workgroup_id == beleid
    assert new.rsplit("/", 1)[-1].removesuffix(".ics") not in stored[0].secret_hash


def test_a_person_feed_is_in_their_export_and_answers_404_once_erased_or_deactivated(
    backend_app: Flask, world: World
) -> None:
    app = backend_app
    board = make_feed(signed_in(app, world, "board"))
    member = make_feed(signed_in(app, world, "owner_member"))
    admin = signed_in(app, world, "admin")
    people = "/beheer/gebruikers"
    exported = admin.get(f"{people}/{world.user_ids['board']}/gegevens.json")
    assert exported.get_json()["calendar_feed"]["made_at"].startswith("2021-05-10")
    assert board.rsplit("/", 1)[-1].removesuffix(".ics") not in exported.get_data(as_text=True)
    erased = admin.post(f"{people}/{world.user_ids['board']}/wissen", data={"confirm": "y"})
    deactivated = admin.post(f"{people}/{world.user_ids['owner_member']}/actief")
    assert erased.status_code == deactivated.status_code == 302
    for address in (board, member):
        assert app.test_client().get(address.removeprefix(APP_URL)).status_code == 404
    with app.extensions["tracker"].db.session() as session:
        assert session.exec(select(CalendarFeed.user_id)).all() == [world.user_ids["owner_member"]]


# anonymous → the sign-in page; the workgroup's member, the coordinator and an admin may;
# a member of another workgroup and the board see the workgroup but may not (403); the
# coordinator of another network does not see it (404).
WORKGROUP_FEED_RIGHTS = {
    "anonymous": 302,
    "owner_member": 200,
    "other_member": 403,
    "coordinator": 200,
    "other_coordinator": 404,
    "board": 403,
    "admin": 200,
}


@pytest.mark.parametrize(("role", "expected"), WORKGROUP_FEED_RIGHTS.items())
def test_who_may_make_a_workgroup_feed(
    backend_app: Flask, world: World, role: str, expected: int
) -> None:
    app = backend_app
    client = signed_in(app, world, role)
    response = client.post(f"/profiel/agenda/werkgroepen/{workgroup_id(app, world.network_id)}")
    assert response.status_code == expected
    ghost = client.post("/profiel/agenda/werkgroepen/999999")
    assert ghost.status_code == (302 if role == "anonymous" else 404)
    with app.extensions["tracker"].db.session() as session:
        stored = session.exec(select(CalendarFeed)).all()
    assert len(stored) == (1 if expected == 200 else 0)


def test_the_settings_page_offers_a_feed_per_workgroup_and_never_shows_an_address(
    backend_app: Flask, world: World
) -> None:
    app = backend_app
    client = signed_in(app, world, "owner_member")
    page = client.get("/profiel/herinneringen").get_data(as_text=True)
    assert "Agenda-abonnement" in page
    assert "Mijn agenda (al mijn werkgroepen)" in page and "Werkgroep beleid" in page
    assert "Werkgroep PR &amp; Communicatie" not in page  # not theirs
    assert page.count("Adres maken") == 2 and "Vernieuwen" not in page
    address = make_feed(client)
    page = client.get("/profiel/herinneringen").get_data(as_text=True)
    assert page.count("Adres maken") == 1 and page.count("Vernieuwen") == 1
    assert "adres gemaakt op" in page
    assert address.rsplit("/", 1)[-1] not in page


def test_a_coordinator_gets_the_feed_of_every_workgroup_of_their_network(
    backend_app: Flask, world: World
) -> None:
    """The coordinator is in no workgroup: the settings page still offers each workgroup
    of their network (not those of another network), and the address works."""
    app = backend_app
    client = signed_in(app, world, "coordinator")
    page = client.get("/profiel/herinneringen").get_data(as_text=True)
    assert "Werkgroep beleid" in page and "Werkgroep PR &amp; Communicatie" in page
    assert page.count("Adres maken") == 3  # their own and the network's two workgroups
    pr = workgroup_id(app, world.network_id, "Werkgroep PR & Communicatie")
    assert f"/profiel/agenda/werkgroepen/{pr}" in page
    other = workgroup_id(app, network_id_of(app, "andernet"))
    assert f"/profiel/agenda/werkgroepen/{other}" not in page
    calendar = fetch(app, make_feed(client, pr))
    assert set(deadlines(calendar)) == {GESPREK, WEBSITE}
    assert client.post(f"/profiel/agenda/werkgroepen/{other}").status_code == 404


def network_id_of(app: Flask, slug: str) -> int:
    with app.extensions["tracker"].db.session() as session:
        found = session.exec(select(Network.id).where(Network.slug == slug)).one()
    assert found is not None
    return found


def test_two_requests_making_the_same_feed_at_once_both_succeed(
    backend_app: Flask, world: World
) -> None:
    """Made in one statement: a second request that writes while the first has not yet
    committed waits for it and then replaces its address, instead of failing on the owner's
    unique key (a 500). The feed ends with one address: the last one made."""
    services = backend_app.extensions["tracker"]
    with services.db.session() as session:
        group = session.exec(
            select(Workgroup.id).where(Workgroup.network_id == world.network_id)
        ).first()
    now = services.clock.now()
    failures: list[BaseException] = []

    def second() -> None:
        try:
            with services.db.session() as other:
                store_feed(other, "second", now, workgroup_id=group)
                other.commit()
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    with services.db.session() as first:
        store_feed(first, "first", now, workgroup_id=group)
        first.flush()
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=0.5)  # it waits for the first one's lock
        first.commit()
    thread.join(timeout=30)
    assert not thread.is_alive() and not failures, failures
    with services.db.session() as session:
        feeds = session.exec(select(CalendarFeed).where(CalendarFeed.workgroup_id == group)).all()
    assert [feed.secret_hash for feed in feeds] == ["second"]
