"""Closing a quarter (vaststellen) through the report page, on SQLite and PostgreSQL: the
closing keeps the hash of the report of that moment, which reproduces; a later update dated
inside the closed quarter is flagged in the history and the report, a later one dated after
the quarter is not."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import text
from sqlmodel import select

from events.store import NewEvent
from tests.integration.test_reports import pdftotext
from tests.support import World, build_world, login
from tracker.domain.access import OPERATOR
from tracker.domain.commands import ChangeActivityStatus, RecordProgress
from tracker.domain.events import QuarterClosed, decode_plan_event, encode
from tracker.domain.period import Period
from tracker.handlers.activities import change_activity_status, record_progress
from tracker.ids import activity_id_for
from tracker.models import Indicator, Plan
from tracker.reports.closing import closed_report, plan_closings, report_hash
from tracker.reports.service import reports_for

MEETING = "Algemeen bestuursoverleg"  # has a target: at least 4 meetings
WEBSITE = "Website is actueel"
CLOSE = "/plannen/testnet-2021/rapportage/vaststellen"
Q1_REPORT = "/plannen/testnet-2021/rapportage?period=2021Q1"


def at(app: Flask, moment: datetime) -> None:
    app.extensions["tracker"].clock.current = moment


def status(app: Flask, title: str, to: str, when: datetime, day: date | None = None) -> None:
    services = app.extensions["tracker"]
    at(app, when)
    command = ChangeActivityStatus(
        OPERATOR, activity_id_for("testnet-2021", title), to, happened_on=day
    )
    change_activity_status(services.db.unit_of_work(), command, services.clock)


def progress(app: Flask, value: float, when: datetime, day: date | None = None) -> None:
    services = app.extensions["tracker"]
    at(app, when)
    activity_id = activity_id_for("testnet-2021", MEETING)
    with services.db.session() as session:
        indicator = session.exec(select(Indicator).where(Indicator.activity_id == activity_id))
        indicator_id = indicator.one().id or 0
    command = RecordProgress(OPERATOR, activity_id, indicator_id, value, happened_on=day)
    record_progress(services.db.unit_of_work(), command, services.clock)


def plan_events(app: Flask) -> list[QuarterClosed]:
    with app.extensions["tracker"].db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT type, data FROM events WHERE stream_id LIKE 'plan-%' ORDER BY position")
        ).all()
    found = [decode_plan_event(kind, json.loads(data)) for kind, data in rows]
    return [e for e in found if isinstance(e, QuarterClosed)]


def coordinator(app: Flask, world: World) -> FlaskClient:
    client = app.test_client()
    login(client, world.emails["coordinator"])
    return client


def a_closed_first_quarter(app: Flask) -> tuple[World, FlaskClient]:
    """Q1 2021 with a status and a value, closed by the coordinator on 5 April."""
    at(app, datetime(2021, 1, 4, 9, tzinfo=UTC))
    world = build_world(app)
    status(app, MEETING, "lopend", datetime(2021, 3, 15, 10, tzinfo=UTC))
    progress(app, 2, datetime(2021, 3, 20, 10, tzinfo=UTC))
    at(app, datetime(2021, 4, 5, 9, tzinfo=UTC))
    client = coordinator(app, world)
    page = client.get(Q1_REPORT).get_data(as_text=True)
    assert "Kwartaal vaststellen" in page and 'name="period" type="hidden" value="2021Q1"' in page
    response = client.post(CLOSE, data={"period": "2021Q1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return world, client


def test_a_coordinator_closes_an_ended_quarter_and_its_hash_reproduces(backend_app: Flask) -> None:
    world, _client = a_closed_first_quarter(backend_app)
    (event,) = plan_events(backend_app)
    assert (event.year, event.quarter, event.closed_as) == (2021, 1, "coordinator")
    assert event.known_at == "2021-04-05T09:00:00+00:00"
    assert "Persoon" not in str(event)  # the role, never a name
    at(backend_app, datetime(2021, 5, 10, 9, tzinfo=UTC))
    status(backend_app, WEBSITE, "lopend", datetime(2021, 5, 10, 9, tzinfo=UTC))
    services = backend_app.extensions["tracker"]
    with backend_app.app_context(), services.db.session() as session:
        plan = session.exec(select(Plan).where(Plan.slug == "testnet-2021")).one()
        assert report_hash(closed_report(session, plan, event)) == event.report_sha256
        assert [c.actor_id for c in plan_closings(session, plan.id or 0)] == [
            world.user_ids["coordinator"]
        ]
    page = coordinator(backend_app, world).get(Q1_REPORT).get_data(as_text=True)
    closed = "Vastgesteld op 5 april 2021, 11:00 door netwerkcoördinator (Persoon coordinator)"
    assert closed in page
    assert "niet meer precies te reproduceren" not in page
    assert "Kwartaal vaststellen" not in page
    assert "sinds de vaststelling niets gewijzigd" in page


def test_a_quarter_is_not_closed_twice_nor_before_it_ends(backend_app: Flask) -> None:
    _world, client = a_closed_first_quarter(backend_app)
    again = client.post(CLOSE, data={"period": "2021Q1"})
    assert again.status_code == 409
    assert "Dit kwartaal is al vastgesteld." in again.get_data(as_text=True)
    running = client.post(CLOSE, data={"period": "2021Q2"})
    assert running.status_code == 400
    assert "Dit kwartaal is nog niet voorbij" in running.get_data(as_text=True)
    assert "Kwartaal vaststellen" not in client.get(
        "/plannen/testnet-2021/rapportage?period=2021Q2"
    ).get_data(as_text=True)
    assert len(plan_events(backend_app)) == 1


def test_the_board_sees_the_closing_but_may_not_close(backend_app: Flask) -> None:
    world = build_world(backend_app)
    board = backend_app.test_client()
    login(board, world.emails["board"])
    assert "Kwartaal vaststellen" not in board.get(Q1_REPORT).get_data(as_text=True)
    assert board.post(CLOSE, data={"period": "2021Q1"}).status_code == 403
    assert plan_events(backend_app) == []


def test_an_update_dated_inside_the_closed_quarter_is_flagged(backend_app: Flask) -> None:
    world, client = a_closed_first_quarter(backend_app)
    later = datetime(2021, 4, 12, 9, tzinfo=UTC)
    status(backend_app, MEETING, "vertraagd", later, day=date(2021, 3, 30))
    progress(backend_app, 3, later.replace(hour=10), day=date(2021, 3, 31))
    status(backend_app, WEBSITE, "lopend", later.replace(hour=11), day=date(2021, 4, 8))
    client = coordinator(backend_app, world)  # signed in again: the clock moved on
    page = client.get(Q1_REPORT).get_data(as_text=True)
    assert "Gewijzigd na vaststelling" in page
    closing = page.split('class="closing"', 1)[1].split("</section>", 1)[0]
    assert MEETING in closing and "Lopend" in closing and "Vertraagd" in closing
    assert "<td>2</td><td>3</td>" in closing  # the target's value at the quarter's end
    assert WEBSITE not in closing  # dated after the quarter: not a change of Q1
    changes = page.split('<table class="changes">')[2].split("</table>", 1)[0]
    assert changes.count("na vaststelling") == 2  # the quarter's changes recorded after it
    meeting = client.get(f"/activiteiten/{world.activity_id}").get_data(as_text=True)
    assert meeting.count("na vaststelling") == 2
    website = client.get(f"/activiteiten/{world.pr_activity_id}").get_data(as_text=True)
    assert "na vaststelling" not in website


def test_an_update_dated_after_the_closed_quarter_is_not_flagged(backend_app: Flask) -> None:
    world, client = a_closed_first_quarter(backend_app)
    status(
        backend_app, MEETING, "vertraagd", datetime(2021, 4, 12, 9, tzinfo=UTC), date(2021, 4, 2)
    )
    client = coordinator(backend_app, world)  # signed in again: the clock moved on
    page = client.get(Q1_REPORT).get_data(as_text=True)
    assert "Gewijzigd na vaststelling" not in page
    assert "sinds de vaststelling niets gewijzigd" in page
    history = client.get(f"/activiteiten/{world.activity_id}").get_data(as_text=True)
    assert "na vaststelling" not in history


def test_a_report_as_known_before_the_closing_says_nothing_of_it(backend_app: Flask) -> None:
    _world, client = a_closed_first_quarter(backend_app)
    page = client.get(Q1_REPORT + "&as_of=2021-04-01").get_data(as_text=True)
    assert "Vastgesteld op" not in page


def test_a_closing_whose_report_no_longer_reproduces_says_so(backend_app: Flask) -> None:
    """A stored hash the closed report does not give (a database repaired behind the log's
    back) is shown, not hidden."""
    world, _client = a_closed_first_quarter(backend_app)
    (event,) = plan_events(backend_app)
    now = datetime(2022, 1, 3, 9, tzinfo=UTC)
    forged = replace(event, quarter=4, known_at=now.isoformat(), report_sha256="0" * 64)
    at(backend_app, now)
    with backend_app.extensions["tracker"].db.unit_of_work() as uow:
        uow.events.append(
            event.stream_id, 1, [NewEvent(*encode(forged))], actor=None, recorded_at=now
        )
        uow.commit()
    client = coordinator(backend_app, world)
    fourth = client.get(Q1_REPORT.replace("Q1", "Q4")).get_data(as_text=True)
    assert "niet meer precies te reproduceren" in fourth
    first = client.get(Q1_REPORT).get_data(as_text=True)
    assert "Vastgesteld op" in first and "niet meer precies te reproduceren" not in first


def test_the_downloaded_files_carry_the_closing_and_what_changed_after_it(
    backend_app: Flask, tmp_path: Path
) -> None:
    """The board reads the PDF, the XLSX or the CSV, not the page: each says the quarter was
    closed, by whom, and which activity changed at the quarter's end since."""
    world, client = a_closed_first_quarter(backend_app)
    status(
        backend_app, MEETING, "vertraagd", datetime(2021, 4, 12, 9, tzinfo=UTC), date(2021, 3, 30)
    )
    client = coordinator(backend_app, world)  # signed in again: the clock moved on

    pdf = pdftotext(client.get(Q1_REPORT + "&format=pdf").data, tmp_path, "-layout")
    words = " ".join(pdf.split())
    assert "Vastgesteld op 5 april 2021, 11:00 door netwerkcoördinator" in words
    assert "Gewijzigd na vaststelling" in words and "na vaststelling" in words

    book = load_workbook(io.BytesIO(client.get(Q1_REPORT + "&format=xlsx").data))
    closing = [[cell.value for cell in row] for row in book["Vaststelling"].iter_rows()]
    assert closing[0] == [
        "Plan", "Kwartaal", "Vastgesteld op", "Vastgesteld door", "Reproduceerbaar",
        "Activiteit", "Wat", "Bij vaststelling", "Nu",
    ]  # fmt: skip
    (row,) = closing[1:]
    assert row[2].date() == date(2021, 4, 5)
    assert row[3:] == [
        "netwerkcoördinator (Persoon coordinator)", "ja", MEETING, "Status", "Lopend", "Vertraagd"
    ]  # fmt: skip
    activities = [[cell.value for cell in row] for row in book["Activiteiten"].iter_rows()]
    changed = {
        line[activities[0].index("Activiteit")]: line[-1] for line in activities[1:]
    }  # fmt: skip
    assert activities[0][-1] == "Gewijzigd na vaststelling"
    assert changed[MEETING] == "ja" and changed[WEBSITE] is None

    text = client.get(Q1_REPORT + "&format=csv").data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0][-1] == "Gewijzigd na vaststelling"
    assert {line[2]: line[-1] for line in lines[1:]}[MEETING] == "ja"

    services = backend_app.extensions["tracker"]  # the command line's reports too
    with backend_app.app_context(), services.db.session() as session:
        (report,) = reports_for(
            session, period=Period.parse("2021Q1"), now=services.clock.now(),
            plan_slug="testnet-2021",
        )  # fmt: skip
    assert report.closing is not None and report.closing.changed_activities == {
        activity_id_for("testnet-2021", MEETING)
    }


def test_an_unclosed_quarters_files_say_nothing_of_a_closing(backend_app: Flask) -> None:
    world = build_world(backend_app)
    client = coordinator(backend_app, world)
    book = load_workbook(io.BytesIO(client.get(Q1_REPORT + "&format=xlsx").data))
    assert "Vaststelling" not in book.sheetnames
    activities = [[cell.value for cell in row] for row in book["Activiteiten"].iter_rows()]
    assert activities[0][-1] == "Gewijzigd na vaststelling"
    assert all(line[-1] is None for line in activities[1:])
