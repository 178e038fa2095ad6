"""``/consultant/``: the consultant's workspace (consultants and administrators, STAFF_ACL).

Assessments are named by row id here; no page, download or JSON of the workspace holds
an assessment's private link, which is what opens an anonymous one.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime
from typing import Any

from pyramid.httpexceptions import HTTPBadRequest, HTTPNotFound, HTTPSeeOther, HTTPServiceUnavailable
from pyramid.renderers import render, render_to_response
from pyramid.response import Response

from .. import pdf
from .. import workspace as ws
from ..csv_export import to_csv
from ..decisions import current_decision, decision_history, record_decision
from ..downloads import _words, attachment
from ..report import decision_record_pdf, render_report
from ..resources import Workspace, WorkspaceAssessment, WorkspaceAssessments, WorkspaceRevision
from ..results import result_page_data
from ..security import Permissions
from ..validators import positive_int, unstorable
from .assessments import questionnaire_of
from .inputs import body
from .negotiation import GET, action_view, html_view, json_view
from .sign_up import field

NOTE_MAX = 10_000
REASON_MAX = 10_000
NO_STORE = "no-store"


def frameworks_of(request) -> dict[str, str]:
    return {slug: f.title for slug, f in request.catalog.frameworks.items()}


def criteria_of(request) -> dict[str, str]:
    return {key: c.title for key, c in request.catalog.criteria.items()}


def _private(request) -> None:
    request.response.headers["Cache-Control"] = NO_STORE


def base_url(request) -> str:
    return request.application_url + "/consultant/assessments/"


def assessment_url(request, row_id: int, *elements: str) -> str:
    return base_url(request) + f"{row_id}/" + "/".join(elements)


def _iso(moment) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.isoformat(timespec="seconds") + "Z"
    return moment.isoformat()


# --- the overview -------------------------------------------------------------------------------


def overview_values(request) -> dict[str, Any]:
    found = ws.overview(request.dbsession, frameworks_of(request), criteria_of(request))
    return {
        "completed": found.completed,
        "first": found.first,
        "decided": found.decided,
        "followed": found.followed,
        "differed": found.differed,
        "drivers": found.drivers,
    }


@html_view("workspace_overview.jinja2", context=Workspace, permission=Permissions.REVIEW)
def overview_page(context, request):
    _private(request)
    return overview_values(request)


@json_view(context=Workspace, permission=Permissions.REVIEW)
def overview_json(context, request):
    _private(request)
    return overview_values(request)


# --- the list -----------------------------------------------------------------------------------


def list_values(request) -> tuple[dict[str, Any], bool]:
    frameworks = frameworks_of(request)
    filters, errors = ws.parse_filters(request.GET, frameworks)
    values: dict[str, Any] = {
        "filters": filters.typed,
        "errors": errors,
        "frameworks": frameworks,
        "statuses": ws.STATUSES,
        "items": [],
        "total": 0,
        "page": filters.page,
        "pages": 1,
        "previous": None,
        "next": None,
        "csv": base_url(request) + "export.csv" + filters.query_string(),
    }
    if errors:
        return values, False
    total = ws.count(request.dbsession, filters)
    pages = max(1, -(-total // ws.PAGE_SIZE))
    if filters.page > pages:
        errors["page"] = f"Page: give a page number from 1 to {pages}, the last page with these filters."
        return values, False
    values.update(
        items=ws.listing(request.dbsession, filters, frameworks),
        total=total,
        pages=pages,
        previous=(base_url(request) + filters.query_string(filters.page - 1)) if filters.page > 1 else None,
        next=(base_url(request) + filters.query_string(filters.page + 1)) if filters.page < pages else None,
    )
    return values, True


def item_json(request, item: ws.Listed) -> dict[str, Any]:
    return {
        "id": item.id,
        "url": assessment_url(request, item.id),
        "title": item.title,
        "client": item.client,
        "status": item.status,
        "created": _iso(item.created),
        "updated": _iso(item.updated),
        "revision": item.revision,
        "recommended": item.first,
        "score": item.first_score,
        "confidence": item.confidence,
        "decision": item.decision,
        "decided_on": _iso(item.decided_on),
    }


@html_view("workspace_list.jinja2", context=WorkspaceAssessments, permission=Permissions.REVIEW)
def list_page(context, request):
    _private(request)
    values, ok = list_values(request)
    if not ok:
        request.response.status_int = 400
    return values


@json_view(context=WorkspaceAssessments, permission=Permissions.REVIEW)
def list_json(context, request):
    _private(request)
    values, ok = list_values(request)
    if not ok:
        request.response.status_int = 400
        return {"errors": values["errors"]}
    return {
        "assessments": [item_json(request, item) for item in values["items"]],
        "total": values["total"],
        "page": values["page"],
        "pages": values["pages"],
        "next": values["next"],
        "previous": values["previous"],
    }


@action_view(
    request_method=GET, context=WorkspaceAssessments, name="export.csv", permission=Permissions.REVIEW
)
def export_csv(context, request):
    frameworks = frameworks_of(request)
    filters, errors = ws.parse_filters(request.GET, frameworks)
    if errors:
        raise HTTPBadRequest(" ".join(errors.values()))
    items = ws.listing(request.dbsession, filters, frameworks, paged=False)
    response = Response(body=to_csv(items).encode("utf-8"), content_type="text/csv", charset="utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="assessments.csv"'
    response.headers["Cache-Control"] = NO_STORE
    return response


# --- one assessment -----------------------------------------------------------------------------


def _latest(assessment):
    return assessment.revisions[-1] if assessment.revisions else None


def _answered(assessment, decision) -> dict | None:
    """The snapshot of the revision a decision answered (the latest for one that names none)."""
    if decision is None:
        return None
    if decision.revision is None:
        latest = _latest(assessment)
        return latest.snapshot if latest else None
    return next((r.snapshot for r in assessment.revisions if r.number == decision.revision), None)


def assessment_values(request, context: WorkspaceAssessment, **extra) -> dict[str, Any]:
    assessment = context.assessment
    frameworks = frameworks_of(request)
    item = ws.one(request.dbsession, assessment.id, frameworks)
    latest = _latest(assessment)
    result = latest.snapshot["result"] if latest else None
    history = decision_history(request.dbsession, assessment.id)
    decision = history[0] if history else None
    answered = _answered(assessment, decision)
    values = {
        "item": item,
        "answers": ws.answers_of(assessment, questionnaire_of(request)),
        "latest": latest,
        "result": result,
        "ranking": result["ranking"] if result else [],
        "revisions": [
            {
                "n": r.number,
                "created": r.created,
                "url": assessment_url(request, assessment.id, "revisions", str(r.number)),
            }
            for r in assessment.revisions
        ],
        "notes": list(assessment.notes),
        "decision": decision,
        "decision_title": item.decision_title,
        "follows": item.follows,
        "answered_first_title": answered["result"]["ranking"][0]["title"]
        if answered and answered["result"]["ranking"]
        else None,
        "history": history,
        "frameworks": frameworks,
        "here": assessment_url(request, assessment.id),
        "errors": {},
        "note_body": "",
        "typed": {
            "framework": item.first or "",
            "reason": "",
            "decided_on": ws.today().isoformat(),
            # The revision this page shows: what a decision recorded from it answers.
            "revision": str(latest.number) if latest else "",
        },
    }
    values.update(extra)
    return values


def assessment_json(request, context: WorkspaceAssessment) -> dict[str, Any]:
    values = assessment_values(request, context)
    item, decision = values["item"], values["decision"]
    return {
        **item_json(request, item),
        "answers": [{"question": q, "answer": a} for q, a in values["answers"]],
        "ranking": [
            {"rank": e["rank"], "framework": e["framework"], "title": e["title"], "score": e["score"]}
            for e in values["ranking"]
        ],
        "revisions": [
            {"n": r["n"], "created": _iso(r["created"]), "url": r["url"]} for r in values["revisions"]
        ],
        "notes": [
            {"author": n.author_name, "created": _iso(n.created), "body": n.body} for n in values["notes"]
        ],
        "decision": None
        if decision is None
        else {**decision_json(decision), "follows_recommendation": values["follows"]},
        "decisions": [decision_json(d) for d in values["history"]],
    }


def decision_json(decision) -> dict[str, Any]:
    return {
        "version": decision.version,
        "framework": decision.framework,
        "reason": decision.reason,
        "decided_on": decision.decided_on.isoformat(),
        "revision": decision.revision,
        "author": decision.author_name,
        "created": _iso(decision.created),
    }


@html_view("workspace_assessment.jinja2", context=WorkspaceAssessment, permission=Permissions.REVIEW)
def assessment_page(context, request):
    _private(request)
    return assessment_values(request, context)


@json_view(context=WorkspaceAssessment, permission=Permissions.REVIEW)
def assessment_page_json(context, request):
    _private(request)
    return assessment_json(request, context)


def text_field(data, name: str, label: str, limit: int, missing: str) -> tuple[str, str | None]:
    """(what was typed, the problem with it or None) for a text box: ``missing`` when it is
    empty, a message naming ``label`` when it is not text, too long or holds a character no
    column can store."""
    raw = data.get(name)
    if raw is not None and not isinstance(raw, str):
        return "", f"{label}: send it as text."
    text = field(data, name, limit + 1)
    if not text.strip():
        return text, f"{label}: {missing}"
    if len(text) > limit:
        return text, f"{label}: shorten it to at most {limit:,} characters."
    problem = unstorable(text)
    return text, (f"{label}: it {problem}." if problem else None)


def _refused(request, context, kind: str, errors: dict[str, str], **typed):
    """A 400 naming the fields: the page again with what was typed, or the errors as JSON."""
    if kind == "json":
        response = Response(json_body={"errors": errors}, status=400)
    else:
        values = assessment_values(request, context, errors=errors, **typed)
        response = render_to_response("workspace_assessment.jinja2", values, request=request)
        response.status_int = 400
    response.headers["Cache-Control"] = NO_STORE
    return response


@action_view(context=WorkspaceAssessment, name="notes", permission=Permissions.ADVISE)
def add_note(context, request):
    assessment = context.assessment
    kind, data = body(request)
    text, problem = text_field(data, "body", "Note", NOTE_MAX, "write something before saving.")
    if problem:
        return _refused(request, context, kind, {"body": problem}, note_body=text)
    identity = request.identity
    from ..models import Note

    note = Note(assessment_id=assessment.id, author_id=identity.user_id, author_name=identity.name, body=text)
    request.dbsession.add(note)
    request.dbsession.flush()
    if kind == "json":
        return Response(json_body={"author": note.author_name, "body": note.body}, status=201)
    return HTTPSeeOther(assessment_url(request, assessment.id) + "#notes")


def _answered_revision(assessment, data) -> tuple[int | None, str | None]:
    """(the revision whose result a decision answers, or a problem naming the field).

    The page's form sends the revision it showed, so a revision completed meanwhile is not
    taken for the one decided on; a JSON client may leave it out: the latest then.
    """
    numbers = [r.number for r in assessment.revisions]
    raw = data.get("revision")
    if raw is None or raw == "":
        return (numbers[-1] if numbers else None), None
    number = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
    if isinstance(raw, str):
        number = positive_int(raw.strip())
    if number not in numbers:
        if not numbers:
            return None, "Revision: this assessment has no result yet; leave the revision out."
        return None, f"Revision: give the number of one of this assessment's revisions (1 to {numbers[-1]})."
    return number, None


@action_view(context=WorkspaceAssessment, name="decision", permission=Permissions.ADVISE)
def decide(context, request):
    assessment = context.assessment
    kind, data = body(request)
    frameworks = frameworks_of(request)
    reason, reason_problem = text_field(
        data, "reason", "Reason", REASON_MAX, "say why this framework was chosen."
    )
    typed = {
        "framework": field(data, "framework", 200),
        "reason": reason,
        "decided_on": field(data, "decided_on", 20).strip(),
        "revision": field(data, "revision", 20).strip(),
    }
    errors = {}
    if typed["framework"] not in frameworks:
        errors["framework"] = "Framework: choose one of the frameworks listed."
    if reason_problem:
        errors["reason"] = reason_problem
    revision, revision_problem = _answered_revision(assessment, data)
    if revision_problem:
        errors["revision"] = revision_problem
    decided_on = ws.parse_date(typed["decided_on"])
    if decided_on is None:
        errors["decided_on"] = "Decided on: give a date as YYYY-MM-DD, for example 2026-11-30."
    elif decided_on > ws.today():
        errors["decided_on"] = "Decided on: give today's date or an earlier one, not a future date."
    if errors:
        return _refused(request, context, kind, errors, typed=typed)
    identity = request.identity
    decision = record_decision(
        request.dbsession,
        assessment.id,
        typed["framework"],
        typed["reason"].strip(),
        decided_on,
        identity.user_id,
        identity.name,
        revision,
    )
    if kind == "json":
        return Response(json_body=decision_json(decision), status=201)
    return HTTPSeeOther(assessment_url(request, assessment.id) + "#decision")


# --- downloads ----------------------------------------------------------------------------------


def _need_result(assessment):
    latest = _latest(assessment)
    if latest is None:
        raise HTTPNotFound("This assessment has no result yet: its report comes once it is completed.")
    return latest


def _report_text(request, context, latest) -> str:
    assessment = context.assessment
    return render_report(
        assessment.title,
        latest.number,
        latest.created,
        latest.snapshot,
        assessment_url(request, assessment.id, "revisions", str(latest.number)),
        decision=current_decision(request.dbsession, assessment.id),
    )


def _download(payload: bytes, content_type: str, disposition: str) -> Response:
    response = Response(body=payload, content_type=content_type, charset="utf-8")
    response.headers["Content-Disposition"] = disposition
    response.headers["Cache-Control"] = NO_STORE
    return response


@action_view(request_method=GET, context=WorkspaceAssessment, name="report.md", permission=Permissions.REVIEW)
def report_md(context, request):
    latest = _need_result(context.assessment)
    text = _report_text(request, context, latest)
    disposition = attachment(context.assessment.title, latest.number, "md")
    return _download(text.encode("utf-8"), "text/markdown", disposition)


@action_view(
    request_method=GET, context=WorkspaceAssessment, name="report.pdf", permission=Permissions.REVIEW
)
def report_pdf(context, request):
    assessment = context.assessment
    latest = _need_result(assessment)
    page_url = assessment_url(request, assessment.id, "revisions", str(latest.number))
    try:
        if assessment.decision_version:
            payload = decision_record_pdf(
                request, _report_text(request, context, latest), assessment.title, page_url
            )
        else:
            data = result_page_data(request, assessment, latest, workspace=True)
            html = render("revision.jinja2", {**data, "printing": True}, request)
            payload = pdf.render_pdf(html, page_url, pdf.static_fetcher(request.static_url("portal:static/")))
    except pdf.PdfUnavailable as exc:
        raise HTTPServiceUnavailable(str(exc)) from exc
    return _download(payload, "application/pdf", attachment(assessment.title, latest.number, "pdf"))


@action_view(
    request_method=GET, context=WorkspaceAssessment, name="export.json", permission=Permissions.REVIEW
)
def export_json(context, request):
    data = assessment_json(request, context)
    data["results"] = [
        {"n": r.number, "created": _iso(r.created), "result": r.snapshot["result"]}
        for r in context.assessment.revisions
    ]
    ascii_title = unicodedata.normalize("NFKD", context.assessment.title).encode("ascii", "ignore").decode()
    name = (_words(ascii_title) or "assessment") + ".json"
    payload = json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")
    return _download(payload, "application/json", f'attachment; filename="{name}"')


# --- one revision, read-only --------------------------------------------------------------------


@html_view("revision.jinja2", context=WorkspaceRevision, permission=Permissions.REVIEW)
def revision_page(context, request):
    _private(request)
    return result_page_data(request, context.assessment, context.revision, workspace=True)
