"""Assessments: start one, see it, complete it, re-score it, delete a draft.

Every view answers a browser (forms, redirects, pages) and a JSON client
(DESIGN 7) from the same rules in ``portal.assessments``.
"""

from __future__ import annotations

from typing import Any

from pyramid.httpexceptions import HTTPBadRequest, HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.response import Response

from .. import assessments
from ..assessments import Conflict
from ..questionnaire import Questionnaire
from ..resources import AssessmentContainer, AssessmentResource
from ..scoring.snapshot import schema_of
from ..security import Permissions, keep_link_private
from ..throttle import Throttled, throttles, wait_words
from ..validators import positive_int
from .errors import Missing
from .inputs import action_body, body
from .negotiation import GET, action_view, html_view, json_view, page_view, wants_json


def questionnaire_of(request) -> Questionnaire:
    """Built once per configuration: the catalog is frozen after start-up."""
    registry = request.registry
    built = registry.get("portal.questionnaire")
    if built is None:
        built = registry["portal.questionnaire"] = Questionnaire.from_catalog(request.catalog)
    return built


def assessment_url(request, public_id: str, *elements: str) -> str:
    return "/".join([f"{request.application_url}/assessments/{public_id}", *elements]) + (
        "" if elements else "/"
    )


def revision_url(request, public_id: str, number: int) -> str:
    return assessment_url(request, public_id, "revisions", str(number))


def state_json(request, assessment) -> dict[str, Any]:
    """The JSON form of an assessment (DESIGN 7)."""
    questionnaire = questionnaire_of(request)
    answers = assessment.answer_map
    answered, visible = questionnaire.progress(answers)
    answerable = assessments.answerable(assessment)
    return {
        "id": assessment.public_id,
        "title": assessment.title,
        "status": assessment.status,
        "url": assessment_url(request, assessment.public_id),
        "progress": {"answered": answered, "visible": visible},
        "answers": answers,
        "missing": questionnaire.missing_required(answers) if answerable else [],
        # The revision completing will make: 1 for a new draft, the next one while
        # "Edit answers" is open, None when no draft is open.
        "draft_revision": assessments.draft_revision(assessment),
        "editing_from": assessment.editing_from,
        "revisions": [
            {
                "n": revision.number,
                "url": revision_url(request, assessment.public_id, revision.number),
                "created": revision.created.isoformat(timespec="seconds") + "Z",
                "edited_from": revision.snapshot.get("edited_from"),
            }
            # A draft has none: skip the query on the answer-saving path.
            for revision in (assessment.revisions if assessment.status != "draft" else ())
        ],
        "based_on": assessments.source_of(assessment.based_on),
    }


def overview_data(request, assessment) -> dict[str, Any]:
    """The overview page's data: the JSON form, with the revisions' times for people, and what
    this visitor may do with it as an account holder (views.owner)."""
    anonymous = assessment.owner_id is None
    return {
        **state_json(request, assessment),
        "created": {r.number: r.created for r in assessment.revisions},
        "anonymous": anonymous,
        # A form for a signed-in client; a way to sign in for a visitor.
        "may_claim": anonymous and request.identity is not None and request.has_permission(Permissions.CLAIM),
        "may_delete_completed": request.has_permission(Permissions.OWN),
    }


def answer_in_json(request, kind: str) -> bool:
    """JSON for a JSON body or for a client that asks for JSON (an action may have no body)."""
    return kind == "json" or wants_json(request)


def json_response(data: dict[str, Any], status: int = 200, location: str | None = None) -> Response:
    response = Response(json_body=data, status=status)
    if location:
        response.location = location
    return response


def conflict_json(error: Conflict) -> Response:
    errors = {key: "This question is required." for key in error.missing}
    return json_response({"errors": {"_request": str(error), **errors}, "missing": error.missing}, 409)


def conflict_page(request, context, error: Conflict) -> Response:
    data = {
        **overview_data(request, context.assessment),
        "problem": str(error),
        "missing": error.missing,
        # The questions by their text, linked to where they are asked while answers are taken.
        "open_questions": questionnaire_of(request).describe(error.missing),
        "open_links": assessments.answerable(context.assessment),
    }
    response = render_to_response("assessment.jinja2", data, request)
    response.status_int = 409
    return response


# --- Starting -----------------------------------------------------------------


