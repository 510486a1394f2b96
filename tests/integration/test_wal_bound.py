"""SQLite's WAL file stays bounded under a steady stream of overlapping readers.

SQLite starts the WAL again from its beginning only when a writer finds no reader using it;
with overlapping requests one always is, and the file grew without end (16 MB a second in
the benchmark). Two causes, two fixes, each tested here on a real SQLite file:
- a writer whose commit leaves the file over the limit truncates it, still first in the
  write queue (`WriteQueue.after_commit`), without each write waiting while a long report
  holds a reader;
- a request's read transaction ends before its write queues (`Database.before_write`,
  wired to `tracker.services.end_read_snapshot`): a reader waiting in the queue with its
  snapshot would keep the file from being emptied.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask, g

from events import database as events_database
from events.store import NewEvent
from tests.support import build_world, token_for
from tracker.database import Database

LIMIT = 256 * 1024  # bytes: small, so that a few hundred commits cross it
PAYLOAD = {"text": "x" * 3000}  # one event fills most of a page
NOW = datetime(2021, 5, 10, tzinfo=UTC)


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A WAL limit of 256 KB, and SQLite's own checkpoints every 50 pages (200 KB), so that
    SQLite would restart the file by itself within these tests' few hundred commits if no
    reader were in the way (the control test below)."""
    monkeypatch.setattr(events_database, "SQLITE_WAL_LIMIT_BYTES", LIMIT)
    monkeypatch.setattr(events_database, "SQLITE_WAL_TRUNCATE_WAIT_MS", 500)
    monkeypatch.setattr(events_database, "SQLITE_WAL_AUTOCHECKPOINT_PAGES", 50)


def wal_size(db: Database) -> int:
    path = sa.make_url(db.url).database
    assert path
    try:
        return os.path.getsize(path + "-wal")
    except FileNotFoundError:
        return 0


def append(db: Database, stream: str) -> None:
    with db.unit_of_work() as uow:
        uow.events.append(stream, 0, [NewEvent("Noted", PAYLOAD)], actor=None, recorded_at=NOW)
        uow.commit()


@contextmanager
def overlapping_readers(db: Database, count: int = 2) -> Iterator[None]:
    """Reader threads, each beginning a read transaction, reading, holding it a moment and
    ending it, staggered so that one is nearly always open (like overlapping requests)."""
    path = sa.make_url(db.url).database
    stop = threading.Event()

    def read_in_turn(offset: float) -> None:
        connection = sqlite3.connect(str(path), isolation_level=None)
        time.sleep(offset)
        while not stop.is_set():
            connection.execute("BEGIN")
            connection.execute("SELECT count(*) FROM events").fetchone()
            time.sleep(0.004)
            connection.execute("COMMIT")
        connection.close()

    threads = [
        threading.Thread(target=read_in_turn, args=(n * 0.002,), daemon=True) for n in range(count)
    ]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)


