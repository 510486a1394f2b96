"""The continuation of carried work: its status, its targets' values and its "Wanneer" (re-timed
or as edited) go with it; the target plan is chosen or made with a title; only the network's
coordinators may run it, and a refusal writes nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlmodel import select

from tests.support import build_world, login, person
from tracker import projections
from tracker.carry_over import CarryOverRefused, carry_over_plan
from tracker.clock import FixedClock
from tracker.database import Database
from tracker.domain.access import OPERATOR, Forbidden, NotFound
from tracker.domain.commands import CarryOver, ChangeActivityStatus, RecordProgress
from tracker.handlers.activities import change_activity_status, record_progress
from tracker.handlers.plans import carry_over
from tracker.ids import activity_id_for
from tracker.models import Activity, Indicator, Plan

MEETING = "Algemeen bestuursoverleg"  # 4e kwartaal; a target of 4 bijeenkomsten
TALK = "Gesprek bestuurders"  # Continu
WEBSITE = "Website is actueel"  # Voorjaar 2021
OLD, NEW = "testnet-2021", "testnet-2022"


def status(db: Database, clock: FixedClock, title: str, to: str) -> None:
    change_activity_status(
        db.unit_of_work(),
        ChangeActivityStatus(OPERATOR, activity_id_for(OLD, title), to, "bezig"),
        clock,
    )


def indicator_of(db: Database, activity_id: str) -> int:
    with db.session() as session:
        found = session.exec(select(Indicator).where(Indicator.activity_id == activity_id)).one()
        assert found.id is not None
        return found.id


def state_of(db: Database, activity_id: str) -> projections.ActivityState:
    with db.session() as session:
        state = session.get(projections.ActivityState, activity_id)
        assert state is not None
        return state


def events_count(db: Database) -> int:
    with db.engine.connect() as connection:
        return connection.execute(sa.text("SELECT count(*) FROM events")).scalar_one()


def test_the_continuation_keeps_status_and_target_values_with_a_re_timed_wanneer(
    backend_app: Flask,
) -> None:
    services = backend_app.extensions["tracker"]
    db, clock = services.db, services.clock
    build_world(backend_app)
    status(db, clock, MEETING, "lopend")
    status(db, clock, WEBSITE, "vertraagd")
    meeting = activity_id_for(OLD, MEETING)
    for value in (1, 3):  # the latest value goes along
        record_progress(
            db.unit_of_work(),
            RecordProgress(OPERATOR, meeting, indicator_of(db, meeting), value),
            clock,
        )
    website = activity_id_for(OLD, WEBSITE)
    outcome = carry_over_plan(
        db, clock, actor=OPERATOR, from_slug=OLD, reason="COVID-19",
        wanneer={website: "  Najaar   2022 "},  # edited; the others re-timed
    )  # fmt: skip
    assert len(outcome.carried) == 3
    new = {title: activity_id_for(NEW, title) for title in (MEETING, TALK, WEBSITE)}
    with db.session() as session:
        copies = {t: session.get(Activity, i) for t, i in new.items()}
        wanneer = {t: (a.wanneer, a.period_start) for t, a in copies.items() if a is not None}
    assert wanneer == {
        MEETING: ("4e kwartaal 2022", date(2022, 10, 1)),
        TALK: ("Continu", date(2022, 1, 1)),
        WEBSITE: ("Najaar 2022", date(2022, 9, 1)),
    }
    assert state_of(db, new[MEETING]).status == "lopend"
    assert state_of(db, new[WEBSITE]).status == "vertraagd"
    assert state_of(db, new[TALK]).status == "gepland"
    assert state_of(db, new[MEETING]).carried_from == meeting
    assert state_of(db, meeting).status == "doorgeschoven"
    with db.unit_of_work() as uow:
        stream = uow.events.read_stream(new[MEETING])
    assert [e.type for e in stream] == [
        "ActivityPlanned", "ActivityStatusChanged", "TargetProgressRecorded"
    ]  # fmt: skip
    assert stream[1].data["note"] == "Jaarovergang vanuit testnet-2021"
    assert stream[2].data["indicator_id"] == indicator_of(db, new[MEETING])
    assert stream[2].data["value"] == 3
    before = events_count(db)
    again = carry_over_plan(
        db, clock, actor=OPERATOR, from_slug=OLD, reason="COVID-19", activity_ids=[meeting]
    )
    assert [c.already_carried for c in again.carried] == [True]
    assert events_count(db) == before  # nothing twice: no second status change or value
    with db.engine.begin() as connection:
        kept = projections.snapshot(connection)
        projections.rebuild(connection)
        assert projections.snapshot(connection) == kept


def test_a_chosen_later_plan_or_a_new_plan_with_its_title(db: Database, clock: FixedClock) -> None:
    from tests.integration.test_carry_over import load_2021

    load_2021(db, clock)
    with db.session() as session:
        plan_id = session.exec(select(Plan).where(Plan.slug == OLD)).one().id or 0
    website = activity_id_for(OLD, WEBSITE)
    done = carry_over(
        db.unit_of_work(),
        CarryOver(OPERATOR, plan_id, (website,), "COVID-19", None, (), " Jaarplan 2022  Samen "),
        clock,
    )
    with db.session() as session:
        made = session.exec(select(Plan).where(Plan.slug == done.plan_slug)).one()
        assert (made.year, made.title) == (2022, "Jaarplan 2022 Samen")
        copy = session.get(Activity, activity_id_for(NEW, WEBSITE))
        assert copy is not None and copy.wanneer == "Voorjaar 2022"


@pytest.mark.parametrize("what", ["wanneer", "title"])
def test_a_too_long_wanneer_or_title_is_refused_and_nothing_is_written(
    db: Database, clock: FixedClock, what: str
) -> None:
    from tests.integration.test_carry_over import load_2021

    load_2021(db, clock)
    before = events_count(db)
    meeting = activity_id_for(OLD, MEETING)
    edits = {"wanneer": {meeting: "x" * 501}, "new_plan_title": None}
    if what == "title":
        edits = {"wanneer": {}, "new_plan_title": "J" * 201}
    with pytest.raises(CarryOverRefused, match="too long"):
        carry_over_plan(db, clock, actor=OPERATOR, from_slug=OLD, reason="COVID-19", **edits)  # type: ignore[arg-type]
    assert events_count(db) == before
    with db.session() as session:
        assert session.exec(select(Plan).where(Plan.slug == NEW)).first() is None


def test_only_the_networks_coordinators_carry_over_and_a_refusal_writes_nothing(
    backend_app: Flask,
) -> None:
    services = backend_app.extensions["tracker"]
    db, clock = services.db, services.clock
    world = build_world(backend_app)
    with db.session() as session:
        plan_id = session.exec(select(Plan).where(Plan.slug == OLD)).one().id or 0
    meeting = activity_id_for(OLD, MEETING)
    before = events_count(db)
    command = {"from_plan_id": plan_id, "activity_ids": (meeting,), "reason": "COVID-19"}
    for role, refusal in [
        ("owner_member", Forbidden), ("board", Forbidden), ("other_coordinator", NotFound)
    ]:  # fmt: skip
        actor = person(db, world.user_ids[role])
        with pytest.raises(refusal):
            carry_over(db.unit_of_work(), CarryOver(actor, **command), clock)  # type: ignore[arg-type]
    for role, code in [("owner_member", 403), ("board", 403), ("other_coordinator", 404)]:
        client = backend_app.test_client()
        login(client, world.emails[role])
        answer = client.post(
            f"/plannen/{OLD}/jaarovergang",
            data={"target": "", "reason": "COVID-19", "activities": [meeting], "submit": "x"},
        )
        assert answer.status_code == code
    assert events_count(db) == before
    with db.session() as session:
        assert session.exec(select(Plan).where(Plan.slug == NEW)).first() is None
    coordinator = person(db, world.user_ids["coordinator"])
    done = carry_over(db.unit_of_work(), CarryOver(coordinator, **command), clock)  # type: ignore[arg-type]
    assert [c.created for c in done.carried] == [True]


def test_the_page_shows_errors_at_the_field_and_keeps_what_was_typed(backend_app: Flask) -> None:
    world = build_world(backend_app)
    client = backend_app.test_client()
    login(client, world.emails["coordinator"])
    meeting = activity_id_for(OLD, MEETING)
    step1 = {"target": "", "title": "Jaarplan 2022", "reason": "COVID-19"}
    cleared = client.post(
        f"/plannen/{OLD}/jaarovergang", data={**step1, "title": " ", "preview": "x"}
    ).get_data(as_text=True)
    assert "Geef het nieuwe plan een titel." in cleared
    assert 'aria-describedby="title-error"' in cleared and '<a href="#title">' in cleared
    none = client.post(f"/plannen/{OLD}/jaarovergang", data={**step1, "submit": "x"})
    text = none.get_data(as_text=True)
    assert none.status_code == 400 and "Kies minstens één activiteit." in text
    assert '<a href="#activities-list">' in text
    long = client.post(
        f"/plannen/{OLD}/jaarovergang",
        data={**step1, "activities": [meeting], f"wanneer-{meeting}": "y" * 501, "submit": "x"},
    )
    text = long.get_data(as_text=True)
    assert long.status_code == 400
    assert f'id="wanneer-{meeting}" name="wanneer-{meeting}" value="{"y" * 501}"' in text
    assert f'aria-invalid="true" aria-describedby="wanneer-{meeting}-error" autofocus' in text
    assert f'<a href="#wanneer-{meeting}">' in text
    with backend_app.extensions["tracker"].db.session() as session:
        assert session.exec(select(Plan).where(Plan.slug == NEW)).first() is None


def test_work_linked_to_its_next_years_activity_keeps_its_status_there(
    db: Database, clock: FixedClock
) -> None:
    from dataclasses import replace

    from tests.integration.test_carry_over import FIXTURES
    from tests.support import load_plan
    from tracker.planfile import read_plan_yaml

    document = read_plan_yaml((FIXTURES / "mini-plan.yaml").read_text(encoding="utf-8"))
    load_plan(db, document, clock)
    load_plan(db, replace(document, plan_slug=NEW, year=2022), clock)  # its own document
    status(db, clock, WEBSITE, "lopend")
    carry_over_plan(
        db, clock, actor=OPERATOR, from_slug=OLD, reason="COVID-19",
        activity_ids=[activity_id_for(OLD, WEBSITE)],
    )  # fmt: skip
    linked = activity_id_for(NEW, WEBSITE)
    assert state_of(db, linked).status == "lopend"
    assert state_of(db, linked).carried_from == activity_id_for(OLD, WEBSITE)
    with db.session() as session:
        copy = session.get(Activity, linked)
        assert copy is not None and copy.wanneer == "Voorjaar 2021"  # its document's own words
