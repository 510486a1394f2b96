"""Engines for SQLite and PostgreSQL, set up the way the event store needs them.

SQLite: WAL (readers never block the writer), a busy timeout (writers wait instead of
failing), foreign keys on, and `BEGIN IMMEDIATE` for write transactions, so two writers
serialise at the start of their transaction rather than failing at commit. Reads use a
plain deferred BEGIN. PostgreSQL: psycopg 3.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

SQLITE_BUSY_TIMEOUT_MS = 10_000


def normalise_url(url: str) -> str:
    """Accept the usual `postgres://` / `postgresql://` URLs and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for `url`; see the module docstring for what is set up per backend."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(url, **kwargs)


def writer(engine: Engine) -> Engine:
    """The same engine, but transactions begin IMMEDIATE on SQLite (no effect elsewhere)."""
    return engine.execution_options(sqlite_begin="IMMEDIATE")


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: sa.Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")
