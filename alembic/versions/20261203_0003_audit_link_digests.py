"""The audit trail keeps a digest of each assessment's link, never the link itself.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 08:10:00

Existing events are rewritten: the link becomes its digest (``portal.security.link_digest``,
repeated here so the migration never changes with the code), and so do the links an
event's detail names ("Edit answers": the draft it opened, the source a draft came from).
The downgrade keeps the digests: the links cannot be recovered from them.
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

events = sa.table(
    "audit_events",
    sa.column("id", sa.Integer),
    sa.column("link_digest", sa.String),
    sa.column("detail", sa.JSON),
)


def digest(public_id: str) -> str:
    return hashlib.sha256(public_id.encode("ascii")).hexdigest()[:32]


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_assessment")
        batch_op.alter_column("assessment", new_column_name="link_digest", existing_type=sa.String(length=64))
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_link_digest"), ["link_digest"], unique=False)
    connection = op.get_bind()
    rows = connection.execute(sa.select(events.c.id, events.c.link_digest, events.c.detail)).all()
    for row in rows:
        detail = dict(row.detail or {})
        if detail.get("draft"):
            detail["draft"] = digest(detail["draft"])
        if detail.get("based_on"):
            source, _, number = detail["based_on"].rpartition("/")
            detail["based_on"] = f"{digest(source)}/{number}"
        connection.execute(
            events.update()
            .where(events.c.id == row.id)
            .values(link_digest=digest(row.link_digest), detail=detail)
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_link_digest"))
        batch_op.alter_column("link_digest", new_column_name="assessment", existing_type=sa.String(length=64))
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_assessment", ["assessment"], unique=False)
