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

from . import scoring, stale
from .models import Answer, Assessment, AuditEvent, Revision, mark_written
from .models.assessment import TITLE_MAX, new_public_id, utcnow
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


def audit(
    dbsession: Session, assessment: Assessment, action: str, user_id: int | None = None, **detail: Any
) -> None:
    digest = link_digest(assessment.public_id)
    dbsession.add(AuditEvent(link_digest=digest, action=action, user_id=user_id, detail=detail))


def source_of(based_on: str | None, shown=masked_link) -> str | None:
    """'Edit answers' drafts name their source as ``<id>/<n>``; outside the database only in part."""
    if based_on is None:
        return None
    public_id, _, number = based_on.rpartition("/")
    return f"{shown(public_id)}/{number}"


def answerable(assessment) -> bool:
    """Whether the questionnaire takes answers: a new draft, or a completed assessment whose
    next revision is being drafted ("Edit answers")."""
    return assessment.status == "draft" or assessment.editing_from is not None


def draft_revision(assessment) -> int | None:
    """The number the draft being answered will get when completed; None when none is open."""
    if assessment.status == "draft":
        return 1
    if assessment.editing_from is not None:
        return assessment.revisions[-1].number + 1
    return None


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


def create(
    dbsession: Session, title: str, based_on: str | None = None, owner_id: int | None = None
) -> Assessment:
    """A new draft; a signed-in user's is theirs from the start (``owner_id``)."""
    assessment = Assessment(title=title, based_on=based_on, owner_id=owner_id)
    dbsession.add(assessment)
    dbsession.flush()
    based = source_of(based_on, link_digest)
    audit(dbsession, assessment, "created", owner_id, title=title, based_on=based)
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
    editing_from: int | None = None


class NoSuchAssessment(LookupError):
    """No assessment has that public id (HTTP 404)."""


