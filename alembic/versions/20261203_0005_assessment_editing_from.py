"""A completed assessment can hold a draft of its next revision ("Edit answers", same link).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 13:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("assessments", sa.Column("editing_from", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("editing_from")
