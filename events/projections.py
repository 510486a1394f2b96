"""Read models derived from the event log, and the one fold that builds them.

`evolve` is the single definition of how an event changes an activity's read model. It is
used both incrementally (`apply`, in the same transaction as the append) and by `rebuild`
(a full replay), so the two cannot drift apart; a test compares their results.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlmodel import Field, SQLModel

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


class PlanStatusCount(SQLModel, table=True):
    """How many activities of a plan have each status."""

    __tablename__ = "plan_status_count"
    plan_id: int = Field(primary_key=True)
    status: str = Field(primary_key=True, max_length=20)
    count: int = 0


READ_MODEL_TABLES = (ActivityState.__table__, PlanStatusCount.__table__)  # type: ignore[attr-defined]
state_table: sa.Table = ActivityState.__table__  # type: ignore[attr-defined]
count_table: sa.Table = PlanStatusCount.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ActivityRow:
    """One row of `activity_state`, as the fold sees it."""

    activity_id: str
    plan_id: int
    status: str
    version: int
    planned_at: datetime
    last_update_at: datetime | None = None
    last_update_by: int | None = None
    last_note: str = ""
    carried_from: str | None = None


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
        )
    if row is None:
        return None
    # The rows are built directly rather than with dataclasses.replace, which is several
    # times slower; a full replay calls this a million times.
    if event.type == "ActivityStatusChanged":
        return ActivityRow(
            activity_id=row.activity_id,
            plan_id=row.plan_id,
            status=str(data["to_status"]),
            version=event.version,
            planned_at=row.planned_at,
            last_update_at=event.recorded_at,
            last_update_by=event.actor,
            last_note=str(data.get("note") or "") or row.last_note,
            carried_from=row.carried_from,
        )
    if event.type == "ActivityCarriedOver":
        return replace(
            row,
            status="doorgeschoven",
            version=event.version,
            last_update_at=event.recorded_at,
            last_update_by=event.actor,
            last_note=str(data.get("reason") or "") or row.last_note,
        )
    if event.type == "ActivityCarriedIn":
        return replace(row, version=event.version, carried_from=str(data["carried_from"]))
    if event.type == "TargetProgressRecorded":
        return replace(
            row,
            version=event.version,
            last_update_at=event.recorded_at,
            last_update_by=event.actor,
            last_note=str(data.get("note") or "") or row.last_note,
        )
    if event.type == "ActivityNoteAdded":
        return ActivityRow(
            activity_id=row.activity_id,
            plan_id=row.plan_id,
            status=row.status,
            version=event.version,
            planned_at=row.planned_at,
            last_update_at=event.recorded_at,
            last_update_by=event.actor,
            last_note=str(data["note"]),
            carried_from=row.carried_from,
        )
    # Events this projection does not read still advance the version it reports.
    return replace(row, version=event.version)


def _values(row: ActivityRow) -> dict[str, Any]:
    """The row's columns as a dict (dataclasses.asdict deep-copies, which is slow)."""
    return dict(vars(row))


# Statements built once (see events/store.py for why).
_LOAD_ROW = sa.select(state_table).where(state_table.c.activity_id == sa.bindparam("row_id"))
_INSERT_ROW = sa.insert(state_table)
_UPDATE_ROW = sa.update(state_table).where(state_table.c.activity_id == sa.bindparam("row_id"))
_ADD_COUNTS: dict[str, sa.Executable] = {}


def _load_row(connection: Connection, activity_id: str) -> ActivityRow | None:
    found = connection.execute(_LOAD_ROW, {"row_id": activity_id}).one_or_none()
    return ActivityRow(**found._asdict()) if found is not None else None


def apply(connection: Connection, recorded: Sequence[RecordedEvent]) -> None:
    """Update the read models for events just appended, in the caller's transaction."""
    rows: dict[str, ActivityRow | None] = {}
    before: dict[str, ActivityRow | None] = {}
    for event in recorded:
        if event.stream_id not in rows:
            loaded = (
                None if event.type == "ActivityPlanned" else _load_row(connection, event.stream_id)
            )
            rows[event.stream_id] = before[event.stream_id] = loaded
        rows[event.stream_id] = evolve(rows[event.stream_id], event)
    deltas: Counter[tuple[int, str]] = Counter()
    for activity_id, row in rows.items():
        old = before[activity_id]
        if row is None:
            continue
        values = _values(row)
        if old is None:
            connection.execute(_INSERT_ROW, values)
        else:
            values["row_id"] = values.pop("activity_id")
            connection.execute(_UPDATE_ROW, values)
            deltas[(old.plan_id, old.status)] -= 1
        deltas[(row.plan_id, row.status)] += 1
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
    name = connection.dialect.name
    if name not in _ADD_COUNTS:
        insert = (postgresql if name == "postgresql" else sqlite).insert(count_table)
        _ADD_COUNTS[name] = insert.on_conflict_do_update(
            index_elements=[count_table.c.plan_id, count_table.c.status],
            set_={"count": count_table.c.count + insert.excluded.count},
        )
    connection.execute(_ADD_COUNTS[name], changes)


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
    The loop is `fold`, inlined to count the events without a generator per event.
    """
    events_seen = 0
    rows: dict[str, ActivityRow] = {}
    # A replay allocates millions of small objects that form no reference cycles; the cyclic
    # garbage collector would walk the growing set of live rows again and again (a third
    # of the time of a full replay of the national log). Nothing cyclic is left behind.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for event in EventStore(connection).iter_all(batch_size):
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
        connection.execute(_INSERT_ROW, values[start : start + batch_size])
    counts = Counter((row.plan_id, row.status) for row in rows.values())
    if counts:
        connection.execute(
            sa.insert(count_table),
            [{"plan_id": p, "status": s, "count": n} for (p, s), n in sorted(counts.items())],
        )
    return events_seen


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
