"""Assessments, their answers, completed revisions (with snapshots) and an audit trail."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from .meta import Base

# 24 random bytes: 192 bits, 32 URL-safe characters.
PUBLIC_ID_BYTES = 24
TITLE_MAX = 200


def new_public_id() -> str:
    return secrets.token_urlsafe(PUBLIC_ID_BYTES)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Assessment(Base):
    """One client's questionnaire: a draft until completed, then a series of revisions."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True, default=new_public_id)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | complete
    # Drafts opened by the first "Edit answers", which made a new assessment: the
    # "<public id>/<revision number>" it came from, as plain text. Kept for those drafts.
    based_on: Mapped[str | None] = mapped_column(String(100))
    # "Edit answers" today: while a completed assessment's next revision is being drafted,
    # the number of the revision it was opened from. Its answers are then the draft's.
    editing_from: Mapped[int | None] = mapped_column()
    created: Mapped[datetime] = mapped_column(default=utcnow)
    updated: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The client account it belongs to; None while only its private link opens it.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    answers: Mapped[list[Answer]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="Answer.id"
    )
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="assessment",
        cascade="all, delete-orphan",
        order_by="Revision.number",
    )
    notes: Mapped[list[Note]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="Note.id"
    )
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="Decision.version"
    )

    __table_args__ = (Index("ix_assessments_status_updated", "status", "updated"),)

    @property
    def answer_map(self) -> dict[str, Any]:
        return {answer.question: answer.value for answer in self.answers}


class Answer(Base):
    """The saved answer to one question: an option key, or a list of them."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(100))
    value: Mapped[Any] = mapped_column(JSON)
    updated: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    assessment: Mapped[Assessment] = relationship(back_populates="answers")

    __table_args__ = (UniqueConstraint("assessment_id", "question"),)


class Revision(Base):
    """A completed result: immutable, rendered only from its snapshot."""

    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    number: Mapped[int]
    created: Mapped[datetime] = mapped_column(default=utcnow)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)

    assessment: Mapped[Assessment] = relationship(back_populates="revisions")

    # Two concurrent completions cannot both store revision n.
    __table_args__ = (UniqueConstraint("assessment_id", "number"),)


class ThrottleCount(Base):
    """How many actions of one kind (scope) one client address made in one window (portal.throttle)."""

    __tablename__ = "throttle_counts"

    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    count: Mapped[int]


class AuditEvent(Base):
    """What happened to an assessment; kept by a digest of its link (``security.link_digest``),
    so it outlives a deleted draft and never holds a link that would open one."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    link_digest: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(32))
    # The account that acted, if one was signed in (no foreign key: the trail outlives accounts).
    user_id: Mapped[int | None] = mapped_column()
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created: Mapped[datetime] = mapped_column(default=utcnow)


class Note(Base):
    """A consultant's note on an assessment: Markdown, rendered safely (``portal.markdown``)."""

    __tablename__ = "assessment_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    # The author's name is kept with the note, so it outlives a deleted account.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(default=utcnow)

    assessment: Mapped[Assessment] = relationship(back_populates="notes")


class Decision(Base):
    """The framework actually chosen, with its reason and date; each change is a new version."""

    __tablename__ = "assessment_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    version: Mapped[int]
    framework: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    decided_on: Mapped[date] = mapped_column(Date)
    # The revision whose result the decision answered (None: recorded on a draft, or before
    # migration 0008 kept it). A later revision's ranking may differ from that one.
    revision: Mapped[int | None]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(200))
    created: Mapped[datetime] = mapped_column(default=utcnow)

    assessment: Mapped[Assessment] = relationship(back_populates="decisions")

    __table_args__ = (UniqueConstraint("assessment_id", "version"),)


# The latest decision's version (0: none), loaded with the assessment in the same statement:
# a cached revision rendering is keyed by it (portal.views.revisions), so a cache hit costs
# the one query the access check makes anyway.
Assessment.decision_version = column_property(
    select(func.coalesce(func.max(Decision.version), 0))
    .where(Decision.assessment_id == Assessment.id)
    .correlate_except(Decision)
    .scalar_subquery()
)
