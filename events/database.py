"""Engines for SQLite and PostgreSQL, set up the way the event store needs them.

SQLite: WAL (readers never block the writer), a busy timeout (writers wait instead of
failing), foreign keys on, and `BEGIN IMMEDIATE` for write transactions, so two writers
serialise at the start of their transaction rather than failing at commit. Reads use a
plain deferred BEGIN. PostgreSQL: psycopg 3, sessions in UTC, and a connection taken from
the pool is pinged only when it has lain idle (`PING_AFTER_IDLE_SECONDS`): SQLAlchemy's
`pool_pre_ping` pings at every checkout, a round trip of five on a status change. Both:
every wait on the database is bounded (`Timeouts`, events/timeouts.py).

SQLite's busy timeout polls: a writer that finds the file locked sleeps 1, 2, 5, 10, … up
to 100 ms between tries, so under a few concurrent writers (gunicorn threads and workers)
most of an update's latency was sleeping while the lock was long free. `WriteQueue` lets
the unit of work queue for the write lock instead (a thread lock, then an flock on a file
next to the database), so the next writer starts the moment the previous one commits.
The writer at the head of the queue also keeps the WAL file bounded after its commit
(`WriteQueue.after_commit`, SQLITE_WAL_LIMIT_BYTES).
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from events.timeouts import DeadlineConnection, Timeouts

log = logging.getLogger(__name__)

# The busy timeout a connection gets unless told otherwise (`Timeouts.lock`).
SQLITE_BUSY_TIMEOUT_MS = Timeouts().sqlite_busy_timeout_ms()
# WAL pages written before SQLite copies them back into the database file (its default is
# 1,000). A status change writes ~6 pages, mostly the same hot ones (index pages, the
# counts): a checkpoint every ~170 changes copied them back again and again; one every
# ~1,700 changes copies each once for ten times as many (a change 18 % quicker in-process;
# the WAL file grows to ~40 MB and is then reused).
SQLITE_WAL_AUTOCHECKPOINT_PAGES = 10_000
# SQLite starts the WAL file again from its beginning only when a writer finds no reader
# still using it. Under a steady load of overlapping requests one always is: in the
# benchmark (8 clients, ~550 status changes a second) the checkpoints kept up, but the file
# grew by 16 MB a second and never started again. So the writer whose commit leaves it
# larger than this checkpoints in TRUNCATE mode, still first in the write queue: readers
# that begin then read the database file itself, and the WAL is emptied as soon as the
# readers of that moment are done (`WriteQueue.after_commit`).
SQLITE_WAL_LIMIT_BYTES = 64 * 1024 * 1024
# How long that writer waits for those readers. A long report can keep one for seconds:
# the writer then goes on, and the WAL is truncated by a later commit, once it has grown by
# another quarter of the limit (so writes do not each wait while the report runs).
SQLITE_WAL_TRUNCATE_WAIT_MS = 200
# A pooled PostgreSQL connection given back less than this long ago is used without a ping
# (under load: every time); one that lay idle longer is pinged first and replaced if the
# server is gone (restarted, or the connection timed out). A restart within this window of
# a connection's last use costs that connection's next request a 503, after which SQLAlchemy
# replaces every pooled connection.
PING_AFTER_IDLE_SECONDS = 2.0


def upsert_insert(dialect: str, table: sa.Table) -> Any:
    """An INSERT that can end in ON CONFLICT (PostgreSQL's or SQLite's own construct)."""
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


def normalise_url(url: str) -> str:
    """Accept the usual `postgres://` / `postgresql://` URLs and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, timeouts: Timeouts | None = None, **kwargs: Any) -> Engine:
    """Create an engine for `url`; see the module docstring for what is set up per backend."""
    url = normalise_url(url)
    timeouts = timeouts or Timeouts()
    engine = sa.create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        _configure_sqlite(engine, timeouts.sqlite_busy_timeout_ms())
        return engine
    _configure_postgresql(engine, timeouts)
    if not kwargs.get("pool_pre_ping"):
        _ping_when_idle(engine, timeouts.ping_deadline())
    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, but transactions begin IMMEDIATE on SQLite (no effect elsewhere)."""
    return engine.execution_options(sqlite_begin="IMMEDIATE")


def _configure_postgresql(engine: Engine, timeouts: Timeouts) -> None:
    libpq_parameters = timeouts.libpq_parameters()

    @event.listens_for(engine, "do_connect")
    def on_do_connect(_dialect: Any, _record: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
        # The connect and TCP limits and the server's timeouts, unless the URL names its
        # own; a connection whose waits end (see events/timeouts.py).
        for name, value in libpq_parameters.items():
            cparams.setdefault(name, value)
        if options := timeouts.server_options(cparams.get("options", "")):
            cparams["options"] = options
        connection = DeadlineConnection.connect(*cargs, **cparams)
        connection.read_deadline = timeouts.read_deadline()
        return connection

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Sessions in UTC, whatever the server's default (and leaving the URL's own
        # `options` alone): times come back as UTC, and psycopg then gives them
        # `datetime.UTC`, which the event store needs not convert per event.
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        dbapi_connection.execute("SET TIME ZONE 'UTC'")
        dbapi_connection.autocommit = autocommit


def _ping_when_idle(engine: Engine, deadline: float | None) -> None:
    """SQLAlchemy's pessimistic disconnect handling (a ping on checkout, a dead connection
    replaced by the pool), skipped for connections given back within PING_AFTER_IDLE_SECONDS.
    A ping not answered within `deadline` seconds counts as a dead connection."""

    @event.listens_for(engine, "checkin")
    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["given_back_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        given_back_at = record.info.get("given_back_at")
        if given_back_at is None or time.monotonic() - given_back_at < PING_AFTER_IDLE_SECONDS:
            return  # just connected, or just used
        try:
            with dbapi_connection.answering_within(deadline):
                alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # the driver's own errors: psycopg.OperationalError, …
            raise sa.exc.DisconnectionError("the pooled connection is gone") from error
        if not alive:
            raise sa.exc.DisconnectionError("the pooled connection is gone")


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")  # first: for the next too
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: sa.Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


_RETRY_ABOVE_WIDTH = 20  # bytes of the lock file that hold `WriteQueue._retry_above`


class WriteQueue:
    """Serialises the write transactions on one SQLite file, across threads and processes.

    Used around a whole write transaction (`with queue:`). The flock is taken on a file of
    its own, opened per process (a forked worker must not share the parent's lock).
    """

    def __init__(self, database_path: str) -> None:
        self._path = database_path + "-writers"
        self._wal = database_path + "-wal"
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def __enter__(self) -> None:
        self._threads.acquire()
        try:
            if self._fd is None or self._pid != os.getpid():
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                self._pid = os.getpid()
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def after_commit(self, dbapi_connection: sqlite3.Connection) -> None:
        """Keep the WAL file bounded (see SQLITE_WAL_LIMIT_BYTES): called by the writer at
        the head of the queue, after its commit, on its own connection (outside any
        transaction). Never raises: the write it follows is committed already.

        After a try that found a reader still busy, the next is made only once the file has
        grown by another quarter of the limit. That size is kept in the queue's lock file,
        so the writers of every process (gunicorn's workers) back off together."""
        try:
            size = os.stat(self._wal).st_size
        except OSError:
            return
        if size <= SQLITE_WAL_LIMIT_BYTES or self._fd is None:
            return
        busy = 1  # unless the checkpoint says otherwise
        try:
            if size <= self._retry_above():
                return
            (own_timeout,) = dbapi_connection.execute("PRAGMA busy_timeout").fetchone()
            dbapi_connection.execute(f"PRAGMA busy_timeout={SQLITE_WAL_TRUNCATE_WAIT_MS}")
            try:
                busy, _frames, _done = dbapi_connection.execute(
                    "PRAGMA wal_checkpoint(TRUNCATE)"
                ).fetchone()
            finally:
                dbapi_connection.execute(f"PRAGMA busy_timeout={int(own_timeout)}")
        except (sqlite3.Error, OSError) as error:
            log.warning("the WAL file could not be truncated: %s", error)
        try:
            self._set_retry_above(
                size + SQLITE_WAL_LIMIT_BYTES // 4 if busy else SQLITE_WAL_LIMIT_BYTES
            )
        except OSError as error:
            log.warning("the WAL file's next truncation could not be noted: %s", error)

    def _retry_above(self) -> int:
        """The WAL size above which the next truncation is tried (the lock file's content;
        read and written only inside the queue)."""
        assert self._fd is not None
        try:
            return int(os.pread(self._fd, _RETRY_ABOVE_WIDTH, 0))
        except ValueError:  # empty: no try was made yet
            return SQLITE_WAL_LIMIT_BYTES

    def _set_retry_above(self, size: int) -> None:
        assert self._fd is not None
        os.pwrite(self._fd, str(size).encode().ljust(_RETRY_ABOVE_WIDTH), 0)

    def close(self) -> None:
        """Close this process's lock file (the engine is disposed): one descriptor per
        database otherwise stays open for the life of the process."""
        with self._threads:
            if self._fd is not None and self._pid == os.getpid():
                os.close(self._fd)
            self._fd = None

    def __exit__(self, *_exc_info: object) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


def write_queue(engine: Engine) -> WriteQueue | None:
    """A WriteQueue for a SQLite file engine; None for PostgreSQL (its lock queue is fair)."""
    if engine.dialect.name != "sqlite":
        return None
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return WriteQueue(os.path.abspath(path))
