"""Read models kept up to date on every append equal a full replay of the log."""

from __future__ import annotations

import random
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from events.store import ConcurrencyError
from tests.support import load_plan
from tracker import projections
from tracker.check import check_store
from tracker.clock import FixedClock
from tracker.database import Database
from tracker.domain.access import OPERATOR, Principal
from tracker.domain.commands import ChangeActivityStatus
from tracker.domain.status import StatusError
from tracker.handlers.activities import change_activity_status, load_activity, replay_activity
from tracker.ids import activity_id_for
from tracker.planfile import read_plan_yaml

FIXTURES = Path(__file__).parent.parent / "fixtures"


def busy_history(db: Database, clock: FixedClock, rounds: int = 150) -> None:
    document = read_plan_yaml((FIXTURES / "mini-plan.yaml").read_text(encoding="utf-8"))
    load_plan(db, document, clock)
    ids = [activity_id_for(document.plan_slug, a.title) for a in document.activities]
    rng = random.Random(2021)
    statuses = ["gepland", "lopend", "vertraagd", "afgerond", "gestopt"]
    for n in range(rounds):
        clock.advance(timedelta(hours=rng.randrange(1, 48)))
        command = ChangeActivityStatus(
            rng.choice([Principal(1, is_admin=True), Principal(2, is_admin=True), OPERATOR]),
            rng.choice(ids),
            rng.choice(statuses),
            rng.choice(["", f"notitie {n}"]),
        )
        try:
            change_activity_status(db.unit_of_work(), command, clock)
        except (StatusError, ConcurrencyError):
            pass  # refused updates write nothing; the rest of the history goes on


def test_rebuilding_the_read_models_gives_exactly_the_live_ones(
    db: Database, clock: FixedClock
) -> None:
    busy_history(db, clock)
    with db.engine.connect() as connection:
        live = projections.snapshot(connection)
    assert len(live["activity_state"]) == 3
    with db.unit_of_work() as uow:
        replayed = projections.rebuild(uow.connection)
        uow.commit()
    with db.engine.connect() as connection:
        rebuilt = projections.snapshot(connection)
        events = connection.execute(sa.text("SELECT count(*) FROM events")).scalar_one()
    assert replayed == events > 3
    assert rebuilt == live


def test_a_corrupted_read_model_is_repaired_by_a_rebuild(db: Database, clock: FixedClock) -> None:
    busy_history(db, clock, rounds=20)
    with db.engine.connect() as connection:
        live = projections.snapshot(connection)
    with db.write_engine.begin() as connection:
        connection.execute(sa.text("UPDATE activity_state SET status = 'gestopt', version = 99"))
        connection.execute(sa.text("DELETE FROM plan_status_count"))
    with db.unit_of_work() as uow:
        projections.rebuild(uow.connection)
        uow.commit()
    with db.engine.connect() as connection:
        assert projections.snapshot(connection) == live


@pytest.mark.parametrize("command", [["rebuild-projections"]])
def test_the_rebuild_command_replays_every_event(
    backend_app: Flask, clock: FixedClock, command: list[str]
) -> None:
    db = backend_app.extensions["tracker"].db
    busy_history(db, clock, rounds=30)
    with db.engine.connect() as connection:
        live = projections.snapshot(connection)
        count = connection.execute(sa.text("SELECT count(*) FROM events")).scalar_one()
    result = backend_app.test_cli_runner().invoke(args=command)
    assert result.exit_code == 0, result.output
    assert f"from {count} events" in result.output
    with db.engine.connect() as connection:
        assert projections.snapshot(connection) == live


def test_read_models_of_an_earlier_shape_are_rebuilt_when_the_schema_is_created(
    db: Database, clock: FixedClock
) -> None:
    busy_history(db, clock, rounds=40)
    with db.engine.connect() as connection:
        live = projections.snapshot(connection)
    # The shape before the aggregate's snapshot columns were added to activity_state.
    with db.write_engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE activity_state"))
        connection.execute(
            sa.text(
                "CREATE TABLE activity_state (activity_id VARCHAR(64) PRIMARY KEY, "
                "plan_id INTEGER NOT NULL, status VARCHAR(20) NOT NULL, "
                "version INTEGER NOT NULL, planned_at TIMESTAMP NOT NULL, "
                "last_update_at TIMESTAMP, last_update_by INTEGER, "
                "last_note VARCHAR NOT NULL, carried_from VARCHAR(64))"
            )
        )
    db.create_schema()
    with db.engine.connect() as connection:
        assert projections.snapshot(connection) == live
    with db.unit_of_work() as uow:
        for row in live["activity_state"]:
            activity_id = str(row[0])
            assert load_activity(uow, activity_id) == replay_activity(uow, activity_id)
        assert projections.ensure_shape(uow.connection) is False  # current: left alone


def test_a_change_waits_for_a_rebuild_in_progress(db: Database, clock: FixedClock) -> None:
    """Rebuilding reads the log, then writes the rows: a change committed in between would
    leave its row (the handlers' snapshot) behind its stream and refuse every later change."""
    busy_history(db, clock, rounds=0)  # the plan, every activity still gepland
    activity_id = activity_id_for("testnet-2021", "Algemeen bestuursoverleg")
    with db.unit_of_work() as uow:
        version = load_activity(uow, activity_id).version
    done: list[object] = []

    def change() -> None:
        command = ChangeActivityStatus(
            OPERATOR, activity_id, "lopend", "tijdens de rebuild", version
        )
        try:
            done.append(change_activity_status(db.unit_of_work(), command, clock).version)
        except Exception as problem:  # reported below
            done.append(problem)

    with db.unit_of_work() as uow:
        projections.rebuild(uow.connection)
        writer = threading.Thread(target=change)
        writer.start()
        writer.join(timeout=0.5)
        assert writer.is_alive() and not done, "the change must wait for the rebuild"
        uow.commit()
    writer.join(timeout=10)
    assert done == [version + 1]
    with db.unit_of_work() as uow:
        assert load_activity(uow, activity_id) == replay_activity(uow, activity_id)
        assert check_store(uow.connection).clean
