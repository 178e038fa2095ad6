"""What can happen to an assessment: the rules, apart from HTTP.

Views call these functions inside the request's transaction; every change also
writes an audit event. Revisions are built from a snapshot of everything the
result depends on, so they read the same after plugins or settings change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from importlib import import_module
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from . import scoring
from .models import Answer, Assessment, AuditEvent, Revision, mark_written
from .models.assessment import TITLE_MAX, utcnow
from .plugins import Catalog
from .questionnaire import Questionnaire
from .scoring.snapshot import SCHEMA, model_to_json
from .security import link_digest, masked_link
from .validators import unstorable

DEFAULT_TITLE = "Untitled assessment"


class Conflict(Exception):
    """The request cannot be carried out in the assessment's present state (HTTP 409)."""

    def __init__(self, message: str, missing: list[str] | None = None):
        super().__init__(message)
        self.missing = missing or []


def audit(dbsession: Session, assessment: Assessment, action: str, **detail: Any) -> None:
    dbsession.add(AuditEvent(link_digest=link_digest(assessment.public_id), action=action, detail=detail))


def source_of(based_on: str | None, shown=masked_link) -> str | None:
    """'Edit answers' drafts name their source as ``<id>/<n>``; outside the database only in part."""
    if based_on is None:
        return None
    public_id, _, number = based_on.rpartition("/")
    return f"{shown(public_id)}/{number}"


def answerable(assessment) -> bool:
    """Whether the questionnaire takes answers: a new draft, or a completed assessment whose
    next revision is being drafted ("Edit answers")."""
    return assessment.status == "draft"


def clean_title(raw: Any) -> tuple[str | None, str | None]:
    """(title, error): a title is optional text of at most TITLE_MAX characters."""
    if raw is None:
        return DEFAULT_TITLE, None
    if not isinstance(raw, str):
        return None, "The title must be text."
    title = " ".join(raw.split())
    problem = unstorable(title)
    if problem:
        return None, f"The title {problem}."
    if len(title) > TITLE_MAX:
        return None, f"The title is {len(title)} characters long; at most {TITLE_MAX} fit."
    return title or DEFAULT_TITLE, None


def create(dbsession: Session, title: str, based_on: str | None = None) -> Assessment:
    assessment = Assessment(title=title, based_on=based_on)
    dbsession.add(assessment)
    dbsession.flush()
    audit(dbsession, assessment, "created", title=title, based_on=source_of(based_on, link_digest))
    return assessment


@dataclass(frozen=True)
class SavedDraft:
    """A draft as it stands after its answers were saved: what the answer endpoints report."""

    public_id: str
    title: str
    based_on: str | None
    answer_map: dict[str, Any]
    # Read by the views as they read an Assessment: a draft has no revisions.
    status: str = "draft"
    revisions: tuple[Revision, ...] = ()


class NoSuchAssessment(LookupError):
    """No assessment has that public id (HTTP 404)."""


# The answer save is the most frequent write: its statements are built once
# (SQLAlchemy then reuses their compiled form) and run without the unit of work.
_assessments, _answers = Assessment.__table__, Answer.__table__
_TOUCH_DRAFT = (
    update(_assessments)
    .where(_assessments.c.public_id == bindparam("link"), _assessments.c.status == "draft")
    .values(updated=bindparam("now"))
    .returning(_assessments.c.id, _assessments.c.title, _assessments.c.based_on)
)
_EXISTS = select(_assessments.c.id).where(_assessments.c.public_id == bindparam("link"))


@cache
def _upsert(dialect_name: str):
    """INSERT … ON CONFLICT (assessment, question) DO UPDATE: SQLite and PostgreSQL spell it alike.

    Built on first use, so a portal on SQLite never imports the PostgreSQL dialect (tens of ms).
    """
    statement = import_module(f"sqlalchemy.dialects.{dialect_name}").insert(_answers)
    return statement.on_conflict_do_update(
        index_elements=[_answers.c.assessment_id, _answers.c.question],
        set_={"value": statement.excluded.value, "updated": statement.excluded.updated},
    )


_CLEAR = delete(_answers).where(
    _answers.c.assessment_id == bindparam("id"), _answers.c.question.in_(bindparam("keys", expanding=True))
)
_AUDIT = insert(AuditEvent.__table__)
_READ_ANSWERS = (
    select(_answers.c.question, _answers.c.value)
    .where(_answers.c.assessment_id == bindparam("id"))
    .order_by(_answers.c.id)
)


def save_answers(dbsession: Session, public_id: str, clean: dict[str, Any]) -> SavedDraft:
    """Merge validated answers into a draft's saved ones; ``None`` clears an answer.

    Touching the draft's ``updated`` also proves it is a draft (and, on SQLite,
    the request already holds the write lock); then the answers are upserted or
    deleted, the save is audited and the answers are read back.
    """
    now = utcnow()
    # Core statements on the session's connection, in the request's transaction;
    # whatever the ORM holds unsaved goes first, as an ORM query would flush it.
    dbsession.flush()
    connection = dbsession.connection()
    row = connection.execute(_TOUCH_DRAFT, {"link": public_id, "now": now}).one_or_none()
    if row is None:
        if connection.scalar(_EXISTS, {"link": public_id}) is None:
            raise NoSuchAssessment(public_id)
        raise Conflict("This assessment is complete; open a new draft with 'Edit answers' to change it.")
    mark_written(dbsession)
    given = [
        {"assessment_id": row.id, "question": key, "value": value, "updated": now}
        for key, value in clean.items()
        if value is not None
    ]
    if given:
        connection.execute(_upsert(connection.dialect.name), given)
    cleared = [key for key, value in clean.items() if value is None]
    if cleared:
        connection.execute(_CLEAR, {"id": row.id, "keys": cleared})
    connection.execute(
        _AUDIT,
        {
            "link_digest": link_digest(public_id),
            "action": "answers saved",
            "detail": {"questions": sorted(clean)},
            "created": now,
        },
    )
    answers = dict(connection.execute(_READ_ANSWERS, {"id": row.id}).all())
    # Anything the ORM loaded before these statements is stale now.
    dbsession.expire_all()
    return SavedDraft(public_id, row.title, row.based_on, answers)


