"""Calendar feeds: the secret address (its SHA-256 only) of a person's or a workgroup's feed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("workgroup_id", sa.Integer(), nullable=True),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(user_id IS NULL) <> (workgroup_id IS NULL)", name="ck_calendar_feed_owner"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["workgroup_id"], ["workgroup.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", name="uq_calendar_feed_user"),
        sa.UniqueConstraint("workgroup_id", name="uq_calendar_feed_workgroup"),
    )
    op.create_index(
        op.f("ix_calendar_feed_secret_hash"), "calendar_feed", ["secret_hash"], unique=True
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_calendar_feed_secret_hash"), table_name="calendar_feed")
    op.drop_table("calendar_feed")
