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
from tracker.domain.events import QuarterClosed, encode


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


def test_plan_streams_are_read_too_and_misfiled_or_unknown_events_are_reported(
    backend_app: Flask, clock: FixedClock
) -> None:
    """A plan's own stream (its closed quarters) is checked like an activity's: a closing
    that reads is clean; a damaged one, a type no stream of its kind holds, and an event
    filed in another stream than the one it names are each reported."""
    db = backend_app.extensions["tracker"].db
    busy_history(db, clock, rounds=5)
    closed = QuarterClosed(
        plan_id=1, year=2021, quarter=1, known_at="2021-04-05T09:00:00+00:00",
        closed_as="coordinator", report_sha256="0" * 64,
    )  # fmt: skip

    def insert(stream: str, version: int, kind: str, data: object) -> None:
        with db.write_engine.begin() as connection:
            connection.execute(
                sa.insert(events_table).values(
                    stream_id=stream,
                    version=version,
                    type=kind,
                    data=json.dumps(data),
                    actor=None,
                    recorded_at=datetime(2021, 6, 1, tzinfo=UTC),
                )  # fmt: skip
            )

    kind, payload = encode(closed)
    insert("plan-1", 1, kind, payload)
    clean = backend_app.test_cli_runner().invoke(args=["check-store"])
    assert clean.exit_code == 0, clean.output
    assert "in 4 streams" in clean.output

    insert("plan-1", 2, kind, {"plan_id": 1, "year": 2021})  # half a closing
    insert("plan-2", 1, kind, payload)  # names plan 1
    insert("plan-3", 1, "ActivityNoteAdded", {"activity_id": "x", "note": "n"})
    result = backend_app.test_cli_runner().invoke(args=["check-store"])
    assert result.exit_code == 1, result.output
    assert "cannot be read: QuarterClosed" in result.output
    assert "a QuarterClosed of stream plan-1 is filed in stream plan-2" in result.output
    assert "type ActivityNoteAdded is unknown in stream plan-3" in result.output
