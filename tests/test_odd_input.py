"""Odd input gets a clear 4xx and changes nothing: digits that are not ASCII, huge numbers,
text a database cannot store, malformed bodies."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select

from portal.models import Assessment, AuditEvent
from portal.testing import JSON
from portal.validators import positive_int, unstorable

from .conftest import alembic_upgrade


def test_positive_int_takes_ascii_digits_of_bounded_length_only():
    assert [positive_int(t) for t in ("1", "42", "999999")] == [1, 42, 999999]
    odd = ["", "0", "01", "-1", "+1", " 1", "1 ", "1.0", "²", "¹", "١", "１", "1٢", "9" * 7, "9" * 5000, None]
    assert [positive_int(t) for t in odd] == [None] * len(odd)


def test_unstorable_names_the_character():
    assert unstorable("Plain title — with “quotes” and ünïcode") is None
    assert unstorable("a\x00b") == "contains a character that cannot be stored (U+0000); remove it"
    assert "U+D800" in unstorable("a\ud800b")
    assert "U+001B" in unstorable("a\x1bb")


@pytest.fixture
def database(database_url):
    alembic_upgrade(database_url)
    return database_url


@pytest.fixture
def completed(make_app, database):
    app = make_app(sqlalchemy__url=database)
    url = app.post_json("/assessments/", {"title": "Odd"}, headers=JSON).json["url"]
    questions = app.get(url + "questionnaire", headers=JSON).json["questions"]
    required = {q["key"]: q["options"][0]["key"] for q in questions if q["required"] and q["options"]}
    app.post_json(url + "answers", {"answers": required}, headers=JSON)
    app.post_json(url + "complete", {}, headers=JSON, status=200)
    return app, url.removeprefix("http://localhost")


ODD_NUMBERS = ["%C2%B2", "%C2%B9", "%D9%A1", "%EF%BC%91", "0", "01", "9" * 7, "9" * 5000]


@pytest.mark.parametrize("number", ODD_NUMBERS)
def test_a_revision_number_that_is_not_plain_digits_is_a_404_never_an_alias(completed, number):
    app, path = completed
    for suffix in ("", "/report.md", "/compare?with=1"):
        for headers in (JSON, {}):
            response = app.get(f"{path}revisions/{number}{suffix}", headers=headers, status="*")
            assert response.status_int == 404, (suffix, response.status)


@pytest.mark.parametrize("number", ODD_NUMBERS)
def test_odd_numbers_in_queries_and_forms_are_a_400_naming_the_field(completed, make_app, number):
    app, path = completed
    compared = app.get(f"{path}revisions/1/compare?with={number}", headers=JSON, status=400)
    assert compared.json["errors"]["_request"].startswith("with:")
    draft = app.post_json("/assessments/", {"title": "Draft"}, headers=JSON).json["url"]
    page = app.get(f"{draft}questionnaire?page={number}", status=400)
    assert "page: choose a page from 1 to" in page.text
    form = app.get(draft + "questionnaire?page=1").forms[0]
    form["page"].force_value(number.replace("%C2%B2", "²"))
    answer = form.submit("go", value="next", status=400)
    assert "page: choose a page from 1 to" in answer.text


def counts(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return tuple(
                connection.scalar(select(func.count()).select_from(model))
                for model in (Assessment, AuditEvent)
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize("title", ["a\x00b", "\ud800", "x\udfffy", "bell\x07"])
def test_a_title_the_database_cannot_store_is_a_400_and_creates_nothing(make_app, database, title):
    app = make_app(sqlalchemy__url=database)
    before = counts(database)
    # json.dumps writes "\ud800" as the escape a client sends.
    response = app.post_json("/assessments/", {"title": title}, headers=JSON, status=400)
    assert list(response.json["errors"]) == ["title"]
    assert "cannot be stored" in response.json["errors"]["title"]
    assert counts(database) == before


def test_a_form_title_with_a_nul_is_a_400_that_keeps_the_typed_text(make_app, database):
    app = make_app(sqlalchemy__url=database)
    before = counts(database)
    form = app.get("/").forms[0]
    form["title"] = "Shop\x00 rebuild"
    page = form.submit(status=400)
    assert "cannot be stored (U+0000)" in page.text
    assert page.html.find("input", attrs={"name": "title"})["value"] == "Shop\x00 rebuild"
    assert counts(database) == before


@pytest.mark.parametrize(("method", "action"), [("DELETE", ""), ("POST", "complete"), ("POST", "rescore")])
def test_a_multipart_body_without_a_boundary_is_a_400_naming_it(make_app, database, method, action):
    app = make_app(sqlalchemy__url=database)
    url = app.post_json("/assessments/", {"title": "Multipart"}, headers=JSON).json["url"]
    before = counts(database)
    for headers in ({"Content-Type": "multipart/form-data"}, {"Content-Type": "multipart/form-data", **JSON}):
        response = app.request(url + action, method=method, body=b"abc", headers=headers, expect_errors=True)
        assert response.status_int == 400
        assert "The form body is malformed" in response.text
    assert counts(database) == before


def test_a_multipart_body_without_a_boundary_is_a_400_under_the_debug_toolbar(make_app, database):
    """The toolbar reads request.params on every request: the refused body must stay unread."""
    app = make_app(sqlalchemy__url=database, pyramid__includes="pyramid_debugtoolbar")
    url = app.post_json("/assessments/", {"title": "Multipart"}, headers=JSON).json["url"]
    response = app.request(
        url + "complete",
        method="POST",
        body=b"abc",
        headers={"Content-Type": "multipart/form-data"},
        status=400,
    )
    assert "The form body is malformed" in response.text


@pytest.mark.parametrize(("method", "action"), [("DELETE", ""), ("POST", "complete"), ("POST", "rescore")])
def test_an_action_takes_no_parameters(make_app, database, method, action):
    app = make_app(sqlalchemy__url=database)
    url = app.post_json("/assessments/", {"title": "Kept"}, headers=JSON).json["url"]
    before = counts(database)
    refused = app.request(
        url + action,
        method=method,
        body=b'{"x": 1}',
        headers={"Content-Type": "application/json"},
        status=400,
    )
    assert refused.json["errors"]["_request"] == "This action takes no parameters: send {} or no body, not x."
    assert counts(database) == before
    assert app.get(url, headers=JSON).json["status"] == "draft"
