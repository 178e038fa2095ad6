"""The consultant's workspace: the filtered list of assessments, one assessment, the overview.

What the list shows of a result comes from the latest revision's snapshot, read in SQL
through JSON paths (``result.ranking[0].framework`` and so on), so filtering and paging
a few thousand assessments never loads a snapshot into Python. Nothing here reads or
returns an assessment's private link (``public_id``): the workspace names assessments
by row id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from .models import Assessment, Decision, Revision, User
from .results import Labels, points_by_criterion, questionnaire_order
from .scoring import UNSURE, UNSURE_LABEL
from .validators import positive_int, unstorable

PAGE_SIZE = 25
STATUSES = ("draft", "complete")
ANONYMOUS = "anonymous"
CLIENT_MAX = 200
FILTER_FIELDS = ("status", "framework", "client", "since", "until")


@dataclass
class Filters:
    status: str | None = None
    framework: str | None = None
    client: str | None = None
    since: date | None = None
    until: date | None = None
    page: int = 1
    # What was typed, to fill the form again (and the paging links).
    typed: dict[str, str] = field(default_factory=dict)

    def query_string(self, page: int | None = None) -> str:
        from urllib.parse import urlencode

        pairs = [(k, v) for k, v in self.typed.items() if v and k in FILTER_FIELDS]
        if page is not None and page != 1:
            pairs.append(("page", str(page)))
        return ("?" + urlencode(pairs)) if pairs else ""


def parse_date(text: str) -> date | None:
    """A date written YYYY-MM-DD, else None."""
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def parse_filters(params, frameworks: dict[str, str]) -> tuple[Filters, dict[str, str]]:
    """Filters from a query string, and a message for each field that is not valid.

    ``frameworks``: the enabled frameworks, slug to title.
    """
    typed = {name: str(params.get(name, ""))[: CLIENT_MAX + 1].strip() for name in (*FILTER_FIELDS, "page")}
    filters, errors = Filters(typed=typed), {}
    if typed["status"]:
        if typed["status"] in STATUSES:
            filters.status = typed["status"]
        else:
            errors["status"] = "Status: choose draft or complete."
    if typed["framework"]:
        if typed["framework"] in frameworks:
            filters.framework = typed["framework"]
        else:
            errors["framework"] = "Recommended framework: choose one of the frameworks listed."
    if typed["client"]:
        problem = unstorable(typed["client"])
        if len(typed["client"]) > CLIENT_MAX:
            errors["client"] = f"Client: type at most {CLIENT_MAX} characters."
        elif problem:
            errors["client"] = f"Client: it {problem}."
        else:
            filters.client = typed["client"]
    for name, label in (("since", "Updated since"), ("until", "Updated until")):
        if typed[name]:
            value = parse_date(typed[name])
            if value is None:
                errors[name] = f"{label}: give a date as YYYY-MM-DD, for example 2026-11-30."
            else:
                setattr(filters, name, value)
    if filters.since and filters.until and filters.since > filters.until:
        errors["until"] = "Updated until: give a date on or after the “since” date."
    if typed["page"]:
        page = positive_int(typed["page"])
        if page is None:
            errors["page"] = "Page: give a page number, 1 or more."
        else:
            filters.page = page
    return filters, errors


# --- the list -------------------------------------------------------------------------------


def _latest_number():
    inner = aliased(Revision)
    return select(func.max(inner.number)).where(inner.assessment_id == Assessment.id).scalar_subquery()


def _latest_version():
    inner = aliased(Decision)
    return select(func.max(inner.version)).where(inner.assessment_id == Assessment.id).scalar_subquery()


Latest = aliased(Revision, name="latest")
Current = aliased(Decision, name="current")
# The revision the current decision answered (its ranking may differ from the latest one's).
Decided = aliased(Revision, name="decided")


def _ranked(position: int, key: str, revision=Latest):
    return revision.snapshot[("result", "ranking", position, key)]


FIRST = _ranked(0, "framework").as_string()
DECIDED_FIRST = _ranked(0, "framework", Decided).as_string()


def follows(decision: str | None, revision: int | None, decided_first: str | None, first: str | None):
    """Whether a decision took the recommendation it answered: that of the revision it names,
    else (recorded before decisions named one) the latest; None without both."""
    recommended = decided_first if revision is not None else first
    if decision is None or recommended is None:
        return None
    return decision == recommended


COLUMNS = (
    Assessment.id.label("id"),
    Assessment.title.label("title"),
    Assessment.status.label("status"),
    Assessment.created.label("created"),
    Assessment.updated.label("updated"),
    User.email.label("email"),
    User.display_name.label("display_name"),
    Latest.number.label("revision"),
    FIRST.label("first"),
    _ranked(0, "title").as_string().label("first_title"),
    _ranked(0, "score").as_float().label("first_score"),
    _ranked(1, "title").as_string().label("second_title"),
    _ranked(1, "score").as_float().label("second_score"),
    Latest.snapshot[("result", "confidence", "level")].as_string().label("confidence"),
    Current.framework.label("decision"),
    Current.decided_on.label("decided_on"),
    Current.revision.label("decision_revision"),
    DECIDED_FIRST.label("decided_first"),
)


def _joined(query):
    return (
        query.select_from(Assessment)
        .outerjoin(User, User.id == Assessment.owner_id)
        .outerjoin(Latest, and_(Latest.assessment_id == Assessment.id, Latest.number == _latest_number()))
        .outerjoin(
            Current, and_(Current.assessment_id == Assessment.id, Current.version == _latest_version())
        )
        .outerjoin(Decided, and_(Decided.assessment_id == Assessment.id, Decided.number == Current.revision))
    )


def _filtered(query, filters: Filters):
    conditions = []
    if filters.status:
        conditions.append(Assessment.status == filters.status)
    if filters.framework:
        conditions.append(FIRST == filters.framework)  # noqa: SIM300 (a column)
    if filters.client:
        if filters.client.lower() == ANONYMOUS:
            conditions.append(Assessment.owner_id.is_(None))
        else:
            typed = filters.client.lower()
            conditions.append(
                or_(
                    func.lower(User.email).contains(typed, autoescape=True),
                    func.lower(User.display_name).contains(typed, autoescape=True),
                )
            )
    if filters.since:
        conditions.append(Assessment.updated >= datetime.combine(filters.since, time()))
    if filters.until:
        conditions.append(Assessment.updated < datetime.combine(filters.until + timedelta(days=1), time()))
    return query.where(*conditions)


@dataclass
class Listed:
    """One row of the list (and of the CSV)."""

    id: int
    title: str
    client: str
    email: str | None
    status: str
    created: datetime
    updated: datetime
    revision: int | None
    first: str | None
    first_title: str | None
    first_score: float | None
    second_title: str | None
    second_score: float | None
    confidence: str | None
    decision: str | None
    decision_title: str | None
    decided_on: date | None
    decision_revision: int | None
    decided_first: str | None

    @property
    def follows(self) -> bool | None:
        return follows(self.decision, self.decision_revision, self.decided_first, self.first)


def client_name(display_name: str | None, email: str | None) -> str:
    if email is None:
        return "Anonymous"
    return f"{display_name} ({email})" if display_name else email


def _listed(row, frameworks: dict[str, str]) -> Listed:
    """A row of COLUMNS as a Listed: its columns, the client's name and the decision's title."""
    values = row._asdict()
    display_name = values.pop("display_name")
    return Listed(
        **values,
        client=client_name(display_name, row.email),
        decision_title=frameworks.get(row.decision, row.decision) if row.decision else None,
    )


def count(dbsession, filters: Filters) -> int:
    inner = _filtered(_joined(select(Assessment.id)), filters).subquery()
    return dbsession.scalar(select(func.count()).select_from(inner))


def listing(dbsession, filters: Filters, frameworks: dict[str, str], paged: bool = True) -> list[Listed]:
    query = _filtered(_joined(select(*COLUMNS)), filters).order_by(
        Assessment.updated.desc(), Assessment.id.desc()
    )
    if paged:
        query = query.limit(PAGE_SIZE).offset((filters.page - 1) * PAGE_SIZE)
    return [_listed(row, frameworks) for row in dbsession.execute(query)]


def one(dbsession, row_id: int, frameworks: dict[str, str]) -> Listed | None:
    query = _joined(select(*COLUMNS)).where(Assessment.id == row_id)
    row = dbsession.execute(query).first()
    return None if row is None else _listed(row, frameworks)


# --- one assessment -------------------------------------------------------------------------


def answers_of(assessment, questionnaire) -> list[tuple[str, str]]:
    """(question text, answer in words): the latest revision's answers, or a draft's as saved."""
    if assessment.revisions:
        snapshot = assessment.revisions[-1].snapshot
        labels = Labels.of(snapshot)
        return [
            (labels.questions.get(key, key), labels.answer(key, snapshot["answers"][key]))
            for key in questionnaire_order(snapshot)
        ]
    answers = assessment.answer_map
    listed = []
    for key, question in questionnaire.questions.items():
        if key not in answers:
            continue
        options = {o.key: o.label for o in question.options}
        values = answers[key] if isinstance(answers[key], list) else [answers[key]]
        words = ", ".join(options.get(v, UNSURE_LABEL if v == UNSURE else v) for v in values)
        listed.append((question.text, words))
    return listed


# --- the overview ---------------------------------------------------------------------------


@dataclass
class Overview:
    completed: int
    first: list[dict[str, Any]]  # framework, title, count, share (percent), width (of the chart)
    decided: int
    followed: int
    differed: int
    drivers: list[dict[str, Any]]  # criterion, title, count, points (average lead it made)


def overview(dbsession, frameworks: dict[str, str], criteria: dict[str, str]) -> Overview:
    """Over the latest revision of every completed assessment: who comes first, whether the
    decision followed, and which criterion made most of the first framework's lead."""
    query = _joined(
        select(
            FIRST.label("first"),
            _ranked(0, "title").as_string().label("first_title"),
            _ranked(0, "score").as_float().label("first_score"),
            _ranked(0, "contributions").label("first_parts"),
            _ranked(1, "score").as_float().label("second_score"),
            _ranked(1, "contributions").label("second_parts"),
            Current.framework.label("decision"),
            Current.revision.label("decision_revision"),
            DECIDED_FIRST.label("decided_first"),
        )
    ).where(Assessment.status == "complete", Latest.id.is_not(None))
    firsts: dict[str, dict[str, Any]] = {}
    drivers: dict[str, dict[str, Any]] = {}
    completed = decided = followed = differed = 0
    for row in dbsession.execute(query):
        completed += 1
        if row.first is None:
            continue
        entry = firsts.setdefault(
            row.first, {"framework": row.first, "title": row.first_title or row.first, "count": 0}
        )
        entry["count"] += 1
        if row.decision is not None:
            decided += 1
            took = follows(row.decision, row.decision_revision, row.decided_first, row.first)
            followed += took is True
            differed += took is False
        if row.second_parts is None:
            continue
        lead = points_by_criterion({"score": row.first_score, "contributions": row.first_parts or []})
        behind = points_by_criterion({"score": row.second_score, "contributions": row.second_parts or []})
        differences = {key: lead.get(key, 0.0) - behind.get(key, 0.0) for key in set(lead) | set(behind)}
        if not differences:
            continue
        key = max(sorted(differences), key=lambda k: differences[k])
        if differences[key] <= 0:
            continue
        driver = drivers.setdefault(
            key, {"criterion": key, "title": criteria.get(key, key), "count": 0, "total": 0.0}
        )
        driver["count"] += 1
        driver["total"] += differences[key]
    ranked = sorted(firsts.values(), key=lambda e: (-e["count"], e["title"]))
    most = max((e["count"] for e in ranked), default=0)
    for e in ranked:
        e["share"] = round(100 * e["count"] / completed) if completed else 0
        e["width"] = round(100 * e["count"] / most, 2) if most else 0
    driven = sorted(drivers.values(), key=lambda d: (-d["count"], d["title"]))
    for d in driven:
        d["points"] = round(d.pop("total") / d["count"], 1)
    return Overview(completed, ranked, decided, followed, differed, driven)


def today() -> date:
    return datetime.now(UTC).date()
