"""The questionnaire: one HTML page per criterion category, or all of it as JSON; saving
answers; checking them before completing.

A page is saved as a whole: any invalid answer saves nothing, and the page
comes back (400) with everything the client chose still chosen and each
problem next to its question. A page holds its hidden follow-ups too, for
portal.js to show in place; a hidden one's inputs are disabled, and the
server takes only the answers skip logic shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyramid.httpexceptions import HTTPBadRequest, HTTPSeeOther
from pyramid.renderers import render_to_response

from .. import assessments, stale
from ..assessments import Conflict
from ..plugins.schema import Question
from ..questionnaire import ANSWERED, OPEN, UNSURE, UNSURE_LABEL, WAITING, Page, anchor
from ..resources import AssessmentResource
from ..security import Permissions
from ..validators import positive_int
from .assessments import assessment_url, conflict_json, json_response, questionnaire_of, state_json
from .catalog import question_json
from .inputs import body
from .negotiation import action_view, html_view, json_view

NAVIGATION = ("previous", "next", "leave", "stay")
MAX_ADDED = 100  # more follow-ups than a page could hold: a made-up ``added``


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
    if not assessments.answerable(assessment):
        return HTTPSeeOther(assessment_url(request, assessment.public_id))
    raw = request.GET.get("page")
    if raw is None:
        # "Continue answering": where the client left off.
        return HTTPSeeOther(resume_url(request, assessment))
    number = _page_number(request, raw)
    return page_data(request, assessment, number, assessment.answer_map, errors={}, added=_added(request))


def resume_url(request, assessment) -> str:
    """The first open required question, else the first open one, else checking the answers."""
    questionnaire = questionnaire_of(request)
    key = questionnaire.first_open(assessment.answer_map)
    if key is None:
        return assessment_url(request, assessment.public_id, "review")
    return question_url(request, assessment, key)


def question_url(request, assessment, key: str) -> str:
    number = questionnaire_of(request).page_of(key)
    return assessment_url(request, assessment.public_id, f"questionnaire?page={number}#{anchor(key)}")


@dataclass(frozen=True)
class Item:
    """One question as its page renders it."""

    question: Question  # as offered for these answers
    anchor: str
    shown: bool  # hidden ones are rendered too, for the script to show in place
    waiting: bool  # hidden until a question on another page is answered (the script cannot tell)


def page_data(request, assessment, number: int, answers: dict, errors: dict, added: int | None = None):
    """Everything the page template needs; ``answers`` may hold what the client just typed."""
    questionnaire = questionnaire_of(request)
    page: Page | None = questionnaire.pages[number - 1] if questionnaire.pages else None
    states = questionnaire.states(answers)
    here = {q.key for q in page.questions} if page else set()
    items = [
        Item(offered, anchor(q.key), states[q.key] in (ANSWERED, OPEN), _waits_elsewhere(q, states, here))
        for q in (page.questions if page else ())
        if (offered := questionnaire.offered(q, answers)).options
    ]
    # Progress counts what is saved, not what a refused page holds.
    saved = questionnaire.states(assessment.answer_map) if errors else states
    page_done, page_required = questionnaire.required_done(saved, page)
    total_done, total_required = questionnaire.required_done(saved)
    return {
        "assessment": state_json(request, assessment),
        "pages": questionnaire.pages,
        "page": page,
        "items": items,
        # Without the script, the page came back with follow-ups: say so before the first one.
        "added": added,
        "added_before": _first_follow_up(items, states) if added else None,
        "answers": answers,
        "errors": errors,
        "summary": _error_summary(request, assessment, questionnaire, here, errors),
        "steps": {
            "page_done": page_done,
            "page_required": page_required,
            "total_done": total_done,
            "total_required": total_required,
        },
        "unsure": (UNSURE, UNSURE_LABEL),
        "link": assessment_url(request, assessment.public_id),
        # Earlier answers "Edit answers" had to leave out, told at their question.
        "stale": stale.edit_notices(questionnaire, assessment),
    }


def _first_follow_up(items: list[Item], states: dict[str, str]) -> str | None:
    """The first follow-up on the page still to answer: where the reload's notice goes."""
    return next(
        (i.question.key for i in items if i.question.condition and states[i.question.key] == OPEN), None
    )


def _waits_elsewhere(question: Question, states: dict[str, str], here: set[str]) -> bool:
    condition = question.condition
    return condition is not None and condition.question not in here and states[question.key] == WAITING


