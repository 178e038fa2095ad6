"""Stale answers are honest: an option no longer offered (an uninstalled framework in a question
whose options come from the frameworks, a removed option) is listed in ``dropped_options`` on
re-score and when completing, and is removed from an edited draft with a notice to the client."""

from __future__ import annotations

import pytest

from portal.questionnaire import Questionnaire
from portal.stale import read
from portal.testing import JSON

from .conftest import alembic_upgrade
from .test_api import assert_matches

BOTH = {"frameworks": "quokka wombat", "criteria": "hosting latency"}
WOMBAT_GONE = {"frameworks": "quokka", "criteria": "hosting latency"}
HOSTED = "Which of these do you already host?"  # hosting.known: options from the frameworks
WOMBAT = {"question": "hosting.known", "option": "wombat", "label": "Wombat"}


@pytest.fixture
def database(use_plugins, tmp_path):
    use_plugins("good")
    url = f"sqlite:///{tmp_path / 'stale.sqlite'}"
    alembic_upgrade(url)
    return url


def completed(app, known: list[str]) -> str:
    """An assessment whose hosting.known answer is ``known``, completed: its URL."""
    url = app.post_json("/assessments/", {"title": "Stale"}, headers=JSON).json["url"]
    questions = app.get(url + "questionnaire", headers=JSON).json["questions"]
    answers = {q["key"]: q["options"][0]["key"] for q in questions if q["required"] and q["options"]}
    answers.update({"hosting.known": known, "hosting.importance": "yes"})
    app.post_json(url + "answers", {"answers": answers}, headers=JSON)
    app.post_json(url + "complete", {}, headers=JSON, status=200)
    return url


def test_rescoring_lists_an_uninstalled_frameworks_answer_in_dropped_options(make_app, database):
    url = completed(make_app(sqlalchemy__url=database, **BOTH), ["quokka", "wombat"])
    app = make_app(sqlalchemy__url=database, **WOMBAT_GONE)
    rescored = app.post_json(url + "rescore", {}, headers=JSON, status=201)
    # The question is still asked: dropped (question keys) stays as it was.
    assert rescored.json["dropped"] == []
    assert rescored.json["dropped_options"] == [WOMBAT]
    assert_matches(rescored, "/assessments/{id}/rescore", "post", 201)
    compared = app.get(url + "revisions/2/compare?with=1", headers=JSON)
    assert compared.json["dropped_options"] == [WOMBAT]
    assert_matches(compared, "/assessments/{id}/revisions/{n}/compare", "get", 200)
    changed = {c["question"]: (c["from"], c["to"]) for c in compared.json["answers_changed"]}
    assert changed == {"hosting.known": (["quokka", "wombat"], ["quokka"])}
    # The client reads it in words, the consultant by key.
    page = app.get(url + "revisions/2")
    notice = (
        f"Some earlier answers are no longer offered, so this result leaves them out: ‘Wombat’ to “{HOSTED}”."
    )
    assert notice in " ".join(page.text.split())
    assert "Options dropped: hosting.known=wombat." in page.text
    compare_page = " ".join(app.get(url + "revisions/2/compare?with=1").text.split())
    assert f"so revision 2 leaves them out: ‘Wombat’ to “{HOSTED}”." in compare_page
    # Revision 1 still says what it said.
    assert app.get(url + "revisions/1", headers=JSON).json["dropped_options"] == []


def test_an_answer_left_with_no_option_is_removed_and_listed(make_app, database):
    url = completed(make_app(sqlalchemy__url=database, **BOTH), ["wombat"])
    app = make_app(sqlalchemy__url=database, **WOMBAT_GONE)
    rescored = app.post_json(url + "rescore", {}, headers=JSON, status=201).json
    assert rescored["dropped_options"] == [WOMBAT]
    compared = app.get(url + "revisions/2/compare?with=1", headers=JSON).json
    assert {c["question"]: c["to"] for c in compared["answers_changed"]} == {"hosting.known": None}


def test_a_removed_option_or_question_is_left_out_by_the_current_questionnaire(make_app, database):
    app = make_app(sqlalchemy__url=database, **WOMBAT_GONE)
    questionnaire = Questionnaire.from_catalog(app.app.registry.portal_catalog)
    reading = read(
        questionnaire,
        {"hosting.importance": "maybe", "hosting.known": ["quokka", "wombat"], "retired.question": "x"},
    )
    assert reading.answers == {"hosting.known": ["quokka"]}
    assert reading.dropped == ["retired.question"]
    assert reading.dropped_options == [("hosting.importance", "maybe"), ("hosting.known", "wombat")]


def test_edit_answers_removes_the_option_and_tells_the_client(make_app, database):
    url = completed(make_app(sqlalchemy__url=database, **BOTH), ["quokka", "wombat"])
    app = make_app(sqlalchemy__url=database, **WOMBAT_GONE)
    draft = app.post_json(url + "edit", {}, headers=JSON).json
    assert draft["answers"]["hosting.known"] == ["quokka"]

    review = app.get(url + "review")
    notice = review.html.select_one("section.stale")
    assert notice.h2.get_text(strip=True) == "An earlier answer is no longer offered"
    assert " ".join(notice.li.get_text().split()) == (
        f"Your earlier answer ‘Wombat’ to “{HOSTED}” is no longer offered, so it was removed."
    )
    page_of_hosting = next(q["page"] for q in draft_questions(app, url) if q["key"] == "hosting.known")
    question = app.get(url + f"questionnaire?page={page_of_hosting}").html.select_one("#q-hosting-known")
    assert question.select_one(".stale").get_text(strip=True) == (
        "Your earlier answer ‘Wombat’ is no longer offered, so it was removed."
    )
    assert not question.select("input[value=wombat]")

    # Completing the edit records what it could not keep from revision 1.
    app.reset()  # the pages set a session cookie; without it a JSON request needs no CSRF token
    second = app.post_json(url + "complete", {}, headers=JSON).json
    assert (second["revision"], second["dropped_options"]) == (2, [WOMBAT])
    # Nothing is stale any more: the next edit has no notice.
    app.post_json(url + "edit", {}, headers=JSON)
    assert not app.get(url + "review").html.select("section.stale")
    assert app.get(url, headers=JSON).json["answers"]["hosting.known"] == ["quokka"]


def test_without_stale_answers_nothing_is_said(make_app, database):
    app = make_app(sqlalchemy__url=database, **BOTH)
    url = completed(app, ["quokka", "wombat"])
    assert app.post_json(url + "rescore", {}, headers=JSON, status=201).json["dropped_options"] == []
    app.post_json(url + "edit", {}, headers=JSON)
    review = app.get(url + "review")
    assert not review.html.select(".stale") and "no longer offered" not in review.text


def draft_questions(app, url):
    return app.get(url + "questionnaire", headers=JSON).json["questions"]
