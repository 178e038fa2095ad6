"""The questionnaire as a browser sees it: forms, CSRF, validation that keeps every answer."""

from __future__ import annotations

import re

import pytest
import webtest

from portal.testing import JSON

from .conftest import alembic_upgrade


@pytest.fixture
def app(make_app, tmp_path):
    url = f"sqlite:///{tmp_path / 'pages.sqlite'}"
    alembic_upgrade(url)
    return make_app(sqlalchemy__url=url)


def start(app, title="Team portal"):
    home = app.get("/")
    form = home.forms[0]
    form["title"] = title
    page = form.submit(status=303).follow()
    assert page.request.path_qs.endswith("/questionnaire?page=1")
    return page


def assessment_path(page) -> str:
    return re.match(r"(/assessments/[^/]+/)", page.request.path).group(1)


def test_a_page_is_fieldsets_with_legends_labels_and_a_progress_bar(app):
    page = start(app)
    fieldsets = page.html.find_all("fieldset", class_="question")
    assert fieldsets and all(f.legend and f.legend.text.strip() for f in fieldsets)
    for radio in page.html.select("fieldset.question input[type=radio]"):
        assert page.html.find("label", attrs={"for": radio["id"]}) is not None
    assert page.html.find("progress") is not None
    assert "Your private link" in page.text
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["X-Robots-Tag"] == "noindex"
    assert page.html.find(id="q-project_scale-size-unsure") is not None  # "Not sure" where allowed


def test_forms_need_the_csrf_token(app):
    page = start(app)
    path = assessment_path(page)
    app.post(
        path + "answers",
        {"page": "1", "shown": "project_scale.size", "project_scale.size": "large"},
        status=400,
    )
    saved = app.get(path, headers=JSON).json["answers"]
    assert saved == {}


def test_saving_a_page_moves_on_and_keeps_the_answers(app):
    page = start(app)
    form = page.forms[0]
    form["project_scale.size"] = "large"
    next_page = form.submit("go", value="next", status=303).follow()
    # A follow-up question appeared on page 1, so the page comes back first.
    assert next_page.request.path_qs.endswith("questionnaire?page=1")
    assert next_page.html.find("fieldset", id="q-project_scale-teams") is not None
    assert next_page.forms[0]["project_scale.size"].value == "large"
    data = app.get(assessment_path(page), headers=JSON).json
    assert data["answers"]["project_scale.size"] == "large"


def test_an_invalid_page_saves_nothing_and_keeps_what_was_typed(app):
    page = start(app)
    form = page.forms[0]
    form["project_scale.size"] = "large"
    fields = [(k, v) for k, v in form.submit_fields()]
    fields.append(("rapid_start.start", "a-made-up-answer"))
    response = app.post(page.forms[0].action, fields, status=400)
    assert "Nothing on this page was saved" in response.text
    error = response.html.find(id="q-rapid_start-start-error")
    assert "'a-made-up-answer' is not one of the answers" in error.text
    # The answers the client chose are still chosen.
    assert response.forms[0]["project_scale.size"].value == "large"
    assert app.get(assessment_path(page), headers=JSON).json["answers"] == {}


def test_save_and_finish_later_shows_the_link_and_resuming_works_without_cookies(app, make_app):
    page = start(app)
    form = page.forms[0]
    form["project_scale.size"] = "small"
    overview = form.submit("go", value="leave", status=303).follow()
    link = overview.html.find("input", class_="copy")["value"]
    assert "Your answers are saved" in overview.text
    app.reset()  # a new browser: no cookies
    resumed = app.get(link)
    assert "Team portal" in resumed.text
    again = app.get(link + "questionnaire?page=1")
    assert again.forms[0]["project_scale.size"].value == "small"


def test_completing_with_open_required_questions_is_a_409_naming_them(app):
    page = start(app)
    overview = app.get(assessment_path(page))
    response = overview.forms[0].submit(status=409)
    assert "Some required questions are not answered yet." in response.text
    assert "realtime.live" in response.text


def test_a_page_sent_after_completion_is_a_409_and_saves_nothing(app):
    page = start(app)
    path = assessment_path(page)
    # Meanwhile, a program (no cookie) answers what is required and completes it.
    program = webtest.TestApp(app.app)
    for _ in range(10):
        state = program.get(path, headers=JSON).json
        if not state["missing"]:
            break
        questions = {q["key"]: q for q in program.get(path + "questionnaire", headers=JSON).json["questions"]}
        answers = {}
        for key in state["missing"]:
            option = questions[key]["options"][0]["key"]
            answers[key] = [option] if questions[key]["kind"] == "multi" else option
        program.post_json(path + "answers", {"answers": answers}, headers=JSON)
    program.post_json(path + "complete", {}, headers=JSON, status=200)
    before = program.get(path, headers=JSON).json["answers"]
    form = page.forms[0]
    form["project_scale.size"] = "large" if before["project_scale.size"] != "large" else "small"
    refused = form.submit("go", value="next", status=409)
    assert "This assessment is complete; open a new draft" in refused.text
    assert program.get(path, headers=JSON).json["answers"] == before


def test_a_draft_can_be_deleted(app):
    page = start(app)
    path = assessment_path(page)
    overview = app.get(path)
    delete = next(f for f in overview.forms.values() if f.action.endswith("/delete"))
    delete.submit(status=303).follow()
    app.get(path, status=404)


def test_bad_page_numbers_are_a_clear_400(app):
    page = start(app)
    path = assessment_path(page)
    assert "page: choose a page from 1 to" in app.get(path + "questionnaire?page=99", status=400).text
    app.get(path + "questionnaire?page=abc", status=400)


def test_error_answers_under_a_private_link_keep_it_private(app):
    path = assessment_path(start(app))
    app.reset()  # no session cookie: the PUT below is a program's, not a form's
    for response in (
        app.get(path + "questionnaire?page=99", status=400),
        app.get(path + "no-such-page", status=404),
        app.put(path, "{}", content_type="application/json", status=405),
        app.get("/assessments/" + "x" * 32 + "/", status=404),
    ):
        assert response.headers["Referrer-Policy"] == "same-origin", response.request.path
        assert "no-store" in response.headers["Cache-Control"]  # errors: plain no-store
        assert response.headers["X-Robots-Tag"] == "noindex"
    # Pages that are not under an assessment link say nothing of the kind.
    catalog = app.get("/frameworks/").headers
    assert "X-Robots-Tag" not in catalog and "Cache-Control" not in catalog


def test_how_scoring_works_explains_the_rules(app):
    page = app.get("/how-scoring-works")
    assert "weight × need × rating" in page.text
    assert "ranked after every framework without one" in page.text
