"""Year-end carry-over: reason and lineage kept across years, never carried twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlmodel import select

from tests.support import load_plan
from tracker import projections
from tracker.carry_over import CarryOverRefused, carry_over_plan
from tracker.clock import FixedClock
from tracker.database import Database
from tracker.domain.access import OPERATOR
from tracker.domain.commands import ChangeActivityStatus
from tracker.handlers.activities import change_activity_status, load_activity
from tracker.ids import activity_id_for
from tracker.models import Activity, ActivityWorkgroup, Indicator, Plan
from tracker.planfile import read_plan_yaml

FIXTURES = Path(__file__).parent.parent / "fixtures"
MEETING = "Algemeen bestuursoverleg"  # has a target and a workgroup
TALK = "Gesprek bestuurders"
WEBSITE = "Website is actueel"


def load_2021(db: Database, clock: FixedClock) -> None:
    document = read_plan_yaml((FIXTURES / "mini-plan.yaml").read_text(encoding="utf-8"))
    load_plan(db, document, clock)


def change(db: Database, clock: FixedClock, title: str, status: str, plan: str = "testnet-2021"):
    return change_activity_status(
        db.unit_of_work(),
        ChangeActivityStatus(OPERATOR, activity_id_for(plan, title), status, "klaar"),
        clock,
    )


def stream_types(db: Database, activity_id: str) -> list[str]:
    with db.unit_of_work() as uow:
        return [e.type for e in uow.events.read_stream(activity_id)]


def test_unfinished_activities_continue_in_the_next_plan_with_reason_and_lineage(
    db: Database, clock: FixedClock
) -> None:
    load_2021(db, clock)
    change(db, clock, TALK, "lopend")
    change(db, clock, TALK, "afgerond")  # finished: stays behind
    outcome = carry_over_plan(
        db, clock, actor=OPERATOR, from_slug="testnet-2021", reason="COVID-19"
    )
    assert sorted(c.title for c in outcome.carried) == [MEETING, WEBSITE]
    old, new = activity_id_for("testnet-2021", MEETING), activity_id_for("testnet-2022", MEETING)
    assert stream_types(db, old)[-1] == "ActivityCarriedOver"
    with db.unit_of_work() as uow:
        planned = uow.events.read_stream(new)[0]
    assert planned.type == "ActivityPlanned"
    assert (planned.data["carried_from"], planned.data["carry_over_reason"]) == (old, "COVID-19")
    with db.session() as session:
        plan = session.exec(select(Plan).where(Plan.slug == "testnet-2022")).one()
        assert (plan.year, plan.title) == (2022, "Jaarplan 2022")
        copy = session.get(Activity, new)
        assert copy is not None and copy.carried_from_year == 2021
        assert (copy.wanneer, copy.period_start) == ("4e kwartaal 2022", date(2022, 10, 1))
        assert session.exec(
            select(ActivityWorkgroup).where(ActivityWorkgroup.activity_id == new)
        ).all()
        assert session.exec(select(Indicator).where(Indicator.activity_id == new)).one().value == 4
        states = {
            s.activity_id: (s.status, s.carried_from)
            for s in session.exec(select(projections.ActivityState))
        }
    assert states[old] == ("doorgeschoven", None)
    assert states[new] == ("gepland", old)
    with db.unit_of_work() as uow:
        assert load_activity(uow, old).carried_to == new


def test_running_the_carry_over_twice_carries_nothing_twice(
    db: Database, clock: FixedClock
) -> None:
    load_2021(db, clock)
    args = {"from_slug": "testnet-2021", "reason": "COVID-19"}
    carry_over_plan(db, clock, actor=OPERATOR, **args)
    with db.engine.connect() as connection:
        before = connection.execute(sa.text("SELECT count(*) FROM events")).scalar_one()
    again = carry_over_plan(
        db, clock, actor=OPERATOR, activity_ids=[activity_id_for("testnet-2021", MEETING)], **args
    )
    assert [c.already_carried for c in again.carried] == [True]
    assert carry_over_plan(db, clock, actor=OPERATOR, **args).carried == []  # nothing open is left
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM events")).scalar_one() == before


def test_a_three_year_chain_is_followed_2021_2022_2023(db: Database, clock: FixedClock) -> None:
    load_2021(db, clock)
    carry_over_plan(db, clock, actor=OPERATOR, from_slug="testnet-2021", reason="COVID-19")
    carry_over_plan(db, clock, actor=OPERATOR, from_slug="testnet-2022", reason="Capaciteit")
    ids = [activity_id_for(f"testnet-{year}", MEETING) for year in (2021, 2022, 2023)]
    with db.session() as session:
        chain = {
            s.activity_id: s.carried_from for s in session.exec(select(projections.ActivityState))
        }
        years = {a.id: a.carried_from_year for a in session.exec(select(Activity))}
    assert chain[ids[2]] == ids[1] and chain[ids[1]] == ids[0] and chain[ids[0]] is None
    assert years[ids[2]] == 2022 and years[ids[1]] == 2021
    with db.engine.begin() as connection:
        before = projections.snapshot(connection)
        projections.rebuild(connection)
        assert projections.snapshot(connection) == before


def test_an_activity_already_in_the_next_plan_is_linked_not_duplicated(
    db: Database, clock: FixedClock
) -> None:
    document = read_plan_yaml((FIXTURES / "mini-plan.yaml").read_text(encoding="utf-8"))
    load_plan(db, document, clock)
    load_plan(db, replace(document, plan_slug="testnet-2022", year=2022), clock)
    outcome = carry_over_plan(
        db, clock, actor=OPERATOR, from_slug="testnet-2021", reason="COVID-19",
        activity_ids=[activity_id_for("testnet-2021", WEBSITE)],
    )  # fmt: skip
    assert [(c.created, c.already_carried) for c in outcome.carried] == [(False, False)]
    linked = activity_id_for("testnet-2022", WEBSITE)
    assert stream_types(db, linked) == ["ActivityPlanned", "ActivityCarriedIn"]
    with db.session() as session:
        assert len(session.exec(select(Activity).where(Activity.plan_id == 2)).all()) == 3


def test_finished_work_and_a_missing_reason_are_refused(db: Database, clock: FixedClock) -> None:
    load_2021(db, clock)
    change(db, clock, TALK, "gestopt")
    talk = activity_id_for("testnet-2021", TALK)
    with pytest.raises(CarryOverRefused, match="closed"):
        carry_over_plan(db, clock, actor=OPERATOR, from_slug="testnet-2021", reason="x",
            activity_ids=[talk],
        )  # fmt: skip
    with pytest.raises(CarryOverRefused, match="reason"):
        carry_over_plan(db, clock, actor=OPERATOR, from_slug="testnet-2021", reason=" ")
    with db.session() as session:
        assert session.exec(select(Plan).where(Plan.slug == "testnet-2022")).first() is None
    assert stream_types(db, talk)[-1] == "ActivityStatusChanged"


def test_the_cli_dry_run_lists_the_open_activities_and_stores_nothing(app: Flask) -> None:
    services = app.extensions["tracker"]
    load_2021(services.db, services.clock)
    runner = app.test_cli_runner()
    args = ["carry-over", "--from", "testnet-2021", "--reason", "COVID-19"]
    dry = runner.invoke(args=[*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert MEETING in dry.output and "Dry run: nothing stored." in dry.output
    assert "[gepland]  wanneer: '4e kwartaal' → '4e kwartaal 2022'" in dry.output  # re-timed
    with services.db.session() as session:
        assert session.exec(select(Plan).where(Plan.slug == "testnet-2022")).first() is None
    done = runner.invoke(args=args)
    assert done.exit_code == 0 and f"{MEETING}: new activity" in done.output
    with services.db.session() as session:
        copy = session.get(Activity, activity_id_for("testnet-2022", MEETING))
        assert copy is not None and copy.wanneer == "4e kwartaal 2022"
    again = runner.invoke(args=[*args, "--activity", activity_id_for("testnet-2021", MEETING)])
    assert "already carried over" in again.output


def test_a_coordinator_carries_over_in_the_browser_and_only_coordinators_may(app: Flask) -> None:
    from tests.support import build_world, login

    world = build_world(app)
    coordinator = app.test_client()
    login(coordinator, world.emails["coordinator"])
    page = coordinator.get("/plannen/testnet-2021/jaarovergang").get_data(as_text=True)
    assert "Nieuw plan: Jaarplan 2022" in page and 'value="Jaarplan 2022"' in page  # step 1
    meeting = activity_id_for("testnet-2021", MEETING)
    step1 = {"target": "", "title": "Jaarplan 2022", "reason": "COVID-19"}
    refused = coordinator.post(
        "/plannen/testnet-2021/jaarovergang", data={**step1, "reason": "", "preview": "x"}
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Geef de reden" in text
    assert 'id="reason" name="reason"' in text and 'aria-invalid="true"' in text
    assert 'aria-describedby="reason-error"' in text and "autofocus" in text
    assert '<a href="#reason">' in text  # the summary at the top links to the field
    preview = coordinator.post(
        "/plannen/testnet-2021/jaarovergang", data={**step1, "preview": "x"}
    ).get_data(as_text=True)
    assert MEETING in preview and 'value="4e kwartaal 2022"' in preview
    assert f'name="wanneer-{meeting}"' in preview
    done = coordinator.post(
        "/plannen/testnet-2021/jaarovergang",
        data={**step1, "activities": [meeting], f"wanneer-{meeting}": "Q1 2022", "submit": "x"},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/plannen/testnet-2022")
    overview = coordinator.get("/plannen/testnet-2022").get_data(as_text=True)
    assert MEETING in overview and "1 activiteit doorgeschoven naar Jaarplan 2022." in overview
    with app.extensions["tracker"].db.session() as session:
        copy = session.get(Activity, activity_id_for("testnet-2022", MEETING))
        assert copy is not None and copy.wanneer == "Q1 2022"
    for role in ("board", "owner_member", "other_coordinator"):
        other = app.test_client()
        login(other, world.emails[role])
        expected = 404 if role == "other_coordinator" else 403
        assert other.get("/plannen/testnet-2021/jaarovergang").status_code == expected
