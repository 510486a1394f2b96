"""Import drafts keep their document's structure, so the review can map its columns and labels.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("importdraft") as batch:
        batch.add_column(sa.Column("structure", sa.String(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("importdraft") as batch:
        batch.drop_column("structure")
