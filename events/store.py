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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

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


def _recorded(row: Any) -> RecordedEvent:
    position, stream_id, version, type_name, data, actor, recorded_at = row
    return RecordedEvent(
        position, stream_id, version, type_name, json.loads(data), actor, _utc(recorded_at)
    )


# Statements built once: SQLAlchemy then reuses their compiled form.
_CURRENT_VERSION = sa.select(sa.func.coalesce(sa.func.max(events_table.c.version), 0)).where(
    events_table.c.stream_id == sa.bindparam("stream_id")
)
_INSERT = sa.insert(events_table).returning(events_table.c.position, sort_by_parameter_order=True)
_COLUMNS = ("stream_id", "version", "type", "data", "actor", "recorded_at")
# The first event of an append goes in only if the stream is still at the expected version:
# the check and the insert in one statement.
_APPEND_FIRST = (
    sa.insert(events_table)
    .from_select(
        list(_COLUMNS),
        sa.select(
            *(sa.bindparam(name, type_=events_table.c[name].type) for name in _COLUMNS)
        ).where(_CURRENT_VERSION.scalar_subquery() == sa.bindparam("expected", type_=sa.Integer)),
    )
    .returning(events_table.c.position)
)
_READ_STREAM = (
    sa.select(events_table)
    .where(events_table.c.stream_id == sa.bindparam("stream_id"))
    .order_by(events_table.c.version)
)
_READ_ALL = (
    sa.select(events_table)
    .where(events_table.c.position > sa.bindparam("after"))
    .order_by(events_table.c.position)
)


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
        self.connection.execute(sa.text("LOCK TABLE events IN EXCLUSIVE MODE"))
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
    ) -> list[RecordedEvent]:
        """Append `new_events` after `expected_version`, or raise ConcurrencyError.

        The first event goes in only if the stream is at `expected_version` (checked in the
        same statement); when it is not, nothing is written and the error carries the
        current version for the 409 answer. The UNIQUE(stream_id, version) constraint backs
        the check up.
        """
        if not new_events:
            return []
        self.lock_for_append()
        at = _utc(recorded_at)
        payloads = [encode_data(event.data) for event in new_events]
        versions = range(expected_version + 1, expected_version + 1 + len(new_events))
        rows = [
            dict(zip(_COLUMNS, (stream_id, version, event.type, payload, actor, at), strict=True))
            for version, event, payload in zip(versions, new_events, payloads, strict=True)
        ]
        try:
            first = self.connection.execute(
                _APPEND_FIRST, {**rows[0], "expected": expected_version}
            ).scalar()
            if first is None:
                current = self.current_version(stream_id)
                raise ConcurrencyError(stream_id, expected_version, current)
            positions = [first]
            if len(rows) > 1:
                positions += self.connection.execute(_INSERT, rows[1:]).scalars().all()
        except sa.exc.IntegrityError as error:
            if not _is_version_conflict(error):
                raise  # a bug to see, not a conflict to report
            raise ConcurrencyError(stream_id, expected_version, None) from None
        return [
            RecordedEvent(position, stream_id, version, event.type, json.loads(payload), actor, at)
            for position, version, event, payload in zip(
                positions, versions, new_events, payloads, strict=True
            )
        ]

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
        query = _READ_ALL if limit is None else _READ_ALL.limit(limit)
        return [_recorded(row) for row in self.connection.execute(query, {"after": after})]

    def iter_all(self, batch_size: int = 5000) -> Iterator[RecordedEvent]:
        """Every event in position order, streamed in batches of `batch_size` rows (a
        server-side cursor on PostgreSQL: read it to the end within its transaction)."""
        result = self.connection.execute(
            _READ_ALL.execution_options(yield_per=batch_size), {"after": 0}
        )
        try:
            for row in result:
                yield _recorded(row)
        finally:
            result.close()
