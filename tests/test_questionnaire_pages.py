"""The questionnaire as a browser sees it: forms, CSRF, validation that keeps every answer."""

from __future__ import annotations

import itertools
import re

import pytest
import webtest
from bs4 import BeautifulSoup

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


def send(app, form, go="next", status=303):
    """Submit a page as a browser does: a disabled fieldset's controls are not sent (webtest sends them)."""
    soup = BeautifulSoup(form.text, "html.parser")
    off = {
        (i["name"], i.get("value")) for f in soup.select("fieldset[disabled]") for i in f.find_all("input")
    }
    fields = [
        (name, value) for name, value in form.submit_fields("go", submit_value=go) if (name, value) not in off
    ]
    if ("go", go) not in fields:  # "stay" has no button: a program may send it
        fields.append(("go", go))
    return app.post(form.action, fields, status=status)


def fieldset(page, key):
    return page.html.find("fieldset", attrs={"data-key": key})


def question_keys(app, path) -> set[str]:
    return {q["key"] for q in app.get(path + "questionnaire", headers=JSON).json["questions"]}


def assert_no_keys(app, path, page):
    """The page's visible text names no question by its key."""
    text = page.html.find("main").get_text(" ")
    shown = [key for key in question_keys(app, path) if key in text]
    assert shown == [], f"{page.request.path_qs} shows question keys: {shown}"


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
    next_page = send(app, form, "next").follow()
    # A follow-up question appeared on page 1 (no script showed it), so the page comes back first.
    assert next_page.request.path_qs.endswith("questionnaire?page=1&added=1")
    assert not fieldset(next_page, "project_scale.teams").has_attr("hidden")
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
    assert error.text == "Choose one of the answers shown."
    # The summary names the question by its text and links to it; no key, nothing made up echoed.
    (item,) = response.html.select(".error-summary li")
    assert item.a["href"] == "#q-rapid_start-start"
    assert item.a.text == fieldset(response, "rapid_start.start").legend.contents[0].strip()
    assert "a-made-up-answer" not in response.html.find("main").get_text()
    assert_no_keys(app, assessment_path(page), response)
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
    path = assessment_path(page)
    overview = app.get(path)
    # The overview offers no "See the recommendation" while required questions are open.
    assert not [f for f in overview.forms.values() if f.action.endswith("/complete")]
    assert "Still required before you can see the result" in overview.text
    token = page.forms[0]["csrf_token"].value
    response = app.post(path + "complete", {"csrf_token": token}, status=409)
    assert "Some required questions are not answered yet." in response.text
    summary = response.html.find("div", class_="error-summary")
    links = {a.text.strip(): a["href"] for a in summary.find_all("a")}
    realtime = "Does the product need to show changes to users the moment they happen"
    (href,) = [h for t, h in links.items() if t.startswith(realtime)]
    assert href.endswith(f"{path}questionnaire?page=3#q-realtime-live")
    assert_no_keys(app, path, response)


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
    assert "This assessment is complete;" in refused.text
    assert program.get(path, headers=JSON).json["answers"] == before


def test_a_draft_can_be_deleted(app):
    page = start(app)
    path = assessment_path(page)
    overview = app.get(path)
    # The overview asks first: its delete link opens a page whose form deletes.
    confirm = overview.click(href=r"/delete$")
    delete = next(f for f in confirm.forms.values() if f.action.endswith("/delete"))
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


# --- The guided questionnaire --------------------------------------------------------


def counts(page) -> tuple[int, int, int, int, int]:
    """(page number, done on the page, required on the page, done in all, required in all)."""
    number = int(re.fullmatch(r"Page (\d+) of \d+", page.html.find("p", class_="step").text).group(1))
    here = re.search(r"(\d+) of (\d+) answered", page.html.find("p", class_="page-count").text)
    total = re.search(r"(\d+) of (\d+) required", page.html.find("label", attrs={"for": "progress"}).text)
    return number, *(int(n) for n in here.groups()), *(int(n) for n in total.groups())


def opening_choice(page, key: str) -> str:
    """An option that opens a follow-up on this page where there is one, else the first."""
    options = [i["value"] for i in fieldset(page, key).find_all("input", attrs={"name": key})]
    opens = [
        v
        for f in page.html.find_all("fieldset", attrs={"data-when": key})
        for v in f["data-when-in"].split()
        if v != "unsure"
    ]
    return next((o for o in options if o in opens), options[0])


def first_unanswered(page) -> str | None:
    for field in page.html.select("fieldset.question"):
        if not field.has_attr("hidden") and not field.select("input:checked"):
            return field["data-key"]
    return None


def choose(form, key: str, option: str) -> None:
    fields = form.fields[key]
    if fields[0].__class__.__name__ == "Checkbox":
        for field in fields:
            field.checked = field._value == option
    else:
        form[key] = option


