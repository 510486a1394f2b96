"""Read models derived from the event log, and the one fold that builds them.

`evolve` is the single definition of how an event changes an activity's read model. It is
used both incrementally (`apply`, in the same transaction as the append) and by `rebuild`
(a full replay), so the two cannot drift apart; a test compares their results.

`activity_state` is also the snapshot the command handlers decide on: it carries, besides
what the pages show, what the Activity aggregate needs (status, version, the version of
the last deciding event, carry-over links), kept in the same transaction as every append,
so a status change reads one row instead of replaying its stream. The log stays the truth:
`rebuild` derives the row again, `check-store` compares both, and a test checks that the
row gives the same aggregate as a replay of the stream, for every stream.

The read models have no migrations: they are derived data. When their columns change,
`ensure_shape` (run by `init-db`) drops them and rebuilds them from the log.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlmodel import Field, SQLModel

from events.driver import DriverStatement
from events.store import EventStore, RecordedEvent


class ActivityState(SQLModel, table=True):
    """Current tracked state per activity: status, version, last update and last note."""

    __tablename__ = "activity_state"
    activity_id: str = Field(primary_key=True, max_length=64)
    plan_id: int = Field(index=True)
    status: str = Field(max_length=20, index=True)
    version: int
    planned_at: datetime
    last_update_at: datetime | None = None
    last_update_by: int | None = None
    last_note: str = ""
    carried_from: str | None = Field(default=None, max_length=64)
    carried_to: str | None = Field(default=None, max_length=64)
    # The version of the last event that changed the activity (not a reminder delivered).
    decided_version: int = 0


class PlanStatusCount(SQLModel, table=True):
    """How many activities of a plan have each status."""

    __tablename__ = "plan_status_count"
    plan_id: int = Field(primary_key=True)
    status: str = Field(primary_key=True, max_length=20)
    count: int = 0


READ_MODEL_TABLES = (ActivityState.__table__, PlanStatusCount.__table__)  # type: ignore[attr-defined]
state_table: sa.Table = ActivityState.__table__  # type: ignore[attr-defined]
count_table: sa.Table = PlanStatusCount.__table__  # type: ignore[attr-defined]


class ActivityRow(NamedTuple):
    """One row of `activity_state`, as the fold sees it (immutable; a named tuple is much
    quicker to make than a frozen dataclass, and a replay makes one per event)."""

    activity_id: str
    plan_id: int
    status: str
    version: int
    planned_at: datetime
    last_update_at: datetime | None = None
    last_update_by: int | None = None
    last_note: str = ""
    carried_from: str | None = None
    carried_to: str | None = None
    decided_version: int = 0


_new_row = tuple.__new__


def evolve(row: ActivityRow | None, event: RecordedEvent) -> ActivityRow | None:
    """The read model of an activity after `event` (None: the stream is not an activity)."""
    data = event.data
    if event.type == "ActivityPlanned":
        return ActivityRow(
            activity_id=event.stream_id,
            plan_id=int(data["plan_id"]),
            status="gepland",
            version=event.version,
            planned_at=event.recorded_at,
            carried_from=data.get("carried_from"),
            decided_version=event.version,
        )
    if row is None:
        return None
    # The two most frequent events first, their rows made by `tuple.__new__` from the values
    # in field order (activity_id, plan_id, status, version, planned_at, last_update_at,
    # last_update_by, last_note, carried_from, carried_to, decided_version): a full replay
    # does this a million times, and the named tuple's own constructor, keywords or
    # `_replace` take 1.2 to 2 times as long. A test checks every field of both.
    kind = event.type
    if kind == "ActivityNoteAdded":
        return _new_row(
            ActivityRow,
            (
                row.activity_id,
                row.plan_id,
                row.status,
                event.version,
                row.planned_at,
                event.recorded_at,
                event.actor,
                str(data["note"]),
                row.carried_from,
                row.carried_to,
                event.version,
            ),
        )
    if kind == "ActivityStatusChanged":
        return _new_row(
            ActivityRow,
            (
                row.activity_id,
                row.plan_id,
                str(data["to_status"]),
                event.version,
                row.planned_at,
                event.recorded_at,
                event.actor,
                str(data.get("note") or "") or row.last_note,
                row.carried_from,
                row.carried_to,
                event.version,
            ),
        )
    if kind == "ReminderSent":  # a mail went out: the activity itself did not change
        return row._replace(version=event.version)
    if kind == "ActivityCarriedOver":
        return row._replace(
            status="doorgeschoven",
            version=event.version,
            last_update_at=event.recorded_at,
            last_update_by=event.actor,
            last_note=str(data.get("reason") or "") or row.last_note,
            carried_to=str(data["to_activity_id"]),
            decided_version=event.version,
        )
    if kind == "ActivityCarriedIn":
        return row._replace(
            version=event.version,
            carried_from=str(data["carried_from"]),
            decided_version=event.version,
        )
    if kind == "TargetProgressRecorded":
        return row._replace(
            version=event.version,
            last_update_at=event.recorded_at,
            last_update_by=event.actor,
            last_note=str(data.get("note") or "") or row.last_note,
            decided_version=event.version,
        )
    # Events this projection does not read still advance the version (and, like every event
    # but a reminder, make decisions taken before them stale).
    return row._replace(version=event.version, decided_version=event.version)


def _values(row: ActivityRow) -> dict[str, Any]:
    """The row's columns as a dict."""
    return row._asdict()


