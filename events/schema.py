"""The event table and the triggers that keep it append-only on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

metadata = sa.MetaData()

# position: global order for readers tailing the log; (stream_id, version): one writer wins.
events_table = sa.Table(
    "events",
    metadata,
    sa.Column(
        "position",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    sa.Column("stream_id", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("type", sa.String(100), nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("actor", sa.Integer, nullable=True),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("stream_id", "version", name="uq_events_stream_version"),
)

APPEND_ONLY_MESSAGE = "the event log is append-only"

_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END""",
]

_POSTGRES_TRIGGERS = [
    f"""CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$""",
    """CREATE OR REPLACE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION events_append_only()""",
    """CREATE OR REPLACE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()""",
]


def create_event_table(connection: Connection) -> None:
    """Create the event table and its append-only triggers if they do not exist yet."""
    metadata.create_all(connection)
    statements = _SQLITE_TRIGGERS if connection.dialect.name == "sqlite" else _POSTGRES_TRIGGERS
    for statement in statements:
        connection.exec_driver_sql(statement)
