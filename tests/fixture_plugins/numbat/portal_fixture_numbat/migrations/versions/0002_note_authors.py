"""Who wrote each note; SQLite rebuilds the table in batch mode to drop the column again.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("numbat_notes") as batch:
        batch.add_column(sa.Column("author", sa.String(length=80), nullable=True))
        batch.create_index("ix_numbat_notes_author", ["author"])


def downgrade() -> None:
    with op.batch_alter_table("numbat_notes") as batch:
        batch.drop_index("ix_numbat_notes_author")
        batch.drop_column("author")
