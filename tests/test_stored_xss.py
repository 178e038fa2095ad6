"""Stored XSS: script payloads kept in titles, notes, decisions, display names and a plugin's
rationale are shown as text on every page, escaped in Markdown, and neutralised in CSV.

Each stored text starts with a label of its own, so a page is checked both for
showing the text (its label) and for never carrying a payload raw.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from portal.models import Decision, Note

from .protections import build_world

PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)")
TEXT = " ".join(PAYLOADS)
# Each begins with a character a spreadsheet reads as a formula.
TITLE = f"=TITLE-LABEL {TEXT}"
ANONYMOUS_TITLE = f"@ANON-TITLE-LABEL {TEXT}"
CLIENT_NAME = f"+CLIENT-NAME-LABEL {TEXT}"
CONSULTANT_NAME = f"-CONSULTANT-NAME-LABEL {TEXT}"
NOTE = f"NOTE-LABEL [click me](javascript:alert(1)) {TEXT}"
REASON = f"=REASON-LABEL {TEXT}"
# The xss_fixture plugin's texts: rationales "Rated for <criterion>: <payloads>", a next step
# "Read it: <payloads>".
RATIONALE = "Rated for"
NEXT_STEP = "Read it: "

# Raw markup; in Markdown a backslash before "<" makes it text, which HTML has no such rule for.
RAW = (
    re.compile(r"<script>alert", re.I),
    re.compile(r"<img src=x", re.I),
    re.compile(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I),
)
RAW_IN_MARKDOWN = (
    re.compile(r"(?<!\\)<script", re.I),
    re.compile(r"(?<!\\)<img", re.I),
    re.compile(r"\]\(\s*javascript:", re.I),
)
ESCAPED_IN_HTML = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_IN_MARKDOWN = r"\<script\>alert(1)\</script\>"


@pytest.fixture
def world(make_app, use_plugins):
    use_plugins("xss")
    world = build_world(
        make_app,
        owned_title=TITLE,
        anonymous_title=ANONYMOUS_TITLE,
        display_names={"client_a": CLIENT_NAME, "consultant": CONSULTANT_NAME},
        # Without Tornado, which ties with it on the world's answers, the fixture ranks first.
        portal__frameworks="xssfix django flask",
    )
    engine = create_engine(world.url)
    try:
        with Session(engine) as session, session.begin():
            author = {"author_id": world.users["consultant"], "author_name": CONSULTANT_NAME}
            session.add(Note(assessment_id=world.owned_row, body=NOTE, **author))
            session.add(
                Decision(
                    assessment_id=world.owned_row,
                    version=1,
                    # The record's consequences then list this framework's next steps (payloads too).
                    framework="xssfix",
                    reason=REASON,
                    decided_on=date(2026, 11, 30),
                    **author,
                )
            )
    finally:
        engine.dispose()
    return world


def check(body: str, labels: tuple[str, ...], escaped: str, raw=RAW) -> list[str]:
    problems = [f"raw {pattern.pattern!r}" for pattern in raw if pattern.search(body)]
    problems += [f"does not show {label}" for label in labels if label not in body]
    if labels and escaped not in body:
        problems.append(f"does not show the payload escaped ({escaped!r})")
    return problems


def pages(world) -> list[tuple[str | None, str, tuple[str, ...]]]:
    owned, anonymous, row = world.owned, world.anonymous, world.owned_row
    return [
        # (who, path, labels the page must show)
        ("client_a", f"/assessments/{owned}/", ("TITLE-LABEL",)),
        ("client_a", f"/assessments/{owned}/revisions/1", ("TITLE-LABEL", RATIONALE)),
        ("client_a", f"/assessments/{owned}/revisions/2/compare?with=1", ("TITLE-LABEL",)),
        ("client_a", f"/assessments/{owned}/edit", ("TITLE-LABEL",)),
        ("client_a", f"/assessments/{owned}/delete", ("TITLE-LABEL",)),
        ("client_a", "/account", ("TITLE-LABEL", "CLIENT-NAME-LABEL")),
        (None, f"/assessments/{anonymous}/", ("ANON-TITLE-LABEL",)),
        (None, f"/assessments/{anonymous}/revisions/1", ("ANON-TITLE-LABEL", RATIONALE)),
        (None, "/frameworks/xssfix", (RATIONALE,)),
        ("consultant", "/consultant/", ()),
        ("consultant", "/consultant/assessments/", ("TITLE-LABEL", "CLIENT-NAME-LABEL")),
        (
            "consultant",
            f"/consultant/assessments/{row}/",
            ("TITLE-LABEL", "NOTE-LABEL", "REASON-LABEL", "CONSULTANT-NAME-LABEL", "CLIENT-NAME-LABEL"),
        ),
        ("consultant", f"/consultant/assessments/{row}/revisions/1", ("TITLE-LABEL", RATIONALE)),
        ("consultant", f"/consultant/assessments/{world.anonymous_row}/", ("ANON-TITLE-LABEL",)),
        ("admin", "/admin/", ()),
        ("admin", "/admin/users", ("CLIENT-NAME-LABEL", "CONSULTANT-NAME-LABEL")),
    ]


def markdown(world) -> list[tuple[str | None, str, tuple[str, ...]]]:
    return [
        # With a decision the report is a decision record: the chosen framework's next steps.
        (
            "client_a",
            f"/assessments/{world.owned}/revisions/1/report.md",
            ("TITLE-LABEL", "REASON-LABEL", NEXT_STEP),
        ),
        (None, f"/assessments/{world.anonymous}/revisions/1/report.md", ("ANON-TITLE-LABEL", RATIONALE)),
        (
            "consultant",
            f"/consultant/assessments/{world.owned_row}/report.md",
            ("TITLE-LABEL", "REASON-LABEL", "CONSULTANT-NAME-LABEL", NEXT_STEP),
        ),
    ]


def problems_on(world, listed, check_one) -> list[str]:
    """``check_one(response, labels)`` on each listed page, opened by its visitor (a browser each);
    a page that does not open with a 200 is a problem too. Each problem names the page and the visitor."""
    browsers = {}
    problems = []
    for who, path, labels in listed:
        browser = browsers.setdefault(who, world.browser(who))
        response = browser.get(path, expect_errors=True)
        where = f"{path} as {who or 'anonymous'}"
        if response.status_int != 200:
            problems.append(f"{where}: {response.status}")
            continue
        problems += [f"{where}: {p}" for p in check_one(response, labels)]
    return problems


def test_every_page_shows_the_payloads_as_text(world):
    def check_html(response, labels):
        assert response.content_type == "text/html"
        return check(response.text, labels, ESCAPED_IN_HTML)

    problems = problems_on(world, pages(world), check_html)
    assert not problems, "\n".join(problems)


def test_markdown_reports_escape_the_payloads(world):
    def check_markdown(response, labels):
        return check(response.body.decode("utf-8"), labels, ESCAPED_IN_MARKDOWN, RAW_IN_MARKDOWN)

    problems = problems_on(world, markdown(world), check_markdown)
    assert not problems, "\n".join(problems)


def test_the_note_renders_as_safe_markdown(world):
    page = world.browser("consultant").get(f"/consultant/assessments/{world.owned_row}/")
    # The link text is shown; a javascript: link is not made.
    assert "click me" in page.text
    assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", page.text, re.I)


FORMULA_STARTS = ("=", "+", "-", "@")


def test_the_csv_export_neutralises_formulas_and_keeps_the_text(world):
    response = world.browser("consultant").get("/consultant/assessments/export.csv")
    assert response.content_type == "text/csv"
    rows = list(csv.reader(io.StringIO(response.body.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    dangerous = [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert dangerous == []
    # The texts are all there, behind the neutralising prefix.
    joined = "\n".join(cells)
    for text in (TITLE, ANONYMOUS_TITLE, CLIENT_NAME):
        assert text[1:] in joined, text
    # A cell that would begin with a formula character begins with a quote instead.
    for text in (TITLE, ANONYMOUS_TITLE, CLIENT_NAME):
        assert any(cell.startswith("'" + text) for cell in cells), text


def test_payloads_typed_into_the_workspace_forms_are_shown_escaped(make_app, use_plugins):
    """The same, through the consultant's own forms (and a rejected form's echo of what was typed)."""
    use_plugins("xss")
    world = build_world(make_app, portal__frameworks="xssfix django flask")
    consultant = world.browser("consultant")
    page_url = f"/consultant/assessments/{world.owned_row}/"
    form = consultant.get(page_url).forms["note-form"]
    form["body"] = NOTE
    form.submit(status=303)
    form = consultant.get(page_url).forms["decision-form"]
    form["framework"], form["reason"], form["decided_on"] = "django", REASON, "2026-11-30"
    form.submit(status=303)
    page = consultant.get(page_url)
    assert check(page.text, ("NOTE-LABEL", "REASON-LABEL"), ESCAPED_IN_HTML) == []
    # A refused decision (no date) shows the typed reason again, escaped.
    form = page.forms["decision-form"]
    form["framework"], form["reason"], form["decided_on"] = "django", REASON, ""
    refused = form.submit(status=400)
    assert check(refused.text, ("REASON-LABEL",), ESCAPED_IN_HTML) == []
    owner = world.browser("client_a").get(f"/assessments/{world.owned}/revisions/1")
    assert check(owner.text, (), ESCAPED_IN_HTML) == []
