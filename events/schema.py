"""The event table. It is append-only: triggers on SQLite and PostgreSQL refuse every UPDATE,
DELETE (and TRUNCATE); they are made by the migrations (migrations/versions/0001_…)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import SQLModel

# The app's one MetaData (SQLModel's), which the migrations are compared with.
metadata = SQLModel.metadata

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
