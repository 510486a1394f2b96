"""The tracker's database: engines, the schema (Alembic's migrations), and the unit of work
for writes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

import tracker.models  # noqa: F401  (registers the reference tables)
import tracker.reminder_models  # noqa: F401  (registers the outbox and the reminder choices)
import tracker.security.models  # noqa: F401  (account security and the audit trail)
from events.database import WriteQueue, make_engine, write_queue, writer
from events.store import EventStore
from events.timeouts import Timeouts
from tracker import projections  # (also registers the read-model tables)

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# The revision that is the schema of the last release before migrations (made by create_all),
# and that release's tables: a database that has them and no `alembic_version` is at it.
PREVIOUS_RELEASE = "0001"
PREVIOUS_RELEASE_TABLES = frozenset(
    {
        "network", "plan", "theme", "activity", "indicator", "workgroup", "activityworkgroup",
        "user", "networkrole", "workgroupmember", "apitoken", "importdraft", "budgetitem",
        "budgetsplit", "budgetspending", "account_security", "login_counter", "audit_entry",
        "password_reset_token", "reminder_run", "reminder_outbox", "reminder_preference",
        "events", "activity_state", "plan_status_count",
    }
)  # fmt: skip
# Left out of Alembic's comparison: derived data, replaced from the event log when their
# columns change (`projections.ensure_shape`), never migrated.
READ_MODELS = frozenset(table.name for table in projections.READ_MODEL_TABLES)


class SchemaError(Exception):
    """The database holds tables, but not those of a release this one can upgrade."""


# Set in a Connection's `info` once its transaction ran a statement that is not a read, so a
# request's session can tell whether ending with a COMMIT would keep anything (`end_session`).
WROTE = "tracker_wrote"


def is_read(sql: str) -> bool:
    """Whether a statement only reads (SELECT; SQLite's BEGIN changes nothing either)."""
    return sql.lstrip()[:6].upper().startswith(("SELECT", "BEGIN"))


# The one write path, checked: while `guarded` is set (a request of an app with
# GUARD_WRITE_PATH, as in the tests, or a test's CLI call), a statement that writes runs only
# inside a command handler (`handling`, set by tracker.handlers.marker.handler).
_handling: ContextVar[bool] = ContextVar("handling", default=False)
_guarded: ContextVar[bool] = ContextVar("guarded", default=False)


class WriteOutsideHandler(RuntimeError):
    """Something wrote to the database without going through a command handler."""


@contextmanager
def handling() -> Iterator[None]:
    """The code inside is a command handler's: it may write."""
    token = _handling.set(True)
    try:
        yield
    finally:
        _handling.reset(token)


def guard_writes(on: bool) -> Token[bool]:
    """Refuse (or allow again) writes outside handlers in this context; returns the token to
    reset it with."""
    return _guarded.set(on)


def unguard_writes(token: Token[bool]) -> None:
    _guarded.reset(token)


class Database:
    """Holds the engine; hands out read sessions and write units of work."""

    def __init__(
        self,
        url: str,
        before_write: Callable[[], None] | None = None,
        timeouts: Timeouts | None = None,
    ) -> None:
        """`before_write` runs before a unit of work queues for SQLite's write lock: the web
        app ends the request's read transaction there (`tracker.services`), as a reader
        still holding its snapshot while it waits keeps the WAL file from being emptied.
        `timeouts`: how long to wait on the database (events/timeouts.py; default: theirs)."""
        self.url = url
        self.engine: Engine = make_engine(url, timeouts)
        self.write_engine: Engine = writer(self.engine)
        self.write_queue = write_queue(self.engine)
        self._before_write = before_write
        _note_writes(self.engine)

    def create_schema(self) -> None:
        """Bring the database to this release's schema, in one transaction (`init-db`; safe to
        run again): the revisions in migrations/ not applied yet (all of them on an empty
        database), then the read models, rebuilt from the log if their columns changed. The
        schema is the database's own: not data a person entered (`handling`)."""
        with handling(), self.schema_transaction() as connection:
            upgrade(connection)
            projections.ensure_shape(connection)

    @contextmanager
    def schema_transaction(self) -> Iterator[Connection]:
        """A write transaction for changing the schema. On SQLite with its foreign keys
        switched off (Alembic's batch mode copies a table, drops the original and renames the
        copy: with them on, the drop deletes or refuses the rows that refer to it), and checked
        before the commit. The switch must be made outside a transaction."""
        with self.write_engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                _driver(connection).execute("PRAGMA foreign_keys=OFF")
            try:
                with connection.begin():
                    yield connection
                    if sqlite:
                        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                        if broken is not None:
                            raise SchemaError(f"a migration broke a foreign key: {tuple(broken)}")
            finally:
                if sqlite:
                    _driver(connection).execute("PRAGMA foreign_keys=ON")

    def session(self) -> Session:
        """A session for reading (and for simple reference-data edits)."""
        return Session(self.engine, expire_on_commit=False)

    def end_session(self, session: Session, failed: bool = False, discard: bool = False) -> None:
        """End a request's read session: committed when it wrote nothing, else rolled back;
        with `discard` (the database just failed this request) its connection is closed
        instead, without another round trip to a server that may not answer (the server
        rolls back what the connection left).

        The same for the data, but not for PostgreSQL's driver: psycopg forgets its prepared
        statements on every ROLLBACK (and sends DEALLOCATE ALL, a round trip), so the next
        request would have every query planned again (a third of a millisecond for the
        access check's join). Anything written and not committed is still rolled back.

        Never raises a database error: it runs when the answer is made (Flask's teardown),
        so an error here could only replace that answer with a bare 500. A connection that
        fails here is dropped by the pool, and the next request connects again.
        """
        try:
            if not failed:
                self.end_read(session)
        except sa.exc.SQLAlchemyError as error:
            log.warning("a read session could not be ended: %s", type(error).__name__)
        finally:
            try:
                if discard:
                    session.invalidate()  # closed, no round trip (psycopg never blocks)
                else:
                    session.close()
            except sa.exc.SQLAlchemyError as error:
                log.warning("a read session could not be closed: %s", type(error).__name__)

    def end_read(self, session: Session) -> None:
        """Commit the session's transaction if it only read (its snapshot is let go; the
        session stays usable, its next query begins a new one); else leave it alone."""
        if (
            session.in_transaction()
            and not (session.new or session.dirty or session.deleted)
            and not session.connection().info.get(WROTE, True)
        ):
            session.commit()

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.write_engine, self.write_queue, self._before_write)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.write_queue is not None:
            self.write_queue.close()


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Run the revisions up to `revision` in the connection's transaction. A database made
    by the previous release (its tables, no `alembic_version`) is first stamped as being at
    PREVIOUS_RELEASE; an empty one gets every revision."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    config = alembic_config(connection)
    if MigrationContext.configure(connection).get_current_revision() is None:
        present = set(sa.inspect(connection).get_table_names()) & PREVIOUS_RELEASE_TABLES
        if present == PREVIOUS_RELEASE_TABLES:
            command.stamp(config, PREVIOUS_RELEASE)
        elif present:
            missing = ", ".join(sorted(PREVIOUS_RELEASE_TABLES - present))
            raise SchemaError(
                "this database is not one of the previous release (no migrations applied, "
                f"and it lacks the tables {missing}): upgrade it with that release first"
            )
    command.upgrade(config, revision)


