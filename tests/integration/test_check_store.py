"""`flask --app wsgi check-store`: clean on a healthy store; names a version gap and a read
model that differs from a replay; changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask

from events.schema import events_table
from tests.integration.test_rebuild import busy_history
from tracker import projections
from tracker.clock import FixedClock


def test_a_healthy_store_is_reported_clean(backend_app: Flask, clock: FixedClock) -> None:
    db = backend_app.extensions["tracker"].db
    busy_history(db, clock, rounds=30)
    result = backend_app.test_cli_runner().invoke(args=["check-store"])
    assert result.exit_code == 0, result.output
    assert "Store clean" in result.output and "in 3 streams" in result.output


def test_a_version_gap_and_a_drifted_read_model_are_reported(
    backend_app: Flask, clock: FixedClock
) -> None:
    db = backend_app.extensions["tracker"].db
    busy_history(db, clock, rounds=10)
    with db.write_engine.begin() as connection:
        stream = connection.execute(sa.text("SELECT min(activity_id) FROM activity_state")).scalar()
        version = connection.execute(
            sa.text("SELECT max(version) FROM events WHERE stream_id = :s"), {"s": stream}
        ).scalar_one()
        connection.execute(
            sa.insert(events_table).values(
                stream_id=stream,
                version=version + 2,  # version + 1 is missing: half a batch
                type="ActivityNoteAdded",
                data=json.dumps({"activity_id": stream, "status": "lopend", "note": "x"}),
                actor=None,
                recorded_at=datetime(2021, 6, 1, tzinfo=UTC),
            )
        )
        connection.execute(sa.text("UPDATE activity_state SET last_note = 'tampered'"))
    with db.engine.connect() as connection:
        before = projections.snapshot(connection)
    result = backend_app.test_cli_runner().invoke(args=["check-store"])
    assert result.exit_code == 1
    assert f"stream {stream}: version {version + 2}" in result.output
    assert "activity_state: only in the read model" in result.output
    with db.engine.connect() as connection:
        assert projections.snapshot(connection) == before  # the check repaired nothing


def test_a_payload_that_no_longer_reads_is_reported_not_a_crash(
    backend_app: Flask, clock: FixedClock
) -> None:
    db = backend_app.extensions["tracker"].db
    busy_history(db, clock, rounds=5)
    with db.write_engine.begin() as connection:
        connection.execute(
            sa.insert(events_table).values(
                stream_id="damaged",
                version=1,
                type="ActivityNoteAdded",
                data='{"note":"x"}',  # without the fields the event needs
                actor=None,
                recorded_at=datetime(2021, 6, 1, tzinfo=UTC),
            )
        )
    result = backend_app.test_cli_runner().invoke(args=["check-store"])
    assert result.exit_code == 1, result.output
    assert "cannot be read: ActivityNoteAdded" in result.output
    assert "the read models cannot be rebuilt" in result.output
