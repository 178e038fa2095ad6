"""A decision names the revision whose result it answered.

Decisions recorded before this migration keep NULL: which result they answered was not kept.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 06:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("assessment_decisions", sa.Column("revision", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessment_decisions") as batch:
        batch.drop_column("revision")