# Statements built once (see events/store.py for why); those of `apply` run on the driver's
# cursor (events/driver.py): they are most of the write path.
_ROW_COLUMNS = tuple(state_table.columns)
_LOAD = DriverStatement(
    sa.select(*_ROW_COLUMNS).where(state_table.c.activity_id == sa.bindparam("row_id")),
    result_types=[column.type for column in _ROW_COLUMNS],
)
_INSERT = DriverStatement(
    sa.insert(state_table).values(
        {column.name: sa.bindparam(column.name, type_=column.type) for column in _ROW_COLUMNS}
    )
)
_UPDATE = DriverStatement(
    sa.update(state_table)
    .where(state_table.c.activity_id == sa.bindparam("row_id"))
    .values(
        {
            column.name: sa.bindparam(column.name, type_=column.type)
            for column in _ROW_COLUMNS
            if column.name != "activity_id"
        }
    )
)


def _add_counts_statement(dialect: str) -> sa.ClauseElement:
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(count_table)
    return insert.on_conflict_do_update(
        index_elements=[count_table.c.plan_id, count_table.c.status],
        set_={"count": count_table.c.count + insert.excluded.count},
    )


_ADD_COUNTS = {
    name: DriverStatement(_add_counts_statement(name)) for name in ("sqlite", "postgresql")
}


def load_row(connection: Connection, activity_id: str) -> ActivityRow | None:
    """The read model of one activity as the last commit left it (None: no such activity)."""
    return send_load_row(connection, activity_id)()


def send_load_row(connection: Connection, activity_id: str) -> Callable[[], ActivityRow | None]:
    """`load_row` in two steps: the query is sent now, the row read when the result is
    called (inside a `driver.pipeline` block: after the block, see `DriverStatement.send`)."""
    answer = _LOAD.send(connection, {"row_id": activity_id})

    def row() -> ActivityRow | None:
        found = answer.first()
        return ActivityRow(*found) if found is not None else None

    return row


def apply(
    connection: Connection,
    recorded: Sequence[RecordedEvent],
    loaded: Mapping[str, ActivityRow | None] | None = None,
) -> None:
    """Update the read models for events just appended, in the caller's transaction.

    `loaded` holds rows the caller read in this transaction before the append (the command
    handlers decide on them), so they are not read twice.
    """
    rows: dict[str, ActivityRow | None] = {}
    before: dict[str, ActivityRow | None] = {}
    for event in recorded:
        if event.stream_id not in rows:
            if loaded is not None and event.stream_id in loaded:
                row = loaded[event.stream_id]
            elif event.type == "ActivityPlanned":
                row = None
            else:
                row = load_row(connection, event.stream_id)
            rows[event.stream_id] = before[event.stream_id] = row
        rows[event.stream_id] = evolve(rows[event.stream_id], event)
    deltas: Counter[tuple[int, str]] = Counter()
    for activity_id, new in rows.items():
        old = before[activity_id]
        if new is None:
            continue
        values = _values(new)
        if old is None:
            _INSERT.execute(connection, values).close()
        else:
            values["row_id"] = values.pop("activity_id")
            _UPDATE.execute(connection, values).close()
            deltas[(old.plan_id, old.status)] -= 1
        deltas[(new.plan_id, new.status)] += 1
    _add_counts(connection, deltas)


