"""The event store: append events to a stream with an expected version; read them back.

Nothing is ever updated or deleted (triggers in `schema.py` enforce it). The store works
inside a transaction the caller owns, so projections can be updated in the same one.

PostgreSQL hands out positions from a sequence before commit, so a transaction that took
position 11 may commit after one that took 12; a reader tailing by position would then skip
11 for ever. Like the eventsourcing library, `append` takes an EXCLUSIVE lock on the table
(readers are not blocked), so positions become visible in order. On SQLite, writes are
already serialised by BEGIN IMMEDIATE.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from events.driver import DriverStatement, pipeline, run_sql
from events.schema import events_table


@dataclass(frozen=True)
class NewEvent:
    """An event about to be appended: its type name and JSON-able payload."""

    type: str
    data: Mapping[str, Any]


class RecordedEvent(NamedTuple):
    """An event as stored: with its global position, stream version, actor and time.

    A named tuple rather than a frozen dataclass: as immutable, and five times quicker to
    make, which a replay of the national log does a million times.
    """

    position: int
    stream_id: str
    version: int
    type: str
    data: Mapping[str, Any]
    actor: int | None
    recorded_at: datetime


class ConcurrencyError(Exception):
    """The stream moved on since it was read: the caller's decision is stale (HTTP 409)."""

    def __init__(self, stream_id: str, expected: int, actual: int | None) -> None:
        super().__init__(f"stream {stream_id}: expected version {expected}, found {actual}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


def encode_data(data: Mapping[str, Any]) -> str:
    """Canonical JSON: the same payload always gives the same bytes."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _is_version_conflict(error: Exception) -> bool:
    """Whether an integrity error is the event table's UNIQUE(stream_id, version)."""
    original = getattr(error, "orig", None) or error
    diagnostics = getattr(original, "diag", None)
    if diagnostics is not None:  # psycopg
        return bool(diagnostics.constraint_name == "uq_events_stream_version")
    return "events.stream_id, events.version" in str(original)  # SQLite's message


# SQLAlchemy writes SQLite times as 'YYYY-MM-DD HH:MM:SS.ffffff', UTC without an offset.
_SQLITE_TIME_LENGTH = len("2021-01-04 09:00:00.000000")


def _utc(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite's text form, read raw
        if len(value) == _SQLITE_TIME_LENGTH:
            return datetime.fromisoformat(value + "+00:00")
        value = datetime.fromisoformat(value)
    if value.tzinfo is UTC:
        return value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _recorded(row: Sequence[Any]) -> RecordedEvent:
    # Unpacking the row is much cheaper than attribute access per column; a full replay
    # does this a million times. The order is that of `events_table`'s columns.
    position, stream_id, version, type_name, data, actor, recorded_at = row
    return RecordedEvent(
        position, stream_id, version, type_name, json.loads(data), actor, _utc(recorded_at)
    )


def _decoded(rows: Sequence[Sequence[Any]]) -> Iterator[RecordedEvent]:
    """Rows read raw by position (the columns of `_READ_ALL_SQL`) as recorded events, each
    decoded when the reader reaches it. A replay folds each event before the next is made,
    so the payload just read is freed while it is still in the processor's cache: decoding
    a whole batch first and folding it afterwards took 40 % longer (profile 21 in
    bench/RESULTS.md)."""
    if not rows:
        return iter(())
    # `tuple.__new__` with the values in field order: the named tuple's own constructor is a
    # Python function, and this runs once per event of a replay.
    loads, new = json.loads, tuple.__new__
    if isinstance(rows[0][6], str):
        # SQLite: times as UTC text without an offset, as SQLAlchemy writes them; parsed
        # inline (a replay does this a million times), any other text by `_utc`.
        parse, length = datetime.fromisoformat, _SQLITE_TIME_LENGTH
        return (
            new(
                RecordedEvent,
                (p, s, v, t, loads(d), a, parse(at + "+00:00") if len(at) == length else _utc(at)),
            )
            for p, s, v, t, d, a, at in rows
        )
    # PostgreSQL: sessions run in UTC, so psycopg hands out times in `datetime.UTC` already;
    # a time in any other zone is converted by `_utc`.
    return (
        new(RecordedEvent, (p, s, v, t, loads(d), a, at if at.tzinfo is UTC else _utc(at)))
        for p, s, v, t, d, a, at in rows
    )


# Statements built once: SQLAlchemy then reuses their compiled form without rebuilding or
# re-hashing them on every call (that was a fifth of the cost of a status change).
_CURRENT_VERSION = sa.select(sa.func.coalesce(sa.func.max(events_table.c.version), 0)).where(
    events_table.c.stream_id == sa.bindparam("stream_id")
)
_INSERT = sa.insert(events_table).returning(events_table.c.position, sort_by_parameter_order=True)
_COLUMNS = ("stream_id", "version", "type", "data", "actor", "recorded_at")
# The first event of an append goes in only if the stream is still at the expected version:
# the version check and the insert are one statement (one round trip on PostgreSQL).
_APPEND_FIRST = DriverStatement(
    sa.insert(events_table)
    .from_select(
        list(_COLUMNS),
        sa.select(
            *(sa.bindparam(name, type_=events_table.c[name].type) for name in _COLUMNS)
        ).where(
            sa.select(sa.func.coalesce(sa.func.max(events_table.c.version), 0))
            .where(events_table.c.stream_id == sa.bindparam("stream_id"))
            .scalar_subquery()
            == sa.bindparam("expected", type_=sa.Integer)
        ),
    )
    .returning(events_table.c.position)
)
_READ_STREAM = (
    sa.select(events_table)
    .where(events_table.c.stream_id == sa.bindparam("stream_id"))
    .order_by(events_table.c.version)
)
# Reading by position (tailing readers, replays of the whole log): untyped text, so rows come
# straight from the driver without SQLAlchemy's per-value result processing (a fifth of the
# read cost); `_utc` parses the timestamp SQLite returns as text (PostgreSQL: a datetime).
_READ_ALL_SQL = (
    "SELECT position, stream_id, version, type, data, actor, recorded_at FROM events "
    "WHERE position > :after ORDER BY position"
)
_READ_ALL = DriverStatement(sa.text(_READ_ALL_SQL))
_READ_BATCH = DriverStatement(sa.text(_READ_ALL_SQL + " LIMIT :limit"))


class EventStore:
    """Append and read events on a connection whose transaction the caller controls."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._locked_in: object = None  # the transaction holding the append lock

    def lock_for_append(self) -> None:
        """PostgreSQL: take the event table's EXCLUSIVE lock now, for the rest of this
        transaction (see the module docstring). A writer that reads state to decide on
        takes it before reading, so what it read cannot change before its append."""
        if self.connection.dialect.name != "postgresql":
            return
        transaction = self.connection.get_transaction()
        if transaction is not None and transaction is self._locked_in:
            return
        run_sql(self.connection, "LOCK TABLE events IN EXCLUSIVE MODE")
        self._locked_in = self.connection.get_transaction()

    def current_version(self, stream_id: str) -> int:
        """The version of the last event in the stream (0 when the stream is empty)."""
        found = self.connection.execute(_CURRENT_VERSION, {"stream_id": stream_id})
        return int(found.scalar_one())

    def append(
        self,
        stream_id: str,
        expected_version: int,
        new_events: Sequence[NewEvent],
        *,
        actor: int | None,
        recorded_at: datetime,
        project: Callable[[Sequence[RecordedEvent]], None] | None = None,
    ) -> list[RecordedEvent]:
        """Append `new_events` after `expected_version`, or raise ConcurrencyError.

        The first event is inserted only if the stream is at `expected_version` (checked in
        the same statement); when it is not, nothing is written and the error carries the
        current version for the 409 answer. The UNIQUE(stream_id, version) constraint backs
        the check up should a writer ever slip in between (the transaction is then unusable,
        so the current version is not known).

        `project` updates the read models for the events in the same transaction. On
        PostgreSQL it runs before the insert is answered, so its statements travel with the
        insert (`driver.pipeline`: one round trip instead of three); it must therefore run
        its statements on the driver (`driver.DriverStatement`), not through SQLAlchemy,
        which expects answers at once. The events it is given have position 0, as their
        positions are not known yet (no read model uses them).
        Should the insert turn out refused, the error is raised and the caller's rollback
        undoes the projection with it.
        """
        if not new_events:
            return []
        self.lock_for_append()
        at = _utc(recorded_at)
        versions = range(expected_version + 1, expected_version + 1 + len(new_events))
        payloads = [encode_data(event.data) for event in new_events]
        rows = [
            {
                "stream_id": stream_id,
                "version": version,
                "type": event.type,
                "data": payload,
                "actor": actor,
                "recorded_at": at,
            }
            for version, event, payload in zip(versions, new_events, payloads, strict=True)
        ]
        recorded = [
            RecordedEvent(0, stream_id, version, event.type, json.loads(payload), actor, at)
            for version, event, payload in zip(versions, new_events, payloads, strict=True)
        ]
        try:
            with pipeline(self.connection) as pipelined:
                inserted = _APPEND_FIRST.execute(
                    self.connection, {**rows[0], "expected": expected_version}
                )
                if not pipelined:
                    first = self._inserted(inserted, stream_id, expected_version)
                if project is not None:
                    project(recorded)
            if pipelined:
                first = self._inserted(inserted, stream_id, expected_version)
            positions = [first]
            if len(rows) > 1:
                result = self.connection.execute(_INSERT, rows[1:])
                positions += [row.position for row in result]
        except (sa.exc.IntegrityError, sqlite3.IntegrityError, psycopg.IntegrityError) as error:
            if not _is_version_conflict(error):
                raise  # e.g. from the projection: a bug to see, not a conflict to report
            raise ConcurrencyError(stream_id, expected_version, None) from None
        return [
            event._replace(position=position)
            for event, position in zip(recorded, positions, strict=True)
        ]

    def _inserted(self, cursor: Any, stream_id: str, expected_version: int) -> int:
        """The position the conditional insert returned, or ConcurrencyError if it wrote none."""
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        if row is None:
            raise ConcurrencyError(stream_id, expected_version, self.current_version(stream_id))
        return int(row[0])

    def read_stream(self, stream_id: str, *, until: datetime | None = None) -> list[RecordedEvent]:
        """All events of one stream in version order (up to `until`, inclusive, if given)."""
        if until is None:
            rows = self.connection.execute(_READ_STREAM, {"stream_id": stream_id})
        else:
            query = _READ_STREAM.where(events_table.c.recorded_at <= _utc(until))
            rows = self.connection.execute(query, {"stream_id": stream_id})
        return [_recorded(row) for row in rows]

    def read_streams(
        self, stream_ids: Sequence[str], *, until: datetime | None = None
    ) -> list[RecordedEvent]:
        """The events of several streams (up to `until`, inclusive), in position order."""
        found: list[RecordedEvent] = []
        for start in range(0, len(stream_ids), 500):  # stay under the databases' bind limits
            query = sa.select(events_table).where(
                events_table.c.stream_id.in_(stream_ids[start : start + 500])
            )
            if until is not None:
                query = query.where(events_table.c.recorded_at <= _utc(until))
            found.extend(_recorded(row) for row in self.connection.execute(query))
        return sorted(found, key=lambda event: event.position)

    def read_all(self, after: int = 0, limit: int | None = None) -> list[RecordedEvent]:
        """Events with a position greater than `after`, in position order (for tailing readers)."""
        if limit is None:
            cursor = _READ_ALL.execute(self.connection, {"after": after})
        else:
            cursor = _READ_BATCH.execute(self.connection, {"after": after, "limit": limit})
        try:
            rows = cursor.fetchall()
        finally:
            cursor.close()
        return list(_decoded(rows))

    def iter_all(self, batch_size: int = 5000) -> Iterator[RecordedEvent]:
        """Every event in position order, fetched in batches (for replays of a large log)."""
        for batch in self.iter_batches(batch_size):
            yield from batch

    def iter_batches(self, batch_size: int = 5000) -> Iterator[Iterator[RecordedEvent]]:
        """Every event in position order, in batches of up to `batch_size` read at once and
        decoded one event at a time (see `_decoded`): one query, read as it streams. On
        PostgreSQL the query is a server-side cursor of the current transaction: read to
        the end, or close the generator, before it ends."""
        for rows in _READ_ALL.batches(self.connection, {"after": 0}, batch_size):
            yield _decoded(rows)

    def last_position(self) -> int:
        """The highest position in the log (0 when empty)."""
        query = sa.select(sa.func.coalesce(sa.func.max(events_table.c.position), 0))
        return int(self.connection.execute(query).scalar_one())
