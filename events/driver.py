"""The write path's few statements, compiled once per dialect and run on the DB-API cursor.

A status change runs five statements. Through SQLAlchemy's execution layer each cost some
60 µs of Python before the driver saw it (execution context, parameter and result
processing, row objects): most of a change on SQLite, where the statement itself takes a
few µs. The statements are still SQLAlchemy constructs, compiled by SQLAlchemy for the
connection's dialect (so the SQL and its paramstyle are SQLAlchemy's); only running them
skips the layer: the driver's cursor of the same connection, inside the transaction
SQLAlchemy began, with values converted by the columns' own type processors, so what is
written here reads back through SQLAlchemy exactly as if SQLAlchemy had written it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any] | None
_cursor_numbers = itertools.count(1)
# Set in a Connection's `info` once its transaction ran a statement that is not a read, so
# a request's session can tell whether ending with a COMMIT would keep anything
# (tracker.database.Database.end_session). Statements run by SQLAlchemy are noted by an
# engine event there; those run on the driver here.
WROTE = "tracker_wrote"


def is_read(sql: str) -> bool:
    """Whether a statement only reads (SELECT; SQLite's BEGIN changes nothing either)."""
    return sql.lstrip()[:6].upper().startswith(("SELECT", "BEGIN"))


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positional: tuple[str, ...] | None  # parameter names in order (qmark), or None (named)
    defaults: dict[str, Any]  # values the statement itself holds (e.g. a literal 0)
    binds: tuple[tuple[str, Processor], ...]  # the parameters that need converting
    results: tuple[Processor, ...]  # per result column (empty: none needs converting)
    writes: bool  # not a read: running it marks the transaction as having written


class DriverStatement:
    """A statement compiled once per dialect, run on the DB-API cursor of a Connection."""

    def __init__(self, statement: sa.ClauseElement, result_types: Sequence[Any] = ()) -> None:
        self._statement = statement
        self._result_types = tuple(result_types)
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = cast(SQLCompiler, self._statement.compile(dialect=dialect))
        binds = []
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                binds.append((name, processor))
        results = tuple(
            sa.types.to_instance(kind).dialect_impl(dialect).result_processor(dialect, None)
            for kind in self._result_types
        )
        prepared = _Compiled(
            sql=compiled.string,
            positional=tuple(compiled.positiontup or ()) if dialect.positional else None,
            defaults={name: value for name, value in compiled.params.items() if value is not None},
            binds=tuple(binds),
            results=results if any(results) else (),
            writes=not is_read(compiled.string),
        )
        self._compiled[dialect.name] = prepared
        return prepared

    def _prepared(self, connection: Connection) -> _Compiled:
        """The statement compiled for the connection, about to run on it (a statement that
        writes marks the transaction as written)."""
        prepared = self._compiled.get(connection.dialect.name) or self._compile(connection.dialect)
        if prepared.writes:
            connection.info[WROTE] = True
        return prepared

    def _parameters(self, prepared: _Compiled, values: Mapping[str, Any]) -> Any:
        if prepared.binds or prepared.defaults:
            values = {**prepared.defaults, **values}
            for name, processor in prepared.binds:
                if name in values and processor is not None:
                    values[name] = processor(values[name])
        if prepared.positional is not None:
            return tuple(values[name] for name in prepared.positional)
        return values

    def execute(self, connection: Connection, values: Mapping[str, Any]) -> Any:
        """Run the statement; returns the driver's cursor (its rows are unconverted)."""
        prepared = self._prepared(connection)
        cursor = _driver(connection).cursor()
        cursor.execute(prepared.sql, self._parameters(prepared, values))
        return cursor

    def executemany(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run the statement once per row (one call to the driver)."""
        prepared = self._prepared(connection)
        cursor = _driver(connection).cursor()
        try:
            cursor.executemany(prepared.sql, [self._parameters(prepared, row) for row in rows])
        finally:
            cursor.close()

    def batches(
        self, connection: Connection, values: Mapping[str, Any], size: int
    ) -> Iterator[list[Any]]:
        """Run the statement and yield its rows (unconverted) in lists of up to `size` as
        they stream in: on PostgreSQL from a server-side cursor, so a million rows are never
        all in memory at once."""
        prepared = self._prepared(connection)
        driver = _driver(connection)
        if connection.dialect.name == "postgresql":
            cursor = driver.cursor(name=f"batches_{next(_cursor_numbers)}")
            cursor.itersize = size
        else:
            cursor = driver.cursor()
        try:
            cursor.execute(prepared.sql, self._parameters(prepared, values))
            while rows := cursor.fetchmany(size):
                yield rows
        finally:
            cursor.close()

    def first(self, connection: Connection, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """Run the statement and return its first row, converted (None when there is none)."""
        return self.send(connection, values).first()

    def send(self, connection: Connection, values: Mapping[str, Any]) -> Answer:
        """Run the statement; its first row is read from the answer later. Inside a
        `pipeline` block, read it after the block: the block's end brings every answer in
        one round trip, where reading inside it would cost one more."""
        prepared = self._prepared(connection)
        cursor = _driver(connection).cursor()
        try:
            cursor.execute(prepared.sql, self._parameters(prepared, values))
        except BaseException:
            cursor.close()
            raise
        return Answer(cursor, prepared.results)


class Answer:
    """The answer to a statement sent with `DriverStatement.send`."""

    def __init__(self, cursor: Any, results: tuple[Processor, ...]) -> None:
        self._cursor = cursor
        self._results = results

    def first(self) -> tuple[Any, ...] | None:
        """The first row, converted (None when there is none); closes the cursor."""
        try:
            row = self._cursor.fetchone()
        finally:
            self._cursor.close()
        if row is None or not self._results:
            return None if row is None else tuple(row)
        return tuple(
            value if processor is None or value is None else processor(value)
            for value, processor in zip(row, self._results, strict=True)
        )


@contextmanager
def pipeline(connection: Connection) -> Iterator[bool]:
    """Send the driver-run statements inside the block together; yields whether it does.

    PostgreSQL (psycopg's pipeline mode): statements are queued and travel in one round
    trip, answered when a result is fetched or the block ends. Results and errors (a
    unique violation, say) therefore arrive late: at a fetch, or on leaving the block.
    SQLite has no round trips to save: each statement runs at once (yields False).
    """
    if connection.dialect.name != "postgresql":
        yield False
        return
    with _driver(connection).pipeline():
        yield True


def run_sql(connection: Connection, sql: str) -> None:
    """Run a statement without parameters or results on the driver (e.g. a LOCK)."""
    if not is_read(sql):
        connection.info[WROTE] = True
    cursor = _driver(connection).cursor()
    try:
        cursor.execute(sql)
    finally:
        cursor.close()  # in a pipeline, its answer (or error) still arrives at the sync


def _driver(connection: Connection) -> Any:
    """The DB-API connection under a SQLAlchemy Connection (in its current transaction)."""
    return connection.connection.driver_connection
