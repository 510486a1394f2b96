"""The baselines: the same work on the bare driver (sqlite3, psycopg), without the tracker.

A status change done raw (its event inserted, its read-model row updated, one transaction,
through the DB-API driver with the engine's own settings), and a raw scan of the log that
decodes what a replay needs (the JSON payload and the timestamp). The tracker's figures are divided
by these, measured in the same run on the same database, so the ratios travel between
machines better than the absolute numbers.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import time
from datetime import UTC, datetime
from typing import Any

import psycopg
import sqlalchemy as sa

from events.database import SQLITE_BUSY_TIMEOUT_MS, SQLITE_WAL_AUTOCHECKPOINT_PAGES
from events.store import encode_data


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_path(url: str) -> str:
    path = sa.make_url(url).database
    assert path, url
    return path


def libpq_url(url: str) -> str:
    """The URL as libpq reads it (without SQLAlchemy's +psycopg driver suffix)."""
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def connect_sqlite(url: str) -> sqlite3.Connection:
    """A bare sqlite3 connection with the same pragmas as `events.database.make_engine`."""
    connection = sqlite3.connect(sqlite_path(url), isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT_PAGES}")
    return connection


NEXT_STATUS = {"gepland": "lopend", "lopend": "vertraagd", "vertraagd": "lopend"}
_INSERT_EVENT = (
    "INSERT INTO events (stream_id, version, type, data, actor, recorded_at) "
    "VALUES ({p}, {p}, 'ActivityStatusChanged', {p}, NULL, {p})"
)
_UPDATE_ROW = (
    "UPDATE activity_state SET status = {p}, version = {p}, last_update_at = {p}, "
    "last_update_by = NULL, last_note = {p} WHERE activity_id = {p}"
)
_RECOUNT = (
    "INSERT INTO plan_status_count (plan_id, status, count) "
    "SELECT plan_id, status, count(*) FROM activity_state GROUP BY plan_id, status"
)


def raw_same_work(
    url: str, targets: list[tuple[str, str, int]], seconds: float, limit: int = 1_000_000
) -> tuple[int, float]:
    """What one status change must do in this design, written directly against the driver:
    insert the event (the next version of the activity's stream, the same JSON payload) and
    update the activity's read-model row, in one transaction (on PostgreSQL after the event
    table's EXCLUSIVE lock, which keeps positions visible in order: events/store.py).

    The changes are real ones (gepland → lopend ⇄ vertraagd on `targets`, (id, status,
    version) of open activities), so the log and the rows stay valid for the rows measured
    after this one; the per-plan counts, which this loop leaves alone, are recounted once
    at the end, untimed. Returns (changes, elapsed seconds).
    """
    state = {activity_id: (status, version) for activity_id, status, version in targets}
    sqlite = is_sqlite(url)
    mark = "?" if sqlite else "%s"
    insert, update = _INSERT_EVENT.format(p=mark), _UPDATE_ROW.format(p=mark)
    lite = connect_sqlite(url) if sqlite else None
    pg = None if sqlite else psycopg.connect(libpq_url(url))
    done = 0
    start = time.perf_counter()
    deadline = start + seconds
    for activity_id, _status, _version in itertools.cycle(targets):
        if done >= limit or time.perf_counter() >= deadline:
            break
        status, version = state[activity_id]
        target = NEXT_STATUS[status]
        note = f"raw {done}"
        payload = encode_data(
            {"activity_id": activity_id, "from_status": status, "note": note, "to_status": target}
        )
        now = datetime.now(UTC)
        if lite is not None:
            at = now.strftime("%Y-%m-%d %H:%M:%S.%f")
            lite.execute("BEGIN IMMEDIATE")
            lite.execute(insert, (activity_id, version + 1, payload, at))
            lite.execute(update, (target, version + 1, at, note, activity_id))
            lite.execute("COMMIT")
        else:
            assert pg is not None
            pg.execute("LOCK TABLE events IN EXCLUSIVE MODE")
            pg.execute(insert, (activity_id, version + 1, payload, now))
            pg.execute(update, (target, version + 1, now, note, activity_id))
            pg.commit()
        state[activity_id] = (target, version + 1)
        done += 1
    elapsed = time.perf_counter() - start
    recount = ("DELETE FROM plan_status_count", _RECOUNT)
    if lite is not None:
        lite.execute("BEGIN IMMEDIATE")
        for sql in recount:
            lite.execute(sql)
        lite.execute("COMMIT")
        lite.close()
    else:
        assert pg is not None
        for sql in recount:
            pg.execute(sql)
        pg.commit()
        pg.close()
    return done, elapsed


def raw_scan(url: str, batch_size: int = 5000) -> tuple[int, float]:
    """Read every event in position order and decode its payload and time: (events, seconds)."""
    query = (
        "SELECT position, stream_id, version, type, data, actor, recorded_at "
        "FROM events ORDER BY position"
    )
    count = 0
    checksum = 0
    decoded: Any
    start = time.perf_counter()
    if is_sqlite(url):
        lite = connect_sqlite(url)
        cursor = lite.execute(query)
        while rows := cursor.fetchmany(batch_size):
            for row in rows:
                decoded = json.loads(row[4])
                checksum += len(decoded) + datetime.fromisoformat(row[6]).day
                count += 1
        lite.close()
    else:
        with psycopg.connect(libpq_url(url)) as pg, pg.cursor(name="bench_scan") as server:
            server.itersize = batch_size
            server.execute(query)
            for row in server:
                decoded = json.loads(row[4])
                checksum += len(decoded) + row[6].day  # psycopg decodes timestamptz itself
                count += 1
    elapsed = time.perf_counter() - start
    assert checksum > 0 or count == 0
    return count, elapsed
