"""Alembic's environment: runs the revisions in migrations/versions on the tracker's database.

Two callers. `Database.create_schema` (`init-db`, `load-demo`, the tests) hands in its own
connection, already in its transaction (`tracker.database.upgrade`). The `alembic` command
(to write a new revision: see the README) connects to DATABASE_URL itself (config.py).
The read models are left out of the comparison (`tracker.database.is_migrated`).
"""

from __future__ import annotations

from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

from tracker.database import Database, is_migrated


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        include_object=is_migrated,
        render_as_batch=True,  # SQLite changes a column by copying its table
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def render_item(kind: str, item: Any, _autogen: AutogenContext) -> str | bool:
    """A new revision names SQLModel's types (AutoString, UTCDateTime) by the SQL types they
    store as (sa.String, sa.DateTime(timezone=True)): revisions never depend on SQLModel."""
    if kind == "type" and isinstance(item, TypeDecorator) and "sqlmodel" in type(item).__module__:
        return f"sa.{item.impl_instance!r}"
    return False


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) mode is not supported: run it against a database.")
given: Connection | None = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:
    from config import Config

    database = Database(Config.DATABASE_URL)
    try:
        with database.schema_transaction() as connection:
            run(connection)
    finally:
        database.dispose()
