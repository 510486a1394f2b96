"""Read models derived from the event log: an activity's state as a row, counts per plan.

The domain's Activity aggregate is the only fold (tracker.domain.activity): a row of
`activity_state` is an Activity's state, written in the same transaction as every append
(`save`), and `rebuild` replays the whole log through the same aggregate. The row is also
the snapshot the command handlers decide on: it holds all of the aggregate's state, so a
change reads one row instead of replaying its stream. The log stays the truth: `rebuild`
derives the rows again, `check-store` compares, and the Hypothesis state machine checks
after every step that row and replay give the same aggregate.

The read models have no migrations: they are derived data. When their columns change,
`ensure_shape` (run by `init-db`) drops them and rebuilds them from the log.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import Field, SQLModel

from events.database import upsert_insert
from events.store import EventStore, RecordedEvent
from tracker.domain.activity import Activity, evolve
from tracker.domain.events import EVENT_TYPES, Recorded, decode
from tracker.domain.status import Status


class ActivityState(SQLModel, table=True):
    """An activity's state (tracker.domain.activity.Activity) as a row."""

    __tablename__ = "activity_state"
    activity_id: str = Field(primary_key=True, max_length=64)
    plan_id: int = Field(index=True)
    status: str = Field(max_length=20, index=True)
    version: int
    decided_version: int = 0
    planned_at: datetime
    last_update_at: datetime | None = None
    last_update_by: int | None = None
    last_happened_at: datetime | None = None
    last_note: str = ""
    carried_from: str | None = Field(default=None, max_length=64)
    carry_reason: str = ""
    carried_to: str | None = Field(default=None, max_length=64)
    finished_at: datetime | None = None
    target_values: str = "{}"  # JSON: {target id: latest value}


class PlanStatusCount(SQLModel, table=True):
    """How many activities of a plan have each status."""

    __tablename__ = "plan_status_count"
    plan_id: int = Field(primary_key=True)
    status: str = Field(primary_key=True, max_length=20)
    count: int = 0


READ_MODEL_TABLES = (ActivityState.__table__, PlanStatusCount.__table__)  # type: ignore[attr-defined]
state_table: sa.Table = ActivityState.__table__  # type: ignore[attr-defined]
count_table: sa.Table = PlanStatusCount.__table__  # type: ignore[attr-defined]


def recorded(event: RecordedEvent) -> Recorded | None:
    """A stored event as the domain knows it (upcast to its current shape); None for a type
    of another stream kind."""
    if event.type not in EVENT_TYPES:
        return None
    return Recorded(
        decode(event.type, event.data),
        event.version,
        event.recorded_at,
        event.actor,
        event.position,
    )


def domain_events(events: Iterable[RecordedEvent]) -> Iterator[Recorded]:
    """The domain events among stored ones, in their order."""
    for event in events:
        found = recorded(event)
        if found is not None:
            yield found


# The row's columns are the aggregate's fields, by the same names.
_FIELDS = tuple(f.name for f in dataclasses.fields(Activity))


def row_values(activity: Activity) -> dict[str, Any]:
    """The columns of an activity's row."""
    values = {name: getattr(activity, name) for name in _FIELDS}
    values["status"] = activity.status.value
    values["target_values"] = json.dumps(
        {str(k): v for k, v in sorted(activity.target_values.items())}
    )
    return values


def from_row(row: Any) -> Activity:
    """The Activity a row holds (the handlers' snapshot)."""
    values = {name: getattr(row, name) for name in _FIELDS}
    values["status"] = Status(row.status)
    values["target_values"] = {int(k): float(v) for k, v in json.loads(row.target_values).items()}
    return Activity(**values)


# Statements built once: SQLAlchemy then reuses their compiled form (building one costs
# about as much as running it).
_LOAD = sa.select(state_table).where(state_table.c.activity_id == sa.bindparam("activity_id"))
_INSERT = sa.insert(state_table)
_UPDATE = (
    sa.update(state_table)
    .where(state_table.c.activity_id == sa.bindparam("row_id"))
    .values({c.name: sa.bindparam(c.name) for c in state_table.columns if c.name != "activity_id"})
)


def _add_counts_statement(dialect: str) -> sa.Insert:
    insert = upsert_insert(dialect, count_table)
    return insert.on_conflict_do_update(
        index_elements=[count_table.c.plan_id, count_table.c.status],
        set_={"count": count_table.c.count + insert.excluded.count},
    )


_ADD_COUNTS = {name: _add_counts_statement(name) for name in ("sqlite", "postgresql")}


def load(connection: Connection, activity_id: str) -> Activity | None:
    """The activity as the last commit left it (None: no such activity)."""
    row = connection.execute(_LOAD, {"activity_id": activity_id}).first()
    return from_row(row) if row is not None else None


def save(connection: Connection, before: Activity | None, after: Activity) -> None:
    """Write an activity's new state and move the plan's counts, in the caller's transaction
    (the same one as the append of the events that led to it)."""
    values = row_values(after)
    if before is None:
        connection.execute(_INSERT, values)
    else:
        values["row_id"] = values.pop("activity_id")
        connection.execute(_UPDATE, values)
    deltas: Counter[tuple[int, str]] = Counter({(after.plan_id, after.status.value): 1})
    if before is not None:
        deltas[(before.plan_id, before.status.value)] -= 1
    _add_counts(connection, deltas)


def _add_counts(connection: Connection, deltas: Counter[tuple[int, str]]) -> None:
    """Add the deltas to the counts, in key order (so concurrent writers lock alike)."""
    changes = [
        {"plan_id": plan_id, "status": status, "count": delta}
        for (plan_id, status), delta in sorted(deltas.items())
        if delta != 0
    ]
    if not changes:
        return
    connection.execute(_ADD_COUNTS[connection.dialect.name], changes)


def fold(events: Iterable[RecordedEvent]) -> dict[str, Activity]:
    """Replay stored events (in position order) into every activity's state, in memory."""
    activities: dict[str, Activity] = {}
    for found in domain_events(events):
        activity = evolve(activities.get(found.event.activity_id), found)
        if activity is not None:
            activities[activity.activity_id] = activity
    return activities


def rebuild(connection: Connection, batch_size: int = 5000) -> int:
    """Throw the read models away and derive them again from every event; returns the count.

    Runs in the caller's transaction, so readers see either the old or the new read models.
    It holds the append lock from the start (PostgreSQL; SQLite's writers are serialised
    already), so no change commits between the replay's read of the log and its write of the
    rows, which would leave a row, the handlers' snapshot, behind its stream.
    """
    store = EventStore(connection)
    store.lock_for_append()
    seen = 0

    def counted() -> Iterator[RecordedEvent]:
        nonlocal seen
        for event in store.iter_all(batch_size):
            seen += 1
            yield event

    activities = fold(counted())
    for table in READ_MODEL_TABLES:
        connection.execute(sa.delete(table))
    values = [row_values(activity) for activity in activities.values()]
    for start in range(0, len(values), batch_size):
        connection.execute(_INSERT, values[start : start + batch_size])
    counts = Counter((a.plan_id, a.status.value) for a in activities.values())
    if counts:
        connection.execute(
            sa.insert(count_table),
            [{"plan_id": p, "status": s, "count": n} for (p, s), n in sorted(counts.items())],
        )
    return seen


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