def alembic_config(connection: Connection | None = None) -> AlembicConfig:
    """Alembic's configuration for migrations/; with a connection, its env.py uses that one
    (and its transaction) instead of connecting to DATABASE_URL. Alembic is imported here,
    when a schema is made or upgraded, not by every process at start."""
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def is_migrated(item: Any, name: str | None, kind: str, *_args: Any) -> bool:
    """Alembic's `include_object`: every table, column, index and constraint but those of
    the read models (READ_MODELS)."""
    table = item if kind == "table" else getattr(item, "table", None)
    return table is None or table.name not in READ_MODELS


def _driver(connection: Connection) -> Any:
    """The driver's own connection (sqlite3's), for a statement outside any transaction."""
    driver = connection.connection.driver_connection
    assert driver is not None
    return driver


def _note_writes(engine: Engine) -> None:
    """Mark, per transaction, whether any statement but a read ran (see `end_session`;
    every statement passes through SQLAlchemy)."""

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        connection.info[WROTE] = False

    @event.listens_for(engine, "before_cursor_execute")
    def on_execute(connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        if not is_read(statement):
            if _guarded.get() and not _handling.get():
                raise WriteOutsideHandler(statement.split(None, 3)[:3])
            connection.info[WROTE] = True


class UnitOfWork:
    """One write transaction: reference rows, appended events and read models commit together.

    The transaction is a Core connection's; the ORM session, for the writes that need it,
    is made on first use and joins it (most commands never need one: a status change is
    Core statements only). On SQLite the transaction begins IMMEDIATE, so concurrent writers
    queue at the start (in the write queue, see events/database.py, rather than by polling
    the file lock); leaving the block without `commit()` rolls everything back.
    """

    connection: Connection
    events: EventStore

    def __init__(
        self,
        engine: Engine,
        queue: WriteQueue | None = None,
        before_queue: Callable[[], None] | None = None,
    ) -> None:
        self._engine = engine
        self._queue = queue
        self._before_queue = before_queue
        self._session: Session | None = None

    def __enter__(self) -> UnitOfWork:
        if self._queue is not None:
            if self._before_queue is not None:
                self._before_queue()
            self._queue.__enter__()
        connection: Connection | None = None
        try:
            connection = self._engine.connect()
            connection.begin()
        except BaseException:
            try:
                if connection is not None:
                    connection.close()
            finally:
                if self._queue is not None:
                    self._queue.__exit__()
            raise
        self.connection = connection
        self._session = None
        self.events = EventStore(self.connection)
        return self

    @property
    def session(self) -> Session:
        """An ORM session in this unit of work's transaction (made on first use)."""
        if self._session is None:
            self._session = Session(
                bind=self.connection, expire_on_commit=False, join_transaction_mode="rollback_only"
            )
        return self._session

    def commit(self) -> None:
        """Commit, and end the unit of work: using it afterwards raises (the write path's
        driver statements would otherwise run outside any transaction)."""
        if self._session is not None:
            self._session.commit()  # flushes; the transaction itself is the connection's
            self._session.close()
            self._session = None
        self.connection.commit()
        try:
            driver = self.connection.connection.driver_connection
            if self._queue is not None and driver is not None:
                self._queue.after_commit(driver)
        finally:
            self.connection.close()

    def __exit__(self, *_exc_info: object) -> None:
        try:
            try:
                if self._session is not None:
                    self._session.close()
                    self._session = None
            finally:
                if not self.connection.closed:
                    try:
                        self.connection.rollback()
                    finally:
                        self.connection.close()
        finally:
            if self._queue is not None:
                self._queue.__exit__()
