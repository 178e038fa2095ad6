"""Completed revisions keep their snapshots: one stored by the first scoring model reads as it did.

``tests/fixtures/revision_v1`` holds a revision made by the code of the first model
(snapshot version 1) with its page, JSON result and Markdown report as they were
served then. Stored with today's code, it must read exactly the same, byte for byte;
re-scoring it under today's model is a new revision (version 2) that the compare
page sets against it.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pyramid.scripting import prepare

from portal.models import Assessment, Revision
from portal.testing import JSON, app_settings, build_app

from .conftest import alembic_upgrade
from .test_api import assert_matches, openapi

FIXTURE = Path(__file__).parent / "fixtures" / "revision_v1"
PUBLIC_ID = "v1-fixture-0123456789abcdefABCDEF"
REVISION = f"/assessments/{PUBLIC_ID}/revisions/1"


def store_v1_revision(database_url: str) -> None:
    """The fixture's revision, stored as the first model's code stored it (migrated database)."""
    snapshot = json.loads((FIXTURE / "snapshot.json").read_text(encoding="utf-8"))
    app = build_app(app_settings(database_url))
    with prepare(registry=app.registry) as env:
        request = env["request"]
        with request.tm:
            assessment = Assessment(
                public_id=PUBLIC_ID, title="Live trading dashboard <v1>", status="complete"
            )
            assessment.revisions.append(
                Revision(number=1, snapshot=snapshot, created=datetime(2026, 12, 3, 8, 0))
            )
            request.dbsession.add(assessment)


@pytest.fixture
def stored(database_url, make_app):
    alembic_upgrade(database_url)
    store_v1_revision(database_url)
    return make_app(sqlalchemy__url=database_url)


def flat(text: str) -> str:
    return " ".join(text.split())


def statements(main) -> dict[str, list[str]]:
    """What a result page says, section by section, in the first page design (page-main.html)."""
    verdict = main.select_one(".verdict")
    lead, confidence = verdict.find_all("p")[:2]
    return {
        "verdict": [flat(lead.get_text())],
        "confidence": [flat(confidence.get_text()).split(" — ", 1)[1]],
        "reasons": [
            flat(li.get_text()) for li in main.select("section[aria-labelledby=why-title] ul.reasons > li")
        ],
        "why not": [
            flat(li.strong.get_text())
            for li in main.select("section[aria-labelledby=why-title] h3 + ul > li")
        ],
        "what would change it": [
            flat(li.get_text()) for li in main.select("section[aria-labelledby=change-title] li")
        ],
        "next steps": [flat(li.get_text()) for li in main.select("section[aria-labelledby=next-title] li")],
        "answers": [flat(tag.get_text()) for tag in main.select("dl.answers dt, dl.answers dd")],
    }


def test_a_version_1_revision_reads_exactly_as_it_did(stored):
    assert "schema" not in json.loads((FIXTURE / "snapshot.json").read_text())  # version 1 has none
    page = stored.get(REVISION)
    # The page's design has changed since (issue 11: a summary card, folded sections, plain dates);
    # what it says has not: every statement of the first page is on today's, word for word.
    first = statements(BeautifulSoup((FIXTURE / "page-main.html").read_text(encoding="utf-8"), "html.parser"))
    today = flat(page.html.find("main").get_text(" "))
    today = re.sub(r" ([,.:;)])", r"\1", today).replace("( ", "(")
    for section, said in first.items():
        assert said, f"the first page said nothing under {section!r}: the fixture is not what it was"
        for statement in said:
            statement = re.sub(r" ([,.:;)])", r"\1", statement).replace("( ", "(")
            assert statement in today, f"{section}: {statement!r} is no longer on the page"
    result = stored.get(REVISION, headers=JSON)
    assert result.text == (FIXTURE / "result.json").read_text(encoding="utf-8")
    # The document describes it: the first model's shape, which today's does not match.
    assert_matches(result, "/assessments/{id}/revisions/{n}", "get", 200)
    schemas = openapi()["components"]["schemas"]
    assert "priorities" not in result.json and "priorities" in schemas["Result"]["required"]
    assert set(result.json) - {"revision", "url", "created", "snapshot"} <= set(
        schemas["ResultV1"]["properties"]
    )
    report = stored.get(REVISION + "/report.md")
    assert report.text == (FIXTURE / "report.md").read_text(encoding="utf-8")


def test_rescoring_a_version_1_revision_makes_a_version_2_one_the_compare_page_sets_against_it(stored):
    rescored = stored.post_json(f"/assessments/{PUBLIC_ID}/rescore", {}, headers=JSON, status=201)
    assert rescored.json["revision"] == 2
    assert "priorities" in rescored.json  # a version 2 result
    assert_matches(
        stored.get(f"/assessments/{PUBLIC_ID}/revisions/2", headers=JSON),
        "/assessments/{id}/revisions/{n}",
        "get",
        200,
    )
    # The same answers of a 20,000-connection trading dashboard: the first model said Django.
    assert rescored.json["ranking"][0]["framework"] != "django"
    compare = stored.get(f"/assessments/{PUBLIC_ID}/revisions/2/compare?with=1", headers=JSON).json
    ranks = {f["framework"]: f["rank"] for f in compare["frameworks"]}
    assert ranks["django"][0] == 1 and ranks["django"][1] != 1
    assert compare["criteria_added"] == ["content_structure", "ecosystem"]
    # The old revision still reads as before.
    assert stored.get(REVISION + "/report.md").text == (FIXTURE / "report.md").read_text(encoding="utf-8")