def _error_summary(request, assessment, questionnaire, here, errors) -> list[dict[str, str | None]]:
    """Each problem by its question's text, linking to the question (GOV.UK's error summary)."""
    summary = []
    for key, message in errors.items():
        question = questionnaire.questions.get(key)
        if question is None:
            summary.append({"href": None, "text": None, "message": message})
            continue
        href = f"#{anchor(key)}" if key in here else question_url(request, assessment, key)
        summary.append({"href": href, "text": question.text, "message": message})
    return summary


def _added(request) -> int | None:
    """``added=N`` of the reload that showed N follow-ups; anything else is ignored."""
    count = positive_int(request.GET.get("added", ""))
    return count if count is not None and count <= MAX_ADDED else None


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
    shown = form.getall("shown")
    submitted = {key: _form_value(questionnaire.questions.get(key), form.getall(key)) for key in shown}
    # The server decides what is asked: a follow-up that skip logic hides for these answers
    # (hidden by the script, or a stale form) keeps its saved answer, whatever it sent.
    visible = questionnaire.visible({**assessment.answer_map, **submitted})
    submitted = {k: v for k, v in submitted.items() if k in visible or k not in questionnaire.questions}
    clean, errors = questionnaire.validate(submitted, plain=True)
    if errors:
        return _page_with_errors(request, assessment, number, submitted, errors, 400)
    try:
        saved = assessments.save_answers(request.dbsession, assessment.public_id, clean)
    except Conflict as error:
        # Complete, perhaps since this request read it: show it as it is now.
        request.dbsession.refresh(assessment)
        return _page_with_errors(request, assessment, number, submitted, {"_request": str(error)}, 409)
    added = _unseen(questionnaire, questionnaire.pages[number - 1], saved.answer_map, set(shown))
    if added and go not in ("previous", "leave"):
        # Follow-ups the client has not seen appeared on this page (no script): show them first.
        page_url = f"questionnaire?page={number}&added={added}#added"
        return HTTPSeeOther(assessment_url(request, assessment.public_id, page_url))
    return HTTPSeeOther(_destination(request, saved, number, go, len(questionnaire.pages)))


def _unseen(questionnaire, page: Page, answers: dict[str, Any], seen: set[str]) -> int:
    """How many questions of the page are asked now that the form did not show (``shown``)."""
    visible = questionnaire.visible(answers)
    return sum(
        1
        for q in page.questions
        if q.key in visible and q.key not in seen and questionnaire.offered(q, answers).options
    )


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
    if go == "leave":
        return assessment_url(request, assessment.public_id) + "?saved=1"
    if go == "stay":
        target = number
    elif go == "previous":
        target = max(number - 1, 1)
    else:
        target = number + 1
    if target > pages:
        return assessment_url(request, assessment.public_id, "review")
    return assessment_url(request, assessment.public_id, f"questionnaire?page={target}")


# --- Check your answers ---------------------------------------------------------


@html_view("review.jinja2", context=AssessmentResource, name="review", permission=Permissions.VIEW)
def review_page(context, request):
    """Every answer by page with a Change link; required questions still open first."""
    assessment = context.assessment
    if not assessments.answerable(assessment):
        return HTTPSeeOther(assessment_url(request, assessment.public_id))
    questionnaire = questionnaire_of(request)
    answers = assessment.answer_map
    states = questionnaire.states(answers)
    pages = []
    for page in questionnaire.pages:
        rows = [
            {
                "text": offered.text,
                "answer": _labels(offered, answers.get(q.key)),
                "url": question_url(request, assessment, q.key),
            }
            for q in page.questions
            if states[q.key] in (ANSWERED, OPEN) and (offered := questionnaire.offered(q, answers)).options
        ]
        if rows:
            pages.append({"number": page.number, "title": page.title, "rows": rows})
    still_open = [
        {"text": q.text, "url": question_url(request, assessment, key)}
        for key, q in questionnaire.questions.items()
        if q.required and states[key] == OPEN
    ]
    return {
        "assessment": state_json(request, assessment),
        "pages": pages,
        "open": still_open,
        "stale": stale.edit_notices(questionnaire, assessment),
        "last_page": len(questionnaire.pages),
        "link": assessment_url(request, assessment.public_id),
    }


def _labels(question: Question, value: Any) -> list[str] | None:
    """An answer in the words the client chose it by."""
    if value is None:
        return None
    labels = {o.key: o.label for o in question.options} | {UNSURE: UNSURE_LABEL}
    keys = value if isinstance(value, list) else [value]
    return [labels.get(key, "An answer no longer offered") for key in keys]
