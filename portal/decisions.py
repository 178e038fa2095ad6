"""The decision actually taken on an assessment: each change is a new version.

``Assessment.decision_version`` is the latest one's version (0: none).
"""

from __future__ import annotations

from sqlalchemy import select
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
