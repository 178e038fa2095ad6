"""The consultant's workspace in a real browser, on a desktop and a phone: sign in, filter the
list, open a client's assessment, add a note, record a decision other than the recommendation,
download the decision record (Markdown) and the CSV; axe-core finds nothing on any of its pages.

The served portal is tests/test_browser.py's (pserve on a copy of development.ini); the two
accounts are written straight into its database, the assessments made through its JSON API.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import create_engine, update
from sqlalchemy.orm import Session

from portal.models import Assessment, User
from portal.models.assessment import utcnow
from portal.passwords import hash_password
from portal.testing import app_settings

from .accounts import PASSWORD
from .test_browser import ARTIFACTS, budget, chromium, portal_url, submit  # noqa: F401 (fixtures)
from .test_browser_pages import axe_problems, require_chromium_and_axe
from .test_browser_result import SIZES, call, open_tab

CONSULTANT = "cora@example.com"
CLIENT = "ada@example.com"


def add_accounts(database: Path) -> int:
    """A consultant and a client in the served portal's database; returns the client's id."""
    engine = create_engine(f"sqlite:///{database}")
    hashed = hash_password(app_settings(""), PASSWORD)
    try:
        with Session(engine) as session, session.begin():
            consultant = User(email=CONSULTANT, display_name="Cora Consult", role="consultant")
            client = User(email=CLIENT, display_name="Ada Lovelace", role="client")
            for user in (consultant, client):
                user.password_hash, user.email_verified = hashed, utcnow()
                session.add(user)
            session.flush()
            return client.id
    finally:
        engine.dispose()


def complete(base: str, title: str) -> str:
    """A completed assessment whose first framework is Tornado; its public id."""
    link = call(base + "/assessments/", {"title": title})["url"]
    questions = call(link + "questionnaire")["questions"]
    answers = {q["key"]: q["options"][0]["key"] for q in questions if q["required"] and q["options"]}
    answers["realtime.live"] = "core"
    call(link + "answers", {"answers": answers})
    assert call(link + "complete", {})["ranking"][0]["framework"] == "tornado"
    return link.rstrip("/").rsplit("/", 1)[1]


def own(database: Path, public_id: str, owner: int) -> None:
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.begin() as connection:
            connection.execute(
                update(Assessment).where(Assessment.public_id == public_id).values(owner_id=owner)
            )
    finally:
        engine.dispose()


def test_a_consultant_works_through_the_workspace(request, tmp_path):
    axe_source = require_chromium_and_axe()
    clock, browser, base = (request.getfixturevalue(name) for name in ("budget", "chromium", "portal_url"))
    database = tmp_path / "e2e.sqlite"
    client_id = add_accounts(database)
    owned = complete(base, "Ada's trading desk")
    anonymous = complete(base, "Anonymous shop")
    own(database, owned, client_id)
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    for number, (size, viewport) in enumerate(SIZES.items(), start=1):
        with open_tab(browser, viewport, clock, accept_downloads=True) as page:
            page.goto(base + "/sign-in?next=/consultant/assessments/", wait_until="load")
            page.fill("#email", CONSULTANT)
            page.fill("#password", PASSWORD)
            submit(page, "Sign in", clock)
            assert page.url == base + "/consultant/assessments/", page.url
            problems += axe_problems(page, axe_source, f"list at {size}")

            page.fill("#filter-client", "ada")
            submit(page, "Filter", clock)
            rows = page.locator("table.workspace-table tbody tr")
            expect(rows).to_have_count(1)
            expect(rows.first).to_contain_text("Ada Lovelace (ada@example.com)")
            problems += axe_problems(page, axe_source, f"filtered list at {size}")
            page.screenshot(path=ARTIFACTS / f"workspace-list-{size}.png", full_page=True)

            page.get_by_role("link", name="Ada's trading desk", exact=True).click()
            page.wait_for_load_state("load")
            expect(page.get_by_role("heading", level=1)).to_have_text("Ada's trading desk")
            problems += axe_problems(page, axe_source, f"assessment at {size}")

            page.fill("#note-body", f"Spoke with Ada ({size}): **Flask** is what the team knows.")
            submit(page, "Save the note", clock)
            expect(page.locator(".note-body strong").last).to_have_text("Flask")

            page.select_option("#decision-framework", "flask")
            page.fill("#decision-reason", "The team knows Flask; the live parts become a separate service.")
            button = "Record the decision" if number == 1 else "Change the decision"
            submit(page, button, clock)
            current = page.locator(".decision-current")
            expect(current).to_contain_text("Flask")
            expect(current).to_contain_text(f"version {number}")
            expect(current).to_contain_text("differs from the recommendation (Tornado)")
            problems += axe_problems(page, axe_source, f"assessment with a decision at {size}")
            page.screenshot(path=ARTIFACTS / f"workspace-assessment-{size}.png", full_page=True)

            with page.expect_download(timeout=clock.ms()) as md_download:
                page.get_by_role("link", name="Report (Markdown)", exact=True).click()
            assert md_download.value.suggested_filename == "ada-s-trading-desk-revision-1.md"
            report = Path(md_download.value.path()).read_text(encoding="utf-8")
            assert report.startswith("# Decision record: Flask for Ada's trading desk"), report[:200]
            for section in (
                "## Status",
                "## Context",
                "## Options considered",
                "## Decision",
                "## Consequences",
            ):
                assert section in report
            assert "This differs from the portal's recommendation, Tornado" in report

            page.get_by_role("link", name="Revision 1", exact=True).click()
            page.wait_for_load_state("load")
            expect(page.locator("strong.winner")).to_have_text("Tornado")
            problems += axe_problems(page, axe_source, f"revision at {size}")

            page.goto(base + "/consultant/assessments/", wait_until="load")
            with page.expect_download(timeout=clock.ms()) as csv_download:
                page.get_by_role("link", name="Download as CSV", exact=True).click()
            assert csv_download.value.suggested_filename == "assessments.csv"
            rows = list(csv.reader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8"))))
            by_title = {row[0]: row for row in rows[1:]}
            assert set(by_title) == {"Ada's trading desk", "Anonymous shop"}
            assert by_title["Ada's trading desk"][5] == "Tornado"
            assert by_title["Ada's trading desk"][10].startswith("Flask (")

            page.get_by_role("link", name="Overview", exact=True).click()
            page.wait_for_load_state("load")
            expect(page.locator("svg.workspace-chart")).to_be_visible()
            problems += axe_problems(page, axe_source, f"overview at {size}")
            page.screenshot(path=ARTIFACTS / f"workspace-overview-{size}.png", full_page=True)
            for public_id in (owned, anonymous):
                assert public_id not in page.content()
            assert page.csp_violations == [], page.csp_violations
    assert not problems, "\n".join(problems)