def test_without_the_script_a_follow_up_is_announced_and_focused(app):
    page = start(app)
    form = page.forms[0]
    form["project_scale.size"] = "large"
    form["scope_growth.likelihood"] = "open"
    saved = send(app, form, "next")
    # The page comes back rather than moving on, at the notice, which takes focus.
    assert saved.location.endswith("questionnaire?page=1&added=3#added")
    again = saved.follow()
    notice = again.html.find(id="added")
    assert notice.text.strip() == "3 follow-up questions were added below."
    assert notice["tabindex"] == "-1" and notice.has_attr("autofocus")
    # Right before the first of them.
    assert notice.find_next_sibling("fieldset")["data-key"] == "project_scale.teams"
    for key in ("project_scale.teams", "scope_growth.restructure", "scope_growth.variants"):
        assert not fieldset(again, key).has_attr("hidden")
    one = app.get(again.request.path + "?page=1&added=1")
    assert one.html.find(id="added").text.strip() == "1 follow-up question was added below."
    # A made-up count is ignored.
    assert app.get(again.request.path + "?page=1&added=999").html.find(id="added") is None


def test_follow_ups_the_script_showed_count_as_shown(app):
    page = start(app)
    form = page.forms[0]
    form["project_scale.size"] = "large"
    form["project_scale.teams"] = "several"  # webtest sends the disabled follow-up, as the script would
    saved = form.submit("go", value="next", status=303)
    # Nothing new to show: the page moves on, and the follow-up's answer is kept.
    assert saved.location.endswith("questionnaire?page=2")
    assert app.get(assessment_path(page), headers=JSON).json["answers"] == {
        "project_scale.size": "large",
        "project_scale.teams": "several",
    }


def test_hidden_questions_are_in_the_page_with_their_condition(app):
    page = start(app)
    teams = fieldset(page, "project_scale.teams")
    assert teams.has_attr("hidden") and teams.has_attr("disabled")
    assert teams["data-when"] == "project_scale.size"
    assert teams["data-when-in"].split() == ["medium", "large", "unsure"]
    # Its "shown" marker is inside the disabled fieldset, so a browser does not send it.
    assert teams.find("input", attrs={"name": "shown"})["value"] == "project_scale.teams"
    size = fieldset(page, "project_scale.size")
    assert not size.has_attr("hidden") and not size.has_attr("data-when") and size.has_attr("data-required")
    # The live region the script announces through.
    assert page.html.find(attrs={"aria-live": "polite", "data-announce": True}) is not None
    assert page.html.find("script", src=re.compile(r"/portal\.js$")) is not None


def test_a_hidden_follow_up_cannot_be_saved_through_stale_inputs(app):
    page = start(app)
    path = assessment_path(page)
    form = page.forms[0]
    form["project_scale.size"] = "large"
    form["project_scale.teams"] = "several"
    form.submit("go", value="stay", status=303)
    # The client changes the size; the script hides "teams", but its inputs still say "few".
    stale = app.get(path + "questionnaire?page=1").forms[0]
    stale["project_scale.size"] = "small"
    stale["project_scale.teams"] = "few"
    stale.submit("go", value="next", status=303)
    answers = app.get(path, headers=JSON).json["answers"]
    assert answers["project_scale.size"] == "small"
    assert answers["project_scale.teams"] == "several"  # kept as it was, and not asked
    # Nor can a follow-up hidden from the start be answered by sending it.
    fields = [("csrf_token", stale["csrf_token"].value), ("page", "1"), ("go", "stay")]
    fields += [("shown", "scope_growth.likelihood"), ("scope_growth.likelihood", "settled")]
    fields += [("shown", "scope_growth.variants"), ("scope_growth.variants", "yes")]
    app.post(path + "answers", fields, status=303)
    answers = app.get(path, headers=JSON).json["answers"]
    assert answers["scope_growth.likelihood"] == "settled" and "scope_growth.variants" not in answers


def test_progress_never_goes_down_over_a_whole_run(app):
    page = start(app)
    seen = [counts(page)]
    for _ in range(200):
        if "/questionnaire" not in page.request.path:
            break
        key = first_unanswered(page)
        form = page.forms[0]
        if key is None:
            page = send(app, form, "next").follow()
        else:
            choose(form, key, opening_choice(page, key))
            page = send(app, form, "stay").follow()
        if "/questionnaire" in page.request.path:
            seen.append(counts(page))
    else:
        pytest.fail("the questionnaire never ended")
    assert page.request.path.endswith("/review")
    assert [s[0] for s in seen] == sorted(s[0] for s in seen) and seen[-1][0] == 4
    for before, after in itertools.pairwise(seen):
        assert after[3] >= before[3] and after[4] == before[4], (before, after)  # in all
        if after[0] == before[0]:
            assert after[1] >= before[1] and after[2] == before[2], (before, after)  # on the page
    assert seen[-1][3] == seen[-1][4] > 0, seen  # everything required done
    assert len(seen) > 30, seen  # one reload per answer: the run was long


