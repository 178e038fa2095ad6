"""The decision actually taken on an assessment: each change is a new version.

``Assessment.decision_version`` is the latest one's version (0: none).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Decision


def current_decision(dbsession: Session, assessment_id: int) -> Decision | None:
    query = (
        select(Decision)
        .where(Decision.assessment_id == assessment_id)
        .order_by(Decision.version.desc())
        .limit(1)
    )
    return dbsession.scalar(query)


def decision_history(dbsession: Session, assessment_id: int) -> list[Decision]:
    """Every version, the latest first."""
    query = select(Decision).where(Decision.assessment_id == assessment_id).order_by(Decision.version.desc())
    return list(dbsession.scalars(query))


def record_decision(
    dbsession: Session,
    assessment_id: int,
    framework: str,
    reason: str,
    decided_on: date,
    author_id: int | None,
    author_name: str,
    revision: int | None,
) -> Decision:
    """A new version of the decision, answering ``revision``'s result; earlier ones are kept
    as its history.

    Two consultants saving at once cannot both store version n: the unique
    constraint on (assessment, version) refuses the second.
    """
    latest = select(func.max(Decision.version)).where(Decision.assessment_id == assessment_id)
    decision = Decision(
        assessment_id=assessment_id,
        version=(dbsession.scalar(latest) or 0) + 1,
        framework=framework,
        reason=reason,
        decided_on=decided_on,
        revision=revision,
        author_id=author_id,
        author_name=author_name,
    )
    dbsession.add(decision)
    dbsession.flush()
    return decision
