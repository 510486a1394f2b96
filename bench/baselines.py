"""The baselines: what the bare database does with the same table, without the tracker.

A raw single-row insert loop (one transaction per row, on the events table itself, through
the DB-API driver with the engine's own settings), and a raw scan of the log that decodes
what a replay needs (the JSON payload and the timestamp). The tracker's figures are divided
by these, measured in the same run on the same database, so the ratios travel between
machines better than the absolute numbers.
"""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import UTC, datetime
from typing import Any

import psycopg
import sqlalchemy as sa

from events.database import SQLITE_BUSY_TIMEOUT_MS, SQLITE_WAL_AUTOCHECKPOINT_PAGES
from events.store import encode_data

PROBE_PAYLOAD = encode_data(
    {"activity_id": "x" * 36, "note": "Overleg met de werkgroep gevoerd.", "status": "lopend"}
)


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


def raw_insert_loop(url: str, seconds: float, limit: int = 1_000_000) -> tuple[int, float]:
    """Insert single rows, each its own (autocommit) transaction, for `seconds`.

    The rows go into the events table under streams of their own with a type the
    projections and the aggregate ignore, so the index and table sizes are the real ones.
    Returns (rows, elapsed seconds).
    """
    stamp = int(time.time() * 1000)
    sql = (
        "INSERT INTO events (stream_id, version, type, data, actor, recorded_at) "
        "VALUES ({p}, 1, 'BenchProbe', {p}, NULL, {p})"
    )
    if is_sqlite(url):
        lite = connect_sqlite(url)
        statement = sql.format(p="?")
        start = time.perf_counter()
        deadline = start + seconds
        done = 0
        while done < limit and time.perf_counter() < deadline:
            now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
            lite.execute(statement, (f"bench-raw-{stamp}-{done}", PROBE_PAYLOAD, now))
            done += 1
        elapsed = time.perf_counter() - start
        lite.close()
        return done, elapsed
    with psycopg.connect(libpq_url(url), autocommit=True) as pg:
        statement = sql.format(p="%s")
        start = time.perf_counter()
        deadline = start + seconds
        done = 0
        while done < limit and time.perf_counter() < deadline:
            pg.execute(statement, (f"bench-raw-{stamp}-{done}", PROBE_PAYLOAD, datetime.now(UTC)))
            done += 1
        return done, time.perf_counter() - start


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