def test_continue_answering_opens_the_first_open_required_question(app):
    page = start(app)
    path = assessment_path(page)
    program = webtest.TestApp(app.app)
    answer = {
        "project_scale.size": "small",
        "scope_growth.likelihood": "settled",
        "rapid_start.start": "complete",
    }
    program.post_json(path + "answers", {"answers": {**answer, "admin_ui.need": "no"}}, headers=JSON)
    overview = app.get(path)
    resume = overview.html.find("a", string="Continue answering")["href"]
    assert resume.endswith(path + "questionnaire")
    landed = app.get(resume, status=303)
    # Page 2's first question is answered: the next required one is auth_permissions.login.
    assert landed.location.endswith(path + "questionnaire?page=2#q-auth_permissions-login")
    assert landed.follow().html.find(id="q-auth_permissions-login") is not None
    # With every required question answered, the first open optional one; with nothing open, the review.
    questions = program.get(path + "questionnaire", headers=JSON).json["questions"]
    required = {q["key"]: q["options"][0]["key"] for q in questions if q["required"]}
    program.post_json(path + "answers", {"answers": required}, headers=JSON)
    # The answers chosen open no follow-up on page 1: the first open question is on page 2.
    assert app.get(resume, status=303).location.endswith("questionnaire?page=2#q-content_structure-hierarchy")
    rest = {
        q["key"]: [q["options"][0]["key"]] if q["kind"] == "multi" else q["options"][0]["key"]
        for q in questions
    }
    program.post_json(path + "answers", {"answers": rest}, headers=JSON)
    assert app.get(resume, status=303).location.endswith(path + "review")


def test_check_your_answers_lists_open_required_questions_first_and_every_answer_by_page(app):
    page = start(app)
    path = assessment_path(page)
    form = page.forms[0]
    form["project_scale.size"] = "unsure"
    form["project_scale.teams"] = "several"
    form.submit("go", value="stay", status=303)
    review = app.get(path + "review")
    main = review.html.find("main")
    assert main.h1.text == "Check your answers"
    # First: the required questions still open, by their text, each a link to it.
    still_open = main.find("section", class_="open-questions")
    assert main.find("section") is still_open
    links = still_open.find_all("a")
    likelihood = fieldset(page, "scope_growth.likelihood").legend.contents[0].strip()
    assert links[0].text == likelihood
    assert links[0]["href"].endswith(f"{path}questionnaire?page=1#q-scope_growth-likelihood")
    assert any(a["href"].endswith("questionnaire?page=3#q-realtime-live") for a in links)
    # Then every question asked, by page, with its answer in words and a Change link to it.
    pages = main.find_all("section", class_="review-page")
    assert [s.h2.text for s in pages] == [
        "1. Your project",
        "2. Features",
        "3. APIs and performance",
        "4. Team, architecture and operations",
    ]
    rows = {row.dt.text: row for row in pages[0].find_all("div", class_="check-row")}
    size = rows[fieldset(page, "project_scale.size").legend.contents[0].strip()]
    change = size.find("dd", class_="change").a
    assert change["href"].endswith(f"{path}questionnaire?page=1#q-project_scale-size")
    assert change.get_text().startswith("Change")
    assert size.dd.text.strip() == "Not sure"
    teams = rows[fieldset(page, "project_scale.teams").legend.contents[0].strip()]
    assert "several" not in teams.dd.text and teams.dd.text.strip()  # the label, not the key
    # Hidden follow-ups are not listed; open ones say so.
    assert fieldset(page, "rapid_start.deadline").legend.contents[0].strip() not in rows
    likelihood_row = rows[likelihood]
    assert "Not answered" in likelihood_row.text and likelihood_row.find(
        "dd", class_="change"
    ).a.text.startswith("Answer")
    # No way to complete while required questions are open.
    assert not [f for f in review.forms.values() if f.action.endswith("/complete")]
    assert_no_keys(app, path, review)


def test_check_your_answers_offers_the_recommendation_when_nothing_required_is_open(app):
    page = start(app)
    path = assessment_path(page)
    program = webtest.TestApp(app.app)
    questions = program.get(path + "questionnaire", headers=JSON).json["questions"]
    required = {q["key"]: q["options"][0]["key"] for q in questions if q["required"]}
    program.post_json(path + "answers", {"answers": required}, headers=JSON)
    review = app.get(path + "review")
    assert review.html.find("section", class_="open-questions") is None
    (complete,) = [f for f in review.forms.values() if f.action.endswith("/complete")]
    result = complete.submit(status=303)
    assert result.location.endswith(f"{path}revisions/1")
    # Once complete, the review sends the client to the overview.
    assert app.get(path + "review", status=303).location.endswith(path)
    # And the last page of the questionnaire leads to it.
    overview = app.get(path)
    assert "See the recommendation" not in overview.text
