"""The questionnaire: one HTML page per criterion category, or all of it as JSON; saving answers.

A page is saved as a whole: any invalid answer saves nothing, and the page
comes back (400) with everything the client chose still chosen and each
problem next to its question.
"""

from __future__ import annotations

from typing import Any

from pyramid.httpexceptions import HTTPBadRequest, HTTPSeeOther
from pyramid.renderers import render_to_response

from .. import assessments
from ..assessments import Conflict
from ..questionnaire import UNSURE, UNSURE_LABEL, Page, option_keys
from ..resources import AssessmentResource
from ..security import Permissions
from ..validators import positive_int
from .assessments import assessment_url, conflict_json, json_response, questionnaire_of, state_json
from .catalog import question_json
from .inputs import body
from .negotiation import action_view, html_view, json_view

NAVIGATION = ("previous", "next", "leave", "stay")


@json_view(context=AssessmentResource, name="questionnaire", permission=Permissions.VIEW)
def questionnaire_json(context, request):
    questionnaire = questionnaire_of(request)
    answers = context.assessment.answer_map
    shown = questionnaire.visible(answers)
    return {
        "pages": [{"n": page.number, "title": page.title} for page in questionnaire.pages],
        "questions": [
            {
                **question_json(question),
                "criterion": questionnaire.criterion_of[key],
                "page": questionnaire.page_of(key),
                "visible": key in shown,
            }
            for key, question in questionnaire.questions.items()
        ],
    }


@html_view(
    "questionnaire.jinja2", context=AssessmentResource, name="questionnaire", permission=Permissions.VIEW
)
def questionnaire_page(context, request):
    assessment = context.assessment
    if assessment.status != "draft":
        return HTTPSeeOther(assessment_url(request, assessment.public_id))
    number = _page_number(request, request.GET.get("page", "1"))
    answers = assessment.answer_map
    return page_data(request, assessment, number, answers, errors={})


def page_data(request, assessment, number: int, answers: dict[str, Any], errors: dict[str, str]) -> dict:
    """Everything the page template needs; ``answers`` may hold what the client just typed."""
    questionnaire = questionnaire_of(request)
    page: Page | None = questionnaire.pages[number - 1] if questionnaire.pages else None
    shown = questionnaire.visible(answers)
    answered, visible = questionnaire.progress(assessment.answer_map)
    return {
        "assessment": state_json(request, assessment),
        "pages": questionnaire.pages,
        "page": page,
        "questions": [
            offered
            for q in (page.questions if page else ())
            if q.key in shown and (offered := questionnaire.offered(q, answers)).options
        ],
        "answers": answers,
        "errors": errors,
        "progress": {"answered": answered, "visible": visible},
        "unsure": (UNSURE, UNSURE_LABEL),
        "option_keys": option_keys,
        "link": assessment_url(request, assessment.public_id),
    }


def _page_number(request, raw: str) -> int:
    count = max(len(questionnaire_of(request).pages), 1)
    number = positive_int(raw)
    if number is None or number > count:
        raise HTTPBadRequest(f"page: choose a page from 1 to {count}.")
    return number


@action_view(context=AssessmentResource, name="answers", permission=Permissions.EDIT)
def save_answers(context, request):
    kind, data = body(request)
    if kind == "json":
        return _save_json(context, request, data)
    return _save_form(context, request, data)


def _save_json(context, request, data):
    submitted = data.get("answers")
    if not isinstance(submitted, dict) or set(data) - {"answers"}:
        return json_response({"errors": {"_request": 'Send {"answers": {"<question key>": …}}.'}}, 400)
    clean, errors = questionnaire_of(request).validate(submitted)
    if errors:
        return json_response({"errors": errors}, 400)
    try:
        saved = assessments.save_answers(request.dbsession, context.__name__, clean)
    except Conflict as error:
        return conflict_json(error)
    return json_response(state_json(request, saved))


def _save_form(context, request, form):
    assessment = context.assessment
    questionnaire = questionnaire_of(request)
    number = _page_number(request, form.get("page", ""))
    go = form.get("go", "next")
    if go not in NAVIGATION:
        raise HTTPBadRequest(f"go: choose one of {', '.join(NAVIGATION)}.")
    submitted = {
        key: _form_value(questionnaire.questions.get(key), form.getall(key)) for key in form.getall("shown")
    }
    clean, errors = questionnaire.validate(submitted)
    if errors:
        return _page_with_errors(request, assessment, number, submitted, errors, 400)
    before = questionnaire.visible(assessment.answer_map)
    try:
        saved = assessments.save_answers(request.dbsession, assessment.public_id, clean)
    except Conflict as error:
        # Complete, perhaps since this request read it: show it as it is now.
        request.dbsession.refresh(assessment)
        return _page_with_errors(request, assessment, number, submitted, {"_request": str(error)}, 409)
    after = questionnaire.visible(saved.answer_map)
    page_keys = {q.key for q in questionnaire.pages[number - 1].questions}
    if (after - before) & page_keys and go not in ("previous", "leave"):
        # A follow-up appeared on this page: show it before moving on.
        go = "stay"
    return HTTPSeeOther(_destination(request, saved, number, go, len(questionnaire.pages)))


def _form_value(question, values: list[str]) -> Any:
    """A form sends nothing for an unticked question: that clears its answer."""
    if question is not None and question.kind == "multi":
        return values or None
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def _page_with_errors(request, assessment, number, submitted, errors, status):
    answers = {**assessment.answer_map, **submitted}
    response = render_to_response(
        "questionnaire.jinja2", page_data(request, assessment, number, answers, errors), request
    )
    response.status_int = status
    return response


def _destination(request, assessment, number: int, go: str, pages: int) -> str:
    overview = assessment_url(request, assessment.public_id)
    if go == "leave":
        return overview + "?saved=1"
    if go == "stay":
        target = number
    elif go == "previous":
        target = max(number - 1, 1)
    else:
        target = number + 1
    if target > pages:
        return overview + "?review=1"
    return assessment_url(request, assessment.public_id, f"questionnaire?page={target}")
