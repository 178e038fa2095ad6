"""Revisions are snapshots: they read the same after the configuration changes."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from portal.testing import JSON

from .conftest import alembic_upgrade


@pytest.fixture
def database(database_url):
    alembic_upgrade(database_url)
    return database_url


def complete_assessment(app, title="Snapshot", extra=None):
    url = app.post_json("/assessments/", {"title": title}, headers=JSON).json["url"]
    questions = app.get(url + "questionnaire", headers=JSON).json["questions"]
    answers = {q["key"]: q["options"][0]["key"] for q in questions if q["required"] and q["options"]}
    answers.update({"realtime.live": "core", **(extra or {})})
    app.post_json(url + "answers", {"answers": answers}, headers=JSON)
    app.post_json(url + "answers", {"answers": {"realtime.connections": "thousands"}}, headers=JSON)
    response = app.post_json(url + "complete", {}, headers=JSON)
    return url, response


def test_a_revision_reads_the_same_after_a_criterion_is_disabled(make_app, database):
    app = make_app(sqlalchemy__url=database)
    url, completed = complete_assessment(app)
    revision = completed.headers["Location"]
    before_json = app.get(revision, headers=JSON).json
    before_report = app.get(revision + "/report.md").text
    assert before_json["ranking"][0]["framework"] == "tornado"

    everything_but_realtime = " ".join(
        c["key"] for c in app.get("/criteria/", headers=JSON).json["criteria"] if c["key"] != "realtime"
    )
    changed = make_app(
        sqlalchemy__url=database, criteria=everything_but_realtime, portal__criteria__weights="api_first = 3"
    )
    assert changed.get(revision, headers=JSON).json == before_json
    assert changed.get(revision + "/report.md").text == before_report
    page = changed.get(revision)
    assert "Real-time features and long-lived connections" in page.text

    # Re-scoring adds revision 2 with the current configuration; realtime answers are dropped.
    rescored = changed.post_json(url + "rescore", {}, headers=JSON, status=201)
    assert rescored.json["revision"] == 2
    assert rescored.json["dropped"] == ["realtime.connections", "realtime.live"]
    assert "realtime" not in rescored.json["snapshot"]["criteria"]
    assert rescored.json["snapshot"]["weights"]["api_first"] == 3
    compare = changed.get(rescored.headers["Location"] + "/compare?with=1", headers=JSON).json
    assert compare["criteria_removed"] == ["realtime"]
    assert compare["weights_changed"] == {"api_first": [1.0, 3.0]}
    assert {f["framework"]: f["rank"][0] for f in compare["frameworks"]}["tornado"] == 1
    assert (
        "What changed from revision 1 to revision 2"
        in changed.get(rescored.headers["Location"] + "/compare?with=1").text
    )
    # Revision 1 is still exactly what it was.
    assert changed.get(revision, headers=JSON).json == before_json


def test_completing_twice_is_a_409(make_app, database):
    app = make_app(sqlalchemy__url=database)
    url, _ = complete_assessment(app)
    again = app.post_json(url + "complete", {}, headers=JSON, status=409).json
    assert again["errors"]["_request"] == "This assessment is already complete."
    refused = app.post_json(url + "answers", {"answers": {"realtime.live": "no"}}, headers=JSON, status=409)
    assert "complete" in refused.json["errors"]["_request"]
    assert app.get(url, headers=JSON).json["answers"]["realtime.live"] == "core"


def test_edit_answers_opens_a_new_draft_from_a_revision(make_app, database):
    app = make_app(sqlalchemy__url=database)
    url, completed = complete_assessment(app)
    draft = app.post_json(completed.headers["Location"] + "/edit", {}, headers=JSON, status=201)
    assert draft.json["status"] == "draft" and draft.json["url"] != url
    state = app.get(draft.json["url"], headers=JSON).json
    assert state["answers"] == app.get(url, headers=JSON).json["answers"]
    assert state["based_on"].endswith("/1")


def test_the_revision_page_is_cached_with_an_etag(make_app, database):
    app = make_app(sqlalchemy__url=database)
    _, completed = complete_assessment(app)
    revision = completed.headers["Location"]
    first = app.get(revision)
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert first.headers["Referrer-Policy"] == "same-origin"
    assert "Set-Cookie" not in first.headers
    hit = app.get(revision)
    assert hit.body == first.body and sorted(hit.headerlist) == sorted(first.headerlist)
    assert hit.headers["Vary"] == "Accept" and hit.content_type == "text/html"
    app.get(revision, headers={"If-None-Match": first.headers["ETag"]}, status=304)
    # A cache hit reads nothing from the database: it still answers with the tables gone.
    engine = create_engine(database)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM revisions"))
    engine.dispose()
    assert app.get(revision).body == first.body


def test_the_result_page_has_charts_and_explanations(make_app, database):
    app = make_app(sqlalchemy__url=database)
    url, _ = complete_assessment(app)
    page = app.get(url + "result", status=303).follow()
    charts = page.html.select("svg.chart")
    assert len(charts) == 2 and all(chart.find("title") for chart in charts)
    assert len(charts[0].find_all("rect")) == 5
    assert "Tornado</strong> fits best" in page.text
    assert "Why not the others" in page.text
    assert "What would change the answer" in page.text
    assert page.html.find("section", attrs={"aria-labelledby": "next-title"}) is not None
    assert "tornado 1.0.0" in page.text  # the plugin versions used


def test_the_markdown_report_cannot_be_injected(make_app, database):
    app = make_app(sqlalchemy__url=database)
    title = "Acme <script>alert(1)</script> [click](http://evil.example) | **bold**"
    _, completed = complete_assessment(app, title=title)
    report = app.get(completed.headers["Location"] + "/report.md")
    assert report.content_type == "text/markdown"
    # A named download, from the first rendering and from the cache alike.
    hit = app.get(completed.headers["Location"] + "/report.md")
    for answer in (report, hit):
        assert answer.headers["Content-Disposition"].startswith('attachment; filename="acme-script-alert-1-')
        assert answer.headers["Content-Disposition"].endswith('-revision-1.md"')
    heading = report.text.splitlines()[0]
    assert heading == (
        r"# Framework recommendation: Acme \<script\>alert(1)\</script\> \[click\](http://evil.example) "
        r"\| \*\*bold\*\*"
    )
    assert "<script>" not in report.text
    page = app.get(completed.headers["Location"])
    assert "<script>alert(1)" not in page.text