@html_view("start.jinja2", context=AssessmentContainer, permission=Permissions.VIEW)
def start_page(context, request):
    return start_form("", {})


@json_view(context=AssessmentContainer, permission=Permissions.VIEW)
def start_json(context, request):
    return {"create": {"method": "POST", "url": request.resource_url(context), "fields": {"title": "text"}}}


@action_view(context=AssessmentContainer, permission=Permissions.CREATE)
def create(context, request):
    kind, data = body(request)
    raw = data.get("title")
    title, error = assessments.clean_title(raw)
    as_json = answer_in_json(request, kind)
    if error:
        return _refused_start(request, as_json, raw, {"title": error}, 400)
    try:
        throttles(request.registry)["create"].hit(request.dbsession, request.remote_addr or "")
    except Throttled as refused:
        message = (
            f"Too many new assessments from your address: try again in {wait_words(refused.retry_after)}."
        )
        response = _refused_start(request, as_json, raw, {"_request": message}, 429)
        response.headers["Retry-After"] = str(refused.retry_after)
        return response
    owner = request.identity.user_id if request.identity is not None else None
    assessment = assessments.create(request.dbsession, title, owner_id=owner)
    # The answer holds the new private link: kept private as every answer under it is.
    request.add_response_callback(keep_link_private)
    url = assessment_url(request, assessment.public_id)
    if as_json:
        return json_response({"id": assessment.public_id, "url": url, "status": assessment.status}, 201, url)
    return HTTPSeeOther(assessment_url(request, assessment.public_id, "questionnaire?page=1"))


def _refused_start(request, as_json: bool, title, errors: dict[str, str], status: int) -> Response:
    """The refusal, in JSON or as the start page with the title the client typed."""
    if as_json:
        return json_response({"errors": errors}, status)
    response = render_to_response("start.jinja2", start_form(title, errors), request)
    response.status_int = status
    return response


def start_form(title, errors: dict[str, str]) -> dict[str, Any]:
    # The title box holds exactly what an assessment's title may hold.
    return {"title": title, "errors": errors, "title_max": assessments.TITLE_MAX}


# --- One assessment -------------------------------------------------------------


@json_view(context=AssessmentResource, permission=Permissions.VIEW)
def overview_json(context, request):
    return state_json(request, context.assessment)


@html_view("assessment.jinja2", context=AssessmentResource, permission=Permissions.VIEW)
def overview(context, request):
    return overview_data(request, context.assessment)


@html_view("delete.jinja2", context=AssessmentResource, name="delete", permission=Permissions.VIEW)
def delete_page(context, request):
    """The confirmation a delete asks for: a page of its own, so it works without a script."""
    owner = request.has_permission(Permissions.OWN)
    return {**state_json(request, context.assessment), "may_delete_completed": owner}


@action_view(request_method=GET, context=AssessmentResource, name="compare", permission=Permissions.VIEW)
def compare_pick(context, request):
    """The overview's "Compare revision … with revision …" form leads to the comparison page."""
    numbers = {r.number for r in context.assessment.revisions}
    chosen = [positive_int(request.GET.get(field)) for field in ("from", "to")]
    for field, number in zip(("from", "to"), chosen, strict=True):
        if number not in numbers:
            raise HTTPBadRequest(f"{field}: choose one of this assessment's revisions.")
    old, new = sorted(chosen)
    if old == new:
        raise HTTPBadRequest("to: choose two different revisions.")
    return HTTPSeeOther(revision_url(request, context.assessment.public_id, new) + f"/compare?with={old}")


def _delete(context, request):
    as_json = answer_in_json(request, action_body(request))
    assessment = context.assessment
    try:
        if assessment.status == "draft" and not assessment.revisions:
            assessments.remove_draft(request.dbsession, assessment)
        elif request.has_permission(Permissions.OWN, context):
            # A completed one: its owner's to delete, never an anonymous link holder's.
            assessments.remove_completed(request.dbsession, assessment, request.identity.user_id)
        else:
            assessments.remove_draft(request.dbsession, assessment)  # refuses, saying why
    except Conflict as error:
        return conflict_json(error) if as_json else conflict_page(request, context, error)
    if as_json:
        return Response(status=204)
    return HTTPSeeOther(request.application_url + "/assessments/?deleted=1")