def checkpoints_run(db: Database) -> list[str]:
    """The TRUNCATE checkpoints the writers' connections run from now on."""
    seen: list[str] = []

    def trace(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.set_trace_callback(
            lambda sql: seen.append(sql) if "wal_checkpoint(TRUNCATE)" in sql else None
        )

    sa.event.listen(db.engine, "connect", trace)
    db.engine.dispose()  # new connections, so that each is traced
    return seen


def test_the_wal_stays_bounded_while_readers_overlap(tmp_path: Path, small_limit: None) -> None:
    db = Database(f"sqlite:///{tmp_path / 'wal.db'}")
    db.create_schema()
    truncations = checkpoints_run(db)
    largest = 0
    with overlapping_readers(db):
        for n in range(400):  # ~400 pages: six times the limit if never emptied
            append(db, f"s{n}")
            largest = max(largest, wal_size(db))
    db.dispose()
    assert truncations, "no writer truncated the WAL"
    # Over the limit only until a writer's truncation finds the readers of the moment done
    # (a try that finds one still busy, as under a loaded machine, is repeated a quarter of
    # the limit later: this allows twelve busy tries in a row); without the bound the file
    # grows past eight times the limit (the next test).
    assert largest <= 4 * LIMIT, largest


@pytest.mark.parametrize("readers", [0, 2], ids=["no-readers", "overlapping-readers"])
def test_without_the_bound_only_overlapping_readers_grow_the_wal(
    tmp_path: Path, small_limit: None, monkeypatch: pytest.MonkeyPatch, readers: int
) -> None:
    """The load of the test above does starve SQLite's own restart of the file (and nothing
    else does), so that test shows the bound at work."""
    monkeypatch.setattr(events_database.WriteQueue, "after_commit", lambda self, _c: None)
    db = Database(f"sqlite:///{tmp_path / 'wal.db'}")
    db.create_schema()
    with overlapping_readers(db, count=readers):
        for n in range(400):
            append(db, f"s{n}")
        grown = wal_size(db)
    db.dispose()
    if readers:
        assert grown > 8 * LIMIT
    else:
        assert grown <= 2 * LIMIT


@pytest.mark.parametrize("workers", [1, 2])
def test_a_long_reader_makes_writers_try_again_later_not_wait_each_time(
    tmp_path: Path, small_limit: None, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """With two workers (two `Database`s, each with its own write queue on the same file, as
    in two processes) the writers back off together: no more tries than with one."""
    monkeypatch.setattr(events_database, "SQLITE_WAL_TRUNCATE_WAIT_MS", 20)  # each try waits
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    dbs = [Database(url) for _ in range(workers)]
    dbs[0].create_schema()
    traces = [checkpoints_run(db) for db in dbs]

    def tries() -> int:
        return sum(len(trace) for trace in traces)

    report = sqlite3.connect(str(tmp_path / "wal.db"), isolation_level=None)
    report.execute("BEGIN")
    report.execute("SELECT count(*) FROM events").fetchone()  # a long report's snapshot
    for n in range(120):
        append(dbs[n % workers], f"long{n}")
    held = wal_size(dbs[0])
    tried = tries()
    assert held > 2 * LIMIT  # nothing could be emptied while the report read
    # Tried once when crossing the limit, then once per quarter of the limit it grew by.
    assert 1 <= tried <= 1 + (held - LIMIT) // (LIMIT // 4) + 1
    report.execute("COMMIT")
    report.close()
    for n in range(60):
        append(dbs[n % workers], f"after{n}")
    for db in dbs:
        db.dispose()
    assert tries() > tried
    assert wal_size(dbs[0]) < LIMIT


def test_a_busy_try_gives_the_connection_its_busy_timeout_back(
    tmp_path: Path, small_limit: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(events_database, "SQLITE_WAL_TRUNCATE_WAIT_MS", 20)
    db = Database(f"sqlite:///{tmp_path / 'wal.db'}")
    db.create_schema()
    report = sqlite3.connect(str(tmp_path / "wal.db"), isolation_level=None)
    report.execute("BEGIN")
    report.execute("SELECT count(*) FROM events").fetchone()
    for n in range(80):
        append(db, f"s{n}")
    assert wal_size(db) > LIMIT
    writer = sqlite3.connect(str(tmp_path / "wal.db"), isolation_level=None)
    writer.execute(f"PRAGMA busy_timeout={events_database.SQLITE_BUSY_TIMEOUT_MS}")
    queue = db.write_queue
    assert queue is not None
    with queue:
        queue._set_retry_above(LIMIT)  # due for a try now
        queue.after_commit(writer)  # the report still reads: the try is busy
        retry_above = queue._retry_above()
    assert retry_above == wal_size(db) + LIMIT // 4
    assert writer.execute("PRAGMA busy_timeout").fetchone() == (
        events_database.SQLITE_BUSY_TIMEOUT_MS,
    )
    report.execute("COMMIT")
    for connection in (report, writer):
        connection.close()
    db.dispose()


def test_a_failed_truncation_is_logged_and_never_raises(
    tmp_path: Path, small_limit: None, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'wal.db'}")
    db.create_schema()
    (tmp_path / "wal.db-wal").write_bytes(b"\0" * (LIMIT + 1))  # as if over the limit
    closed = sqlite3.connect(":memory:")
    closed.close()
    queue = db.write_queue
    assert queue is not None
    with caplog.at_level(logging.WARNING, logger="events.database"), queue:
        queue.after_commit(closed)
    assert "could not be truncated" in caplog.text
    db.dispose()


def test_a_request_lets_go_of_its_read_snapshot_before_its_write_queues(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build_world(app)
    auth = token_for(app, world, "owner_member")
    seen: list[bool] = []
    enter = events_database.WriteQueue.__enter__

    def spy(self: events_database.WriteQueue) -> None:
        session = g.get("db_session")
        seen.append(session is not None and session.in_transaction())
        enter(self)

    monkeypatch.setattr(events_database.WriteQueue, "__enter__", spy)
    response = app.test_client().post(
        f"/api/v1/activities/{world.activity_id}/status",
        json={"status": "lopend", "note": "gestart", "expected_version": 1},
        headers=auth,
    )
    assert response.status_code == 200, response.get_json()
    # The request read (sign-in, access check) before writing, then queued without a
    # transaction open.
    assert seen == [False]
