"""Drop the two columns nothing used: activity.carried_from_id and user.locale.

A carried-over activity's origin is in its events and the read model (`carried_from`) and
the plan's year in `activity.carried_from_year`; the language is chosen per session.

On SQLite in batch mode: the table is copied without the column, and the copy replaces it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("activity") as batch_op:
        batch_op.drop_column("carried_from_id")
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("locale")


def downgrade() -> None:
    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(
            sa.Column("locale", sa.String(length=10), nullable=False, server_default="")
        )
    with op.batch_alter_table("activity") as batch_op:
        batch_op.add_column(sa.Column("carried_from_id", sa.String(length=64), nullable=True))
