"""Starting an assessment: the start page's title box and what creating one answers."""

from __future__ import annotations

import pytest

from portal.models.assessment import TITLE_MAX
from portal.testing import JSON

from .conftest import alembic_upgrade

PRIVATE = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}


@pytest.fixture
def app(make_app, tmp_path):
    url = f"sqlite:///{tmp_path / 'start.sqlite'}"
    alembic_upgrade(url)
    return make_app(sqlalchemy__url=url)


def title_box(page):
    return page.html.find("input", id="title")


def test_the_title_box_holds_exactly_what_a_title_may_hold(app):
    page = app.get("/assessments/")
    assert title_box(page)["maxlength"] == str(TITLE_MAX)
    form = page.forms[0]
    form["title"] = "x" * TITLE_MAX
    form.submit(status=303)
    # A longer title (webtest ignores maxlength) is refused, and the page keeps it and the limit.
    page = app.get("/assessments/")
    form = page.forms[0]
    form["title"] = "y" * (TITLE_MAX + 1)
    refused = form.submit(status=400)
    assert title_box(refused)["maxlength"] == str(TITLE_MAX)
    assert title_box(refused)["value"] == "y" * (TITLE_MAX + 1)


def test_creating_answers_with_the_new_link_kept_private(app):
    created = app.post_json("/assessments/", {"title": "Private"}, headers=JSON, status=201)
    assert created.location == created.json["url"]
    for name, value in PRIVATE.items():
        assert created.headers[name] == value, name

    form = app.get("/assessments/").forms[0]
    redirected = form.submit(status=303)
    assert "/assessments/" in redirected.location and redirected.location.endswith("/questionnaire?page=1")
    for name, value in PRIVATE.items():
        assert redirected.headers[name] == value, name

    # The start page holds no link: it says nothing of the kind.
    assert "X-Robots-Tag" not in app.get("/assessments/").headers