def complete(
    dbsession: Session, assessment: Assessment, catalog: Catalog, questionnaire: Questionnaire
) -> Revision:
    """Store revision 1 with its snapshot; 409 when required answers are missing or it is done."""
    _lock(dbsession, assessment)
    if assessment.status != "draft":
        raise Conflict("This assessment is already complete.")
    answers = assessment.answer_map
    missing = questionnaire.missing_required(answers)
    if missing:
        raise Conflict("Some required questions are not answered yet.", missing)
    revision = _add_revision(dbsession, assessment, catalog, questionnaire, answers, dropped=[])
    assessment.status = "complete"
    audit(dbsession, assessment, "completed", revision=revision.number)
    return revision


def rescore(
    dbsession: Session, assessment: Assessment, catalog: Catalog, questionnaire: Questionnaire
) -> Revision:
    """Add a revision scored with the current configuration from the latest revision's answers."""
    _lock(dbsession, assessment)
    if assessment.status != "complete" or not assessment.revisions:
        raise Conflict("Only a completed assessment can be re-scored; complete it first.")
    previous = assessment.revisions[-1].snapshot["answers"]
    answers = {key: value for key, value in previous.items() if key in questionnaire.questions}
    dropped = sorted(set(previous) - set(answers))
    missing = questionnaire.missing_required(answers)
    if missing:
        message = "The current configuration asks required questions this assessment has not answered."
        raise Conflict(message, missing)
    revision = _add_revision(dbsession, assessment, catalog, questionnaire, answers, dropped)
    audit(dbsession, assessment, "rescored", revision=revision.number, dropped=dropped)
    return revision


def draft_from(dbsession: Session, revision: Revision, questionnaire: Questionnaire) -> Assessment:
    """'Edit answers': a new draft holding a revision's answers that still have a question."""
    source = revision.assessment
    draft = create(dbsession, source.title, based_on=f"{source.public_id}/{revision.number}")
    for key, value in revision.snapshot["answers"].items():
        if key in questionnaire.questions:
            draft.answers.append(Answer(question=key, value=value))
    audit(
        dbsession,
        source,
        "edited into a new draft",
        revision=revision.number,
        draft=link_digest(draft.public_id),
    )
    return draft


def remove_draft(dbsession: Session, assessment: Assessment) -> None:
    if assessment.status != "draft":
        raise Conflict("Only a draft can be deleted; a completed assessment is kept.")
    audit(dbsession, assessment, "deleted")
    dbsession.delete(assessment)


def purge_drafts(dbsession: Session, older_than_days: int) -> int:
    """Delete anonymous drafts untouched for that many days; returns how many."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    stale = dbsession.scalars(
        select(Assessment.public_id).where(Assessment.status == "draft", Assessment.updated < cutoff)
    ).all()
    if stale:
        dbsession.add_all(
            AuditEvent(link_digest=link_digest(public_id), action="purged", detail={}) for public_id in stale
        )
        dbsession.execute(delete(Assessment).where(Assessment.public_id.in_(stale)))
    return len(stale)


def build_snapshot(
    catalog: Catalog, questionnaire: Questionnaire, answers: dict[str, Any], dropped: list[str]
) -> dict[str, Any]:
    model = questionnaire.model  # built once per configuration, with the questionnaire
    result = scoring.score(model, answers)
    return {
        "schema": SCHEMA,
        "frameworks": {slug: f.version for slug, f in catalog.frameworks.items()},
        "criteria": {key: c.version for key, c in catalog.criteria.items()},
        "weights": {key: c.weight for key, c in catalog.criteria.items()},
        # What the result page shows about each framework beyond the scores (the
        # next steps that apply are in each ranked entry).
        "profiles": {slug: {"homepage": f.profile.homepage} for slug, f in catalog.frameworks.items()},
        "model": model_to_json(model),
        "answers": answers,
        "dropped": dropped,
        "result": result.to_json(),
    }


def _add_revision(dbsession, assessment, catalog, questionnaire, answers, dropped) -> Revision:
    number = (assessment.revisions[-1].number if assessment.revisions else 0) + 1
    revision = Revision(number=number, snapshot=build_snapshot(catalog, questionnaire, answers, dropped))
    assessment.revisions.append(revision)
    assessment.updated = utcnow()
    dbsession.flush()  # the unique (assessment, number) constraint speaks now, not at commit
    return revision


def _lock(dbsession: Session, assessment: Assessment) -> None:
    """Serialise changes to one assessment: a row lock on PostgreSQL (SQLite's
    writing requests already hold the database's write lock from BEGIN IMMEDIATE).

    The row is read to the end: a SELECT whose result stays open keeps its read
    snapshot on SQLite after the commit, for as long as anything (such as the debug
    toolbar) keeps the result alive, and that connection's later writes then fail.
    """
    locked = dbsession.scalar(select(Assessment.id).where(Assessment.id == assessment.id).with_for_update())
    if locked is None:
        raise NoSuchAssessment(assessment.public_id)
    dbsession.refresh(assessment)
