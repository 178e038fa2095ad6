"""The decision actually taken on an assessment: each change is a new version."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Decision


def decision_version(dbsession: Session, assessment_id: int) -> int:
    """The latest decision's version, 0 when none is recorded (part of the render cache's key)."""
    query = select(func.max(Decision.version)).where(Decision.assessment_id == assessment_id)
    return dbsession.scalar(query) or 0


def current_decision(dbsession: Session, assessment_id: int) -> Decision | None:
    query = (
        select(Decision)
        .where(Decision.assessment_id == assessment_id)
        .order_by(Decision.version.desc())
        .limit(1)
    )
    return dbsession.scalar(query)