def _add_counts(connection: Connection, deltas: Counter[tuple[int, str]]) -> None:
    """Add the deltas to the counts: one statement for all of them, in key order."""
    changes = [
        {"plan_id": plan_id, "status": status, "count": delta}
        for (plan_id, status), delta in sorted(deltas.items())
        if delta != 0
    ]
    if not changes:
        return
    _ADD_COUNTS[connection.dialect.name].executemany(connection, changes)


def fold(events: Iterable[RecordedEvent]) -> dict[str, ActivityRow]:
    """Replay events (in position order) into the read model rows, in memory."""
    rows: dict[str, ActivityRow] = {}
    for event in events:
        row = evolve(rows.get(event.stream_id), event)
        if row is not None:
            rows[event.stream_id] = row
    return rows


def rebuild(connection: Connection, batch_size: int = 5000) -> int:
    """Throw the read models away and derive them again from every event; returns the count.

    Runs in the caller's transaction, so readers see either the old or the new read models.
    It holds the append lock from the start (PostgreSQL; SQLite's writers are serialised
    already), so no change commits between the replay's read of the log and its write of the
    rows, which would leave a row, the handlers' snapshot, behind its stream. The loop is
    `fold`, inlined to count the events without a generator per event.
    """
    store = EventStore(connection)
    store.lock_for_append()
    events_seen = 0
    rows: dict[str, ActivityRow] = {}
    # A replay allocates millions of small objects that form no reference cycles; the cyclic
    # garbage collector would walk the growing set of live rows again and again (a third
    # of the time of a full replay of the national log). Nothing cyclic is left behind.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for batch in store.iter_batches(batch_size):
            for event in batch:
                events_seen += 1
                row = evolve(rows.get(event.stream_id), event)
                if row is not None:
                    rows[event.stream_id] = row
    finally:
        if collecting:
            gc.enable()
    for table in READ_MODEL_TABLES:
        connection.execute(sa.delete(table))
    values = [_values(row) for row in rows.values()]
    for start in range(0, len(values), batch_size):
        _INSERT.executemany(connection, values[start : start + batch_size])
    counts = Counter((row.plan_id, row.status) for row in rows.values())
    if counts:
        connection.execute(
            sa.insert(count_table),
            [{"plan_id": p, "status": s, "count": n} for (p, s), n in sorted(counts.items())],
        )
    return events_seen


def ensure_shape(connection: Connection) -> bool:
    """Rebuild the read models when their tables lack a column of this version (they are
    derived data, so they are replaced, not migrated); returns whether it rebuilt them."""
    inspector = sa.inspect(connection)
    for table in READ_MODEL_TABLES:
        have = {column["name"] for column in inspector.get_columns(table.name)}
        if not set(table.columns.keys()) <= have:
            break
    else:
        return False
    for table in reversed(READ_MODEL_TABLES):
        table.drop(connection, checkfirst=True)
    for table in READ_MODEL_TABLES:
        table.create(connection)
    rebuild(connection)
    return True


def snapshot(connection: Connection) -> dict[str, list[tuple[object, ...]]]:
    """All read-model rows, sorted, for comparing a live projection with a replay."""
    result: dict[str, list[tuple[object, ...]]] = {}
    for table in READ_MODEL_TABLES:
        rows = connection.execute(sa.select(table).order_by(*table.primary_key.columns))
        result[table.name] = [tuple(row) for row in rows if not _is_zero_count(table, row)]
    return result


def _is_zero_count(table: sa.Table, row: sa.Row[tuple[object, ...]]) -> bool:
    # An incremental projection keeps a count row at 0 after the last activity leaves a
    # status; a replay never writes it. Both mean "none", so the comparison ignores them.
    return table is count_table and row.count == 0