# The answer save is the most frequent write: its statements are built once
# (SQLAlchemy then reuses their compiled form) and run without the unit of work.
_assessments, _answers = Assessment.__table__, Answer.__table__
_TOUCH_DRAFT = (
    update(_assessments)
    .where(
        _assessments.c.public_id == bindparam("link"),
        # answerable(): a draft, or a completed assessment drafting its next revision.
        (_assessments.c.status == "draft") | _assessments.c.editing_from.is_not(None),
    )
    .values(updated=bindparam("now"))
    .returning(_assessments.c.id, _assessments.c.title, _assessments.c.based_on, _assessments.c.editing_from)
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


def save_answers(dbsession: Session, public_id: str, clean: dict[str, Any]) -> SavedDraft | Assessment:
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
        raise Conflict("This assessment is complete; choose 'Edit answers' to change its answers.")
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
    if row.editing_from is not None:
        # Changes to a completed assessment: its state lists its revisions too (rarer, so the ORM).
        return dbsession.get(Assessment, row.id)
    return SavedDraft(public_id, row.title, row.based_on, answers)


def complete(
    dbsession: Session, assessment: Assessment, catalog: Catalog, questionnaire: Questionnaire
) -> Revision:
    """Store the draft's answers as the next revision (1, or the one "Edit answers" opened).

    409 when required answers are missing, or when no draft is open (already complete).
    """
    _lock(dbsession, assessment)
    if not answerable(assessment):
        raise Conflict("This assessment is already complete.")
    # A plugin uninstalled while it was a draft, or since the revision being edited.
    reading = stale.read(questionnaire, assessment.answer_map)
    answers = reading.answers
    missing = questionnaire.missing_required(answers)
    if missing:
        raise Conflict("Some required questions are not answered yet.", missing)
    edited_from = assessment.editing_from
    dropped, options = reading.dropped, stale.named(reading.dropped_options, None)
    if edited_from is not None:
        earlier = next(r for r in assessment.revisions if r.number == edited_from).snapshot
        before = stale.read(questionnaire, earlier["answers"])
        dropped = sorted(stale.merged(dropped, before.dropped))
        options = stale.merged(stale.named(before.dropped_options, earlier), options)
    revision = _add_revision(
        dbsession, assessment, catalog, questionnaire, answers, dropped, edited_from, options
    )
    assessment.status, assessment.editing_from = "complete", None
    audit(dbsession, assessment, "completed", revision=revision.number, edited_from=edited_from)
    return revision


def rescore(
    dbsession: Session, assessment: Assessment, catalog: Catalog, questionnaire: Questionnaire
) -> Revision:
    """Add a revision scored with the current configuration from the latest revision's answers."""
    _lock(dbsession, assessment)
    if assessment.status != "complete" or not assessment.revisions:
        raise Conflict("Only a completed assessment can be re-scored; complete it first.")
    previous = assessment.revisions[-1].snapshot
    reading = stale.read(questionnaire, previous["answers"])
    answers, dropped = reading.answers, reading.dropped
    missing = questionnaire.missing_required(answers)
    if missing:
        message = "The current configuration asks required questions this assessment has not answered."
        raise Conflict(message, missing)
    options = stale.named(reading.dropped_options, previous)
    revision = _add_revision(dbsession, assessment, catalog, questionnaire, answers, dropped, None, options)
    gone = [f"{o['question']}={o['option']}" for o in options]
    audit(dbsession, assessment, "rescored", revision=revision.number, dropped=dropped, dropped_options=gone)
    return revision


def open_edit(dbsession: Session, assessment: Assessment, questionnaire: Questionnaire) -> bool:
    """'Edit answers': draft the next revision at the same link, prefilled from the latest one.

    Answers to questions that no longer exist, and options no longer offered, are left out
    (the pages say which: ``stale.edit_notices``). A draft already open is kept
    as it is (a second click never throws away what the client changed); returns whether
    one was opened now.
    """
    _lock(dbsession, assessment)
    if assessment.status != "complete" or not assessment.revisions:
        raise Conflict("Only a completed assessment has answers to edit; answer the questionnaire instead.")
    if assessment.editing_from is not None:
        return False
    latest = assessment.revisions[-1]
    _replace_answers(assessment, latest.snapshot["answers"], questionnaire)
    assessment.editing_from = latest.number
    audit(dbsession, assessment, "editing", revision=latest.number)
    return True


def discard_edit(dbsession: Session, assessment: Assessment, questionnaire: Questionnaire) -> None:
    """'Discard changes': drop the open draft revision only; every completed revision stays."""
    _lock(dbsession, assessment)
    if assessment.editing_from is None:
        raise Conflict("No changes are open on this assessment; there is nothing to discard.")
    # The saved answers go back to the latest result's, as completing left them.
    _replace_answers(assessment, assessment.revisions[-1].snapshot["answers"], questionnaire)
    assessment.editing_from = None
    audit(dbsession, assessment, "changes discarded")


def _replace_answers(assessment: Assessment, answers: dict[str, Any], questionnaire: Questionnaire) -> None:
    kept = stale.read(questionnaire, answers).answers
    # Changed in place: the unit of work inserts before it deletes, and (assessment, question) is unique.
    for answer in list(assessment.answers):
        if answer.question in kept:
            answer.value = kept.pop(answer.question)
        else:
            assessment.answers.remove(answer)
    assessment.answers.extend(Answer(question=key, value=value) for key, value in kept.items())


def remove_draft(dbsession: Session, assessment: Assessment) -> None:
    """Delete a draft that was never completed. A completed assessment (with or without
    changes open) is never deleted here: its revisions are kept."""
    if assessment.status != "draft" or assessment.revisions:
        message = "Only a draft can be deleted; a completed assessment is kept."
        if assessment.editing_from is not None:
            message += " Use 'Discard changes' to drop the changes you started."
        raise Conflict(message)
    audit(dbsession, assessment, "deleted")
    dbsession.delete(assessment)


def remove_completed(dbsession: Session, assessment: Assessment, user_id: int | None) -> None:
    """Delete a completed assessment with every revision, note and decision: its owner's choice
    (the view checks ``Permissions.OWN``). Changes still open go with it."""
    _lock(dbsession, assessment)
    audit(dbsession, assessment, "deleted", user_id, revisions=len(assessment.revisions))
    dbsession.delete(assessment)


class AlreadyOwned(Exception):
    """Someone saved this assessment to their account first (a claim lost its race)."""


def claim(dbsession: Session, assessment: Assessment, user_id: int) -> None:
    """Save an anonymous assessment to ``user_id``'s account, once.

    A conditional UPDATE … WHERE owner_id IS NULL: of two clients claiming at the same
    moment, the second one's statement waits for the first's row lock (PostgreSQL) or the
    write lock (SQLite), then matches no row and raises ``AlreadyOwned``.
    """
    dbsession.flush()
    claimed = dbsession.execute(
        update(_assessments)
        .where(_assessments.c.id == assessment.id, _assessments.c.owner_id.is_(None))
        .values(owner_id=user_id, updated=utcnow())
    )
    if claimed.rowcount != 1:
        raise AlreadyOwned(assessment.public_id)
    dbsession.refresh(assessment)
    # An ORM write: the request's transaction commits (as mark_written would make it).
    audit(dbsession, assessment, "claimed", user_id)


def replace_link(dbsession: Session, assessment: Assessment, user_id: int | None) -> str:
    """Give the assessment a new private link; the old one opens nothing from now on.

    The event is kept under the old link's digest and names the new one's, so the trail
    of one assessment can be followed across its links. Returns the new public id.
    """
    _lock(dbsession, assessment)
    new = new_public_id()
    audit(dbsession, assessment, "link-replaced", user_id, new_link=link_digest(new))
    assessment.public_id = new
    dbsession.flush()
    return new


def purge_drafts(dbsession: Session, older_than_days: int) -> int:
    """Delete anonymous drafts untouched for that many days; returns how many.

    Only assessments never completed: one with a revision (changes open or not) is kept, and so
    is a draft saved to an account (its owner sees it listed there).
    """
    cutoff = utcnow() - timedelta(days=older_than_days)
    stale = dbsession.scalars(
        select(Assessment.public_id).where(
            Assessment.status == "draft",
            Assessment.owner_id.is_(None),
            ~Assessment.revisions.any(),
            Assessment.updated < cutoff,
        )
    ).all()
    if stale:
        dbsession.add_all(
            AuditEvent(link_digest=link_digest(public_id), action="purged", detail={}) for public_id in stale
        )
        dbsession.execute(delete(Assessment).where(Assessment.public_id.in_(stale)))
    return len(stale)


def build_snapshot(
    catalog: Catalog,
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    dropped: list[str],
    edited_from: int | None = None,
    dropped_options: list[dict[str, str]] | None = None,
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
        # The order the questions were asked in, for reading the answers back.
        "question_order": [q.key for page in questionnaire.pages for q in page.questions],
        "dropped": dropped,
        # Answers to questions still asked whose option is gone: question, option, label as asked.
        "dropped_options": dropped_options or [],
        # The revision whose answers "Edit answers" started from (None: first, or re-scored).
        "edited_from": edited_from,
        "result": result.to_json(),
    }


def _add_revision(
    dbsession, assessment, catalog, questionnaire, answers, dropped, edited_from=None, dropped_options=None
) -> Revision:
    number = (assessment.revisions[-1].number if assessment.revisions else 0) + 1
    snapshot = build_snapshot(catalog, questionnaire, answers, dropped, edited_from, dropped_options)
    revision = Revision(number=number, snapshot=snapshot)
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
