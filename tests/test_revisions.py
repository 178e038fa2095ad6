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


def test_the_result_page_leads_with_a_summary_card_and_folds_the_rest(make_app, database):
    app = make_app(sqlalchemy__url=database)
    url, _ = complete_assessment(app, extra={"admin_ui.need": "yes"})
    page = app.get(url + "result", status=303).follow()
    main = page.html.find("main")
    summary = main.find("section", class_="summary")
    # The card comes first: the answer, the runner-up, confidence in words, three reasons, the actions.
    assert main.find("section") is summary
    assert summary.find("strong", class_="winner").text == "Tornado"
    assert "Runner-up:" in summary.text and "confidence." in summary.text
    reasons = app.get(url + "revisions/1", headers=JSON).json["ranking"][0]["reasons"]
    assert len(summary.select("ul.reasons > li")) == min(3, len(reasons))
    actions = {a.get_text(strip=True): a.get("href") for a in summary.select("ul.result-actions a")}
    assert actions["Download PDF"].endswith("/revisions/1/report.pdf")
    assert actions["Download Markdown"].endswith("/revisions/1/report.md")
    assert actions["Edit answers"] == url + "edit"
    assert summary.find("button", attrs={"data-print": True}) is not None
    assert summary.find("button", attrs={"data-copy": "result-link"}) is not None
    assert summary.find("input", id="result-link")["value"] == url
    # Below it, sections a client opens when they want them (no script needed).
    folded = [d.find("summary").get_text(" ", strip=True) for d in main.find_all("details", class_="section")]
    assert folded[:2] == ["Why not the others", "What would change the answer"]
    assert {"What each score is made of", "Your answers", "About this result"} <= set(folded)
    # The ranking: one bar per framework, the must-have warning in words beside its bar.
    bars = main.select("section[aria-labelledby=ranking-title] ol.bars > li")
    assert len(bars) == 5
    warned = [li for li in bars if "warn" in li.get("class", [])]
    assert warned and all("Must-have not met:" in li.text for li in warned)
    # The breakdown: at most six colours, the rest grouped as "Other criteria".
    colours = {c for rect in main.select("ol.bars.stacked rect") for c in rect.get("class", [])}
    assert colours and colours <= {f"c{i}" for i in range(6)}
    # Versions and weights only inside the consultants' details.
    assert "tornado 1.0.0" in main.find("details", class_="consultants").text
    outside = main.find("details", class_="consultants").extract() and main.text
    assert "1.0.0" not in outside and "weight" not in outside


def test_the_result_lists_the_answers_in_questionnaire_order(make_app, database):
    app = make_app(sqlalchemy__url=database)
    url, _ = complete_assessment(app)
    # Saved last, asked early: the page reads them in the order they were asked.
    app.post_json(url + "edit", {}, headers=JSON)
    app.post_json(url + "answers", {"answers": {"project_scale.size": "large"}}, headers=JSON)
    app.post_json(url + "complete", {}, headers=JSON)
    page = app.get(url + "revisions/2")
    asked = [q["text"] for q in app.get(url + "questionnaire", headers=JSON).json["questions"]]
    shown = [dt.get_text(strip=True) for dt in page.html.select("dl.answers dt")]
    assert shown == [text for text in asked if text in shown]
    assert shown[0] == next(q for q in asked if q in shown)