@action_view(context=AssessmentResource, name="delete", permission=Permissions.EDIT)
def delete_by_form(context, request):
    return _delete(context, request)


@action_view(request_method="DELETE", context=AssessmentResource, permission=Permissions.EDIT)
def delete_by_api(context, request):
    return _delete(context, request)


@action_view(context=AssessmentResource, name="complete", permission=Permissions.EDIT)
def complete(context, request):
    as_json = answer_in_json(request, action_body(request))
    try:
        revision = assessments.complete(
            request.dbsession, context.assessment, request.catalog, questionnaire_of(request)
        )
    except Conflict as error:
        return conflict_json(error) if as_json else conflict_page(request, context, error)
    url = revision_url(request, context.assessment.public_id, revision.number)
    if as_json:
        return json_response(result_json(request, context.assessment, revision), 200, url)
    return HTTPSeeOther(url)


@page_view("edit.jinja2", context=AssessmentResource, name="edit", permission=Permissions.VIEW)
def edit_page(context, request):
    """What "Edit answers" on a (cached) result page leads to: the form, with this session's token
    (JSON: the state, whose ``draft_revision`` and ``editing_from`` say what is open)."""
    return state_json(request, context.assessment)


@action_view(context=AssessmentResource, name="edit", permission=Permissions.EDIT)
def edit(context, request):
    as_json = answer_in_json(request, action_body(request))
    assessment = context.assessment
    questionnaire = questionnaire_of(request)
    try:
        assessments.open_edit(request.dbsession, assessment, questionnaire)
    except Conflict as error:
        return conflict_json(error) if as_json else conflict_page(request, context, error)
    if as_json:
        url = assessment_url(request, assessment.public_id)
        return json_response(state_json(request, assessment), 200, url)
    # Every answer with its Change link: the natural place to start changing some.
    return HTTPSeeOther(assessment_url(request, assessment.public_id, "review"))


@action_view(context=AssessmentResource, name="discard", permission=Permissions.EDIT)
def discard(context, request):
    as_json = answer_in_json(request, action_body(request))
    assessment = context.assessment
    try:
        assessments.discard_edit(request.dbsession, assessment, questionnaire_of(request))
    except Conflict as error:
        return conflict_json(error) if as_json else conflict_page(request, context, error)
    if as_json:
        return json_response(state_json(request, assessment))
    return HTTPSeeOther(assessment_url(request, assessment.public_id) + "?discarded=1")


@action_view(context=AssessmentResource, name="rescore", permission=Permissions.EDIT)
def rescore(context, request):
    as_json = answer_in_json(request, action_body(request))
    try:
        revision = assessments.rescore(
            request.dbsession, context.assessment, request.catalog, questionnaire_of(request)
        )
    except Conflict as error:
        return conflict_json(error) if as_json else conflict_page(request, context, error)
    url = revision_url(request, context.assessment.public_id, revision.number)
    if as_json:
        return json_response(result_json(request, context.assessment, revision), 201, url)
    return HTTPSeeOther(url)


@json_view(context=AssessmentResource, name="result", permission=Permissions.VIEW)
def latest_result_json(context, request):
    assessment = context.assessment
    if not assessment.revisions:
        raise Missing("This assessment has no result yet; complete it first.")
    return result_json(request, assessment, assessment.revisions[-1])


@html_view("assessment.jinja2", context=AssessmentResource, name="result", permission=Permissions.VIEW)
def latest_result_page(context, request):
    assessment = context.assessment
    if not assessment.revisions:
        raise Missing("This assessment has no result yet; complete it first.")
    return HTTPSeeOther(revision_url(request, assessment.public_id, assessment.revisions[-1].number))


def result_json(request, assessment, revision) -> dict[str, Any]:
    """A revision's result exactly as its snapshot holds it (DESIGN 6, 7)."""
    snapshot = revision.snapshot
    return {
        "revision": revision.number,
        "url": revision_url(request, assessment.public_id, revision.number),
        "created": revision.created.isoformat(timespec="seconds") + "Z",
        **snapshot["result"],
        "dropped": snapshot["dropped"],
        # Results of the first model keep their shape (ResultV1), which has no dropped_options.
        **({} if schema_of(snapshot) == 1 else {"dropped_options": snapshot.get("dropped_options", [])}),
        "snapshot": {key: snapshot[key] for key in ("frameworks", "criteria", "weights")},
    }
