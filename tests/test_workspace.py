"""The consultant's workspace: list, filters and paging, notes, decisions, reports as a decision
record, the CSV, the overview, who may open it, and that no private link appears in it."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pypdf
import pytest
import webtest
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.orm import Session

from portal.csv_export import neutralise
from portal.markdown import render
from portal.models import Assessment, Decision, Note
from portal.testing import JSON

from .accounts import add_user, sign_in

LIST = "/consultant/assessments/"
CONSULTANT = "cora@example.com"
CLIENT = "ada@example.com"


class Practice:
    """A portal with a consultant, a client and a known set of assessments."""

    def __init__(self, make_app, **settings):
        self.app = make_app(migrate=True, **settings)
        self.url = self.app.app.registry.settings["sqlalchemy.url"]
        self.consultant_id = add_user(self.app, CONSULTANT, role="consultant", display_name="Cora Consult")
        self.client_id = add_user(self.app, CLIENT, display_name="Ada Lovelace")
        self.creator = webtest.TestApp(self.app.app)
        self.public_ids: dict[str, str] = {}
        self.rows: dict[str, int] = {}
        self.firsts: dict[str, str | None] = {}

    def complete(self, title: str, pick: int = 0, extra: dict | None = None, owned: bool = False) -> int:
        """A completed assessment (answers: each required question's option ``pick``); its row id."""
        link = self.creator.post_json("/assessments/", {"title": title}, headers=JSON).json["url"]
        questions = self.creator.get(link + "questionnaire", headers=JSON).json["questions"]
        answers = {q["key"]: q["options"][pick]["key"] for q in questions if q["required"] and q["options"]}
        answers.update(extra or {})
        self.creator.post_json(link + "answers", {"answers": answers}, headers=JSON)
        done = self.creator.post_json(link + "complete", {}, headers=JSON)
        ranking = self.creator.get(done.headers["Location"], headers=JSON).json["ranking"]
        self.firsts[title] = ranking[0]["framework"] if ranking else None
        return self._register(title, link, owned)

    def draft(self, title: str, owned: bool = False) -> int:
        link = self.creator.post_json("/assessments/", {"title": title}, headers=JSON).json["url"]
        return self._register(title, link, owned)

    def _register(self, title, link, owned) -> int:
        public_id = link.rstrip("/").rsplit("/", 1)[1]
        with self.session() as session, session.begin():
            assessment = session.scalar(select(Assessment).where(Assessment.public_id == public_id))
            if owned:
                assessment.owner_id = self.client_id
            row = assessment.id
        self.public_ids[title], self.rows[title] = public_id, row
        return row

    def session(self) -> Session:
        return Session(create_engine(self.url))

    def set_updated(self, title: str, moment: datetime) -> None:
        with self.session() as session, session.begin():
            session.execute(
                update(Assessment).where(Assessment.id == self.rows[title]).values(updated=moment)
            )

    def consultant(self) -> webtest.TestApp:
        browser = webtest.TestApp(self.app.app)
        sign_in(browser, CONSULTANT)
        return browser

    def client(self) -> webtest.TestApp:
        browser = webtest.TestApp(self.app.app)
        sign_in(browser, CLIENT)
        return browser


@pytest.fixture
def practice(make_app):
    p = Practice(make_app)
    p.complete("Trading desk", extra={"realtime.live": "core"}, owned=True)  # Tornado first
    p.complete("Big catalogue", pick=-1)
    p.complete("Partner API", pick=1)
    p.complete("No preference")  # ranks nothing
    p.draft("Half done", owned=True)
    return p


def titles(page) -> list[str]:
    return [a.text for a in page.html.select("table.workspace-table tbody th a")]


def assessment_page(practice, browser, title):
    return browser.get(f"{LIST}{practice.rows[title]}/")


# --- the list ------------------------------------------------------------------------------------


def test_the_list_filters_by_status_framework_client_and_dates(practice):
    browser = practice.consultant()
    everything = browser.get(LIST)
    assert sorted(titles(everything)) == sorted(practice.rows)
    assert titles(browser.get(LIST + "?status=draft")) == ["Half done"]
    assert "Half done" not in titles(browser.get(LIST + "?status=complete"))
    assert len(titles(browser.get(LIST + "?status=complete"))) == 4

    tornado = practice.firsts["Trading desk"]
    assert tornado == "tornado"
    expected = sorted(t for t, first in practice.firsts.items() if first == tornado)
    assert sorted(titles(browser.get(LIST + f"?framework={tornado}"))) == expected
    other = practice.firsts["Big catalogue"]
    assert other != tornado
    assert "Trading desk" not in titles(browser.get(LIST + f"?framework={other}"))

    owned = ["Half done", "Trading desk"]
    assert sorted(titles(browser.get(LIST + "?client=ADA"))) == owned
    assert sorted(titles(browser.get(LIST + "?client=lovelace"))) == owned
    assert sorted(titles(browser.get(LIST + "?client=anonymous"))) == [
        "Big catalogue",
        "No preference",
        "Partner API",
    ]
    assert titles(browser.get(LIST + "?client=%25")) == []  # a LIKE wildcard is a plain character

    practice.set_updated("Partner API", datetime(2026, 1, 15, 23, 30))
    practice.set_updated("Big catalogue", datetime(2026, 2, 1, 0, 5))
    assert titles(browser.get(LIST + "?until=2026-01-15")) == ["Partner API"]
    assert titles(browser.get(LIST + "?since=2026-01-16&until=2026-02-01")) == ["Big catalogue"]
    assert "Partner API" not in titles(browser.get(LIST + "?since=2026-01-16"))
    combined = browser.get(LIST + "?status=complete&client=anonymous&until=2026-02-28")
    assert sorted(titles(combined)) == ["Big catalogue", "Partner API"]
    # The form keeps the filters.
    form = combined.forms["filters"]
    assert (form["status"].value, form["client"].value, form["until"].value) == (
        "complete",
        "anonymous",
        "2026-02-28",
    )

    listed = browser.get(LIST + "?client=ada", headers=JSON).json
    assert listed["total"] == 2
    assert {a["title"] for a in listed["assessments"]} == set(owned)
    assert all(a["client"] == "Ada Lovelace (ada@example.com)" for a in listed["assessments"])


def test_the_list_pages_by_25_and_keeps_the_filters(practice):
    with practice.session() as session, session.begin():
        for n in range(30):
            session.add(Assessment(title=f"Bulk {n:02d}", status="draft"))
    browser = practice.consultant()
    first = browser.get(LIST + "?status=draft&client=anonymous")
    assert len(titles(first)) == 25
    assert "page 1 of 2" in first.text
    assert first.html.select_one('a[rel="prev"]') is None
    following = first.html.select_one('a[rel="next"]')["href"]
    assert "status=draft" in following and "client=anonymous" in following and "page=2" in following
    second = browser.get(following)
    assert len(titles(second)) == 5
    assert set(titles(first)).isdisjoint(titles(second))
    assert second.html.select_one('a[rel="next"]') is None
    back = second.html.select_one('a[rel="prev"]')["href"]
    assert "page=" not in back and "status=draft" in back
    assert titles(browser.get(back)) == titles(first)
    assert browser.get(LIST + "?status=draft&client=anonymous&page=2", headers=JSON).json["previous"]
    past = browser.get(LIST + "?page=9", status=400)
    assert titles(past) == []
    assert "from 1 to 2" in past.html.select_one(".error-summary").text
    assert "from 1 to 2" in browser.get(LIST + "?page=9", headers=JSON, status=400).json["errors"]["page"]


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("status=finished", "status", "Status"),
        ("framework=cobol", "framework", "Recommended framework"),
        ("since=2026-13-01", "since", "Updated since"),
        ("until=yesterday", "until", "Updated until"),
        ("since=2026-03-01&until=2026-02-01", "until", "Updated until"),
        ("page=0", "page", "Page"),
        ("page=0002", "page", "Page"),
        ("page=%C2%B2", "page", "Page"),  # "²": a digit to str.isdigit, not to int()
        ("page=%D9%A3", "page", "Page"),  # an Arabic-Indic 3, not an alias of page 3
        ("client=" + "x" * 201, "client", "Client"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field(practice, query, field, words):
    browser = practice.consultant()
    page = browser.get(LIST + "?" + query, status=400)
    summary = page.html.select_one(".error-summary")
    assert words in summary.text
    assert not page.html.select("table.workspace-table")
    typed = query.split("&")[-1].split("=", 1)[1]
    if field in ("since", "until", "client"):
        assert page.forms["filters"][field].value == typed
        assert page.html.select_one(f"#filter-{field}")["aria-invalid"] == "true"
    assert field in browser.get(LIST + "?" + query, headers=JSON, status=400).json["errors"]
    browser.get(LIST + "export.csv?" + query, status=400)


def test_a_client_filter_holding_a_character_no_column_stores_is_a_400(practice):
    browser = practice.consultant()
    page = browser.get(LIST + "?client=a%00b", status=400)
    assert "U+0000" in page.html.select_one("#filter-client-error").text
    assert "U+0000" in browser.get(LIST + "?client=a%00b", headers=JSON, status=400).json["errors"]["client"]
    browser.get(LIST + "export.csv?client=a%00b", status=400)


# --- notes ---------------------------------------------------------------------------------------


def test_notes_are_markdown_rendered_safely_with_their_author_and_time(practice):
    browser = practice.consultant()
    page = assessment_page(practice, browser, "Trading desk")
    form = page.forms["note-form"]
    form["body"] = (
        "**Call went well.** <script>alert('x')</script>\n\n"
        "- [docs](https://www.tornadoweb.org/)\n- [bad](javascript:alert(1))\n- <img src=x onerror=alert(1)>"
    )
    saved = form.submit(status=303)
    assert saved.headers["Location"].endswith(
        f"/consultant/assessments/{practice.rows['Trading desk']}/#notes"
    )
    page = saved.follow()
    note = page.html.select_one(".note")
    assert "Cora Consult" in note.select_one(".note-head").text
    assert str(datetime.now(UTC).year) in note.select_one(".note-head").text
    body = note.select_one(".note-body")
    assert body.select_one("strong").text == "Call went well."
    assert [a["href"] for a in body.select("a")] == ["https://www.tornadoweb.org/"]
    assert not body.select("script") and not body.select("img")
    assert "&lt;script&gt;" in page.text and "javascript:alert(1)" in body.text
    assert "<script>alert" not in page.text


@pytest.mark.parametrize(("text", "message"), [("   ", "write something"), ("x" * 10_001, "10,000")])
def test_a_note_that_is_empty_or_too_long_is_a_400_keeping_what_was_typed(practice, text, message):
    browser = practice.consultant()
    form = assessment_page(practice, browser, "Trading desk").forms["note-form"]
    form["body"] = text
    page = form.submit(status=400)
    assert message in page.html.select_one("#note-body-error").text
    assert page.html.select_one("#note-body").text == text
    with practice.session() as session:
        assert session.scalar(select(func.count()).select_from(Note)) == 0


def test_markdown_allows_only_web_and_mail_links():
    html = render(
        "[a](https://a.example) [b](mailto:x@example.com) [c](JAVASCRIPT:x) [d](/relative) <b>x</b>"
    )
    assert re.findall(r'href="([^"]*)"', html) == ["https://a.example", "mailto:x@example.com"]
    assert "<b>" not in html and "&lt;b&gt;" in html


# --- decisions -----------------------------------------------------------------------------------


def decide(browser, page, framework, reason, decided_on=None, status=303):
    form = page.forms["decision-form"]
    form["framework"], form["reason"] = framework, reason
    if decided_on is not None:
        form["decided_on"] = decided_on
    return form.submit(status=status)


def decisions(practice, title) -> list[tuple[int, str]]:
    with practice.session() as session:
        rows = session.execute(
            select(Decision.version, Decision.framework)
            .where(Decision.assessment_id == practice.rows[title])
            .order_by(Decision.version)
        )
        return [tuple(row) for row in rows]


def test_a_decision_is_validated_naming_the_field(practice):
    browser = practice.consultant()
    page = assessment_page(practice, browser, "Trading desk")
    form = page.forms["decision-form"]
    assert form["framework"].value == "tornado"  # the recommendation, preselected
    assert form["decided_on"].value == datetime.now(UTC).date().isoformat()
    form["framework"].force_value("cobol")
    form["reason"] = ""
    form["decided_on"] = "2026-02-30"
    refused = form.submit(status=400)
    assert "Framework" in refused.html.select_one("#decision-framework-error").text
    assert "Reason" in refused.html.select_one("#decision-reason-error").text
    assert "YYYY-MM-DD" in refused.html.select_one("#decision-date-error").text
    assert refused.forms["decision-form"]["decided_on"].value == "2026-02-30"
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    future = decide(browser, page, "flask", "The team knows it.", tomorrow, status=400)
    assert "future" in future.html.select_one("#decision-date-error").text
    assert future.forms["decision-form"]["reason"].value == "The team knows it."
    assert decisions(practice, "Trading desk") == []


def test_each_decision_is_a_new_version_and_says_whether_it_follows(practice):
    browser = practice.consultant()
    page = assessment_page(practice, browser, "Trading desk")
    assert "No decision recorded yet." in page.text
    page = decide(browser, page, "tornado", "As recommended.", "2026-11-30").follow()
    current = page.html.select_one(".decision-current").text
    assert "Tornado" in current and "version 1" in current and "follows the recommendation" in current
    page = decide(
        browser, page, "flask", "The team knows Flask; live parts go to a separate service."
    ).follow()
    current = page.html.select_one(".decision-current").text
    assert (
        "Flask" in current
        and "version 2" in current
        and "differs from the recommendation (Tornado)" in current
    )
    history = page.html.select_one(".decision-history").text
    assert "Version 1: Tornado, decided on 2026-11-30 by Cora Consult" in history
    assert decisions(practice, "Trading desk") == [(1, "tornado"), (2, "flask")]
    data = browser.get(f"{LIST}{practice.rows['Trading desk']}/", headers=JSON).json
    assert data["decision"]["version"] == 2 and data["decision"]["follows_recommendation"] is False
    assert [d["version"] for d in data["decisions"]] == [2, 1]
    listed = {a["title"]: a for a in browser.get(LIST, headers=JSON).json["assessments"]}
    assert listed["Trading desk"]["decision"] == "flask"
    assert "(differs)" in browser.get(LIST).text


def test_a_decision_names_the_revision_it_answered_and_a_newer_result_is_flagged(practice):
    browser = practice.consultant()
    page = assessment_page(practice, browser, "Trading desk")
    # The form sends the revision the page shows.
    assert page.forms["decision-form"]["revision"].value == "1"
    decide(browser, page, "tornado", "As recommended.", "2026-11-30")
    row = practice.rows["Trading desk"]
    data = browser.get(f"{LIST}{row}/", headers=JSON).json
    assert data["decision"]["revision"] == 1 and data["decision"]["follows_recommendation"] is True

    # The client edits the answer that decided the result: revision 2 ranks Django first.
    link = f"/assessments/{practice.public_ids['Trading desk']}/"
    client = practice.client()
    headers = {**JSON, "X-CSRF-Token": client.get("/account").forms["sign-out"]["csrf_token"].value}
    client.post_json(link + "edit", {}, headers=headers)
    changes = {"realtime.live": "no", "realtime.connections": None, "admin_ui.need": "required"}
    client.post_json(link + "answers", {"answers": changes}, headers=headers)
    client.post_json(link + "complete", {}, headers=headers)
    second = client.get(link + "revisions/2", headers=JSON).json["ranking"][0]["framework"]
    assert second != "tornado"

    page = assessment_page(practice, browser, "Trading desk")
    current = page.html.select_one(".decision-current").text
    # Measured against what it answered (revision 1's Tornado), not the newer ranking.
    assert "on the result of revision 1" in current and "follows the recommendation" in current
    stale = page.html.select_one(".decision-stale").text
    assert "revision 2 is newer" in " ".join(stale.split())
    assert page.forms["decision-form"]["revision"].value == "2"
    assert browser.get(f"{LIST}{row}/", headers=JSON).json["decision"]["follows_recommendation"] is True
    assert "(differs)" not in browser.get(LIST).text
    overview = browser.get("/consultant/", headers=JSON).json
    assert (overview["decided"], overview["followed"], overview["differed"]) == (1, 1, 0)

    # The decision record of each revision says which result the decision answered.
    first_record = client.get(link + "revisions/1/report.md").text
    assert "on the result of revision 1)." in first_record
    assert "This record shows revision" not in first_record
    second_record = client.get(link + "revisions/2/report.md").text
    assert "This record shows revision 2, newer than the one the decision answered" in second_record

    # A decision on the new result, from its page: it names revision 2.
    decide(browser, page, second, "Fine with the new answers.", "2026-12-01")
    data = browser.get(f"{LIST}{row}/", headers=JSON).json
    assert [d["revision"] for d in data["decisions"]] == [2, 1]
    assert not assessment_page(practice, browser, "Trading desk").html.select(".decision-stale")


@pytest.mark.parametrize("revision", [3, 0, "two", True, [1]])
def test_a_decision_naming_a_revision_the_assessment_lacks_is_a_400(practice, revision):
    browser = practice.consultant()
    token = browser.get("/account").forms["sign-out"]["csrf_token"].value
    refused = browser.post_json(
        f"{LIST}{practice.rows['Trading desk']}/decision",
        {"framework": "flask", "reason": "Why not.", "decided_on": "2026-11-30", "revision": revision},
        headers={**JSON, "X-CSRF-Token": token},
        status=400,
    )
    assert set(refused.json["errors"]) == {"revision"}
    assert "revisions (1 to 1)" in refused.json["errors"]["revision"]
    assert decisions(practice, "Trading desk") == []


# --- reports -------------------------------------------------------------------------------------

ADR_SECTIONS = ["## Status", "## Context", "## Options considered", "## Decision", "## Consequences"]


def pdf_text(body: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(body))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_reports_read_as_a_decision_record_in_the_workspace_and_under_the_clients_link(practice):
    client = practice.client()
    private = f"/assessments/{practice.public_ids['Trading desk']}/revisions/1/"
    before = client.get(private + "report.md").text
    assert before.startswith("# Framework recommendation") and "## Consequences" not in before
    assert "Decision record" not in pdf_text(client.get(private + "report.pdf").body)

    browser = practice.consultant()
    decide(
        browser,
        assessment_page(practice, browser, "Trading desk"),
        "flask",
        "The team knows Flask.",
        "2026-11-30",
    )
    row = practice.rows["Trading desk"]
    for text in (browser.get(f"{LIST}{row}/report.md").text, client.get(private + "report.md").text):
        assert text.startswith("# Decision record: Flask for Trading desk")
        positions = [text.index(section) for section in ADR_SECTIONS]
        assert positions == sorted(positions)
        assert "Accepted, decided on 2026-11-30" in text
        assert "| 1 | Tornado |" in text and "| Flask |" in text
        assert "We chose **Flask**. Reason: The team knows Flask." in text
        assert "This differs from the portal's recommendation, Tornado" in text
        consequences = text[text.index("## Consequences") :]
        assert "Caveats with Flask" in consequences and "Next steps with Flask" in consequences
        assert "Flask-SocketIO" in consequences  # the chosen framework's caveat and step, not Tornado's
    workspace_md = browser.get(f"{LIST}{row}/report.md")
    assert workspace_md.headers["Content-Disposition"].startswith("attachment;")
    for response in (browser.get(f"{LIST}{row}/report.pdf"), client.get(private + "report.pdf")):
        assert response.content_type == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        text = pdf_text(response.body)
        for words in (
            "Decision record: Flask for Trading desk",
            "Status",
            "Options considered",
            "Consequences",
        ):
            assert words in text
        assert "We chose Flask" in text
    # A second version of the decision: the client's (cached) report follows it.
    decide(
        browser, assessment_page(practice, browser, "Trading desk"), "tornado", "After all, the live parts."
    )
    again = client.get(private + "report.md").text
    assert "We chose **Tornado**" in again and "This follows the portal's recommendation." in again


def test_a_draft_has_no_report_but_exports_as_json(practice):
    browser = practice.consultant()
    row = practice.rows["Half done"]
    browser.get(f"{LIST}{row}/report.md", status=404)
    exported = browser.get(f"{LIST}{row}/export.json")
    assert exported.headers["Content-Disposition"] == 'attachment; filename="half-done.json"'
    assert exported.json["title"] == "Half done" and exported.json["results"] == []
    full = browser.get(f"{LIST}{practice.rows['Trading desk']}/export.json").json
    assert full["ranking"][0]["framework"] == "tornado"
    assert full["results"][0]["result"]["ranking"][0]["framework"] == "tornado"


# --- the workspace's revision page ---------------------------------------------------------------


def test_a_revision_page_in_the_workspace_is_read_only(practice):
    browser = practice.consultant()
    row = practice.rows["Trading desk"]
    page = browser.get(f"{LIST}{row}/revisions/1")
    assert "Tornado" in page.html.select_one(".winner").text
    assert not page.html.select("#result-link") and "Copy link" not in page.text
    assert "Edit answers" not in page.text and "Save to my account" not in page.text
    assert "/assessments/" + practice.public_ids["Trading desk"] not in page.text
    hrefs = [a["href"] for a in page.html.select("main a")]
    assert all("/consultant/" in h or h.endswith("/how-scoring-works") for h in hrefs), hrefs
    browser.get(f"{LIST}{row}/revisions/9", status=404)
    # The client's own page still offers everything.
    own = practice.client().get(f"/assessments/{practice.public_ids['Trading desk']}/revisions/1")
    assert own.html.select_one("#result-link") is not None and "Edit answers" in own.text


# --- the CSV -------------------------------------------------------------------------------------


def test_the_csv_has_a_row_per_assessment_and_neutralises_formulas(practice):
    practice.complete('=HYPERLINK("https://evil.example","x")', extra={"realtime.live": "core"})
    practice.draft("+SUM(1,2)")
    practice.draft("-2+3")
    practice.draft("@cmd")
    browser = practice.consultant()
    decide(browser, assessment_page(practice, browser, "Trading desk"), "flask", "Team.", "2026-11-30")
    response = browser.get(LIST + "export.csv")
    assert response.content_type == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="assessments.csv"'
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == [
        "title", "client", "status", "created", "updated", "first framework", "first score",
        "second framework", "second score", "confidence", "decision",
    ]  # fmt: skip
    by_title = {row[0]: row for row in rows[1:]}
    assert len(by_title) == len(practice.rows)
    desk = by_title["Trading desk"]
    assert desk[1] == "Ada Lovelace (ada@example.com)" and desk[2] == "complete"
    assert desk[5] == "Tornado" and desk[6] == "100.0" and desk[7]
    assert desk[9] in ("low", "medium", "high") and desk[10] == "Flask (2026-11-30)"
    assert by_title["Half done"][5:] == [""] * 6
    assert by_title["No preference"][5] == ""
    for title in ('=HYPERLINK("https://evil.example","x")', "+SUM(1,2)", "-2+3", "@cmd"):
        assert "'" + title in by_title
    assert by_title["Big catalogue"][1] == "Anonymous"
    filtered = list(csv.reader(io.StringIO(browser.get(LIST + "export.csv?client=ada").text)))
    assert sorted(row[0] for row in filtered[1:]) == ["Half done", "Trading desk"]


def test_neutralise_quotes_every_formula_start():
    for text in ("=1", "+1", "-1", "@x", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    assert neutralise("Plain 1-2") == "Plain 1-2"
    assert neutralise(None) == ""


# --- the overview --------------------------------------------------------------------------------


def test_the_overview_counts_firsts_decisions_and_drivers(practice):
    practice.complete("Chat app", extra={"realtime.live": "core"})
    browser = practice.consultant()
    decide(browser, assessment_page(practice, browser, "Trading desk"), "tornado", "As recommended.")
    decide(browser, assessment_page(practice, browser, "Chat app"), "django", "House standard.")
    decide(
        browser, assessment_page(practice, browser, "Big catalogue"), practice.firsts["Big catalogue"], "Yes."
    )
    data = browser.get("/consultant/", headers=JSON).json
    assert data["completed"] == 5
    expected: dict[str, int] = {}
    for first in practice.firsts.values():
        if first:
            expected[first] = expected.get(first, 0) + 1
    assert {e["framework"]: e["count"] for e in data["first"]} == expected
    assert data["first"][0] == {
        "framework": "tornado", "title": "Tornado", "count": 2, "share": 40, "width": 100.0,
    }  # fmt: skip
    assert (data["decided"], data["followed"], data["differed"]) == (3, 2, 1)
    drivers = {d["criterion"]: d for d in data["drivers"]}
    assert drivers["realtime"]["count"] >= 2  # both real-time briefs: Tornado leads on it
    assert sum(d["count"] for d in data["drivers"]) <= 4  # results with two frameworks ranked
    page = browser.get("/consultant/")
    svg = page.html.select_one("svg.workspace-chart")
    assert svg["role"] == "img" and "Tornado 2" in svg.select_one("title").text
    assert len(svg.select("rect.chart-bar")) == len(expected)
    assert not page.html.select("[style]")
    table = page.html.select("section")[0].select_one("table")
    assert ["Tornado", "2", "40%"] in [
        [c.text for c in tr.select("th, td")] for tr in table.select("tbody tr")
    ]
    followed = page.html.select("section")[1].text
    assert "Followed the recommendation" in followed and "2" in followed


# --- who may open it, and no private link --------------------------------------------------------


def test_clients_and_anonymous_visitors_cannot_open_the_workspace(practice):
    client = practice.client()
    anonymous = webtest.TestApp(practice.app.app)
    row = practice.rows["Trading desk"]
    for path in ("/consultant/", LIST, LIST + "export.csv", f"{LIST}{row}/", f"{LIST}{row}/report.md"):
        client.get(path, status=403)
        redirect = anonymous.get(path, status=303)
        assert "/sign-in?next=" in redirect.headers["Location"]
        anonymous.get(path, headers=JSON, status=401)
    token = client.get("/account").forms["sign-out"]["csrf_token"].value
    client.post(f"{LIST}{row}/notes", {"body": "hi", "csrf_token": token}, status=403)
    with practice.session() as session:
        assert session.scalar(select(func.count()).select_from(Note)) == 0


def test_no_workspace_response_holds_a_private_link(practice):
    browser = practice.consultant()
    for title in ("Trading desk", "Big catalogue"):
        page = assessment_page(practice, browser, title)
        page = decide(browser, page, "flask", "Because.").follow()
        form = page.forms["note-form"]
        form["body"] = "A note."
        form.submit(status=303)
    paths = ["/consultant/", LIST, LIST + "?status=complete", LIST + "export.csv", LIST + "?status=nope"]
    for row in practice.rows.values():
        base = f"{LIST}{row}/"
        paths += [base, base + "export.json"]
    for title in ("Trading desk", "Big catalogue", "Partner API"):
        base = f"{LIST}{practice.rows[title]}/"
        paths += [base + "report.md", base + "report.pdf", base + "revisions/1"]
    seen = 0
    for path in paths:
        for headers in ({}, JSON):
            response = browser.get(path, headers=headers, expect_errors=True)
            assert response.status_int in (200, 400), path
            body = (
                response.body.decode("latin-1")
                if response.content_type == "application/pdf"
                else response.text
            )
            for public_id in practice.public_ids.values():
                assert public_id not in body, (path, headers)
            seen += 1
    # The client's own report does hold its link; the check above would catch one.
    own = practice.client().get(f"/assessments/{practice.public_ids['Trading desk']}/revisions/1/report.md")
    assert practice.public_ids["Trading desk"] in own.text
    assert seen == 2 * len(paths)


DECIDED = {"framework": "flask", "reason": "Known.", "decided_on": "2026-11-30"}


def token_program(practice) -> tuple[webtest.TestApp, dict[str, str]]:
    """A cookie-less JSON client and its headers, with an API token of the consultant's."""
    form = practice.consultant().get("/account").forms["new-token-form"]
    form["name"] = "reporting"
    token = form.submit(status=200).html.find(id="new-token")["value"]
    return webtest.TestApp(practice.app.app), {**JSON, "Authorization": f"Bearer {token}"}


def test_json_clients_write_notes_and_decisions_with_a_token(practice):
    program, bearer = token_program(practice)
    base = f"{LIST}{practice.rows['Trading desk']}/"
    note = program.post_json(base + "notes", {"body": "From the robot."}, headers=bearer, status=201)
    assert note.json == {"author": "Cora Consult", "body": "From the robot."}
    refused = program.post_json(base + "decision", {"framework": "flask"}, headers=bearer, status=400)
    assert set(refused.json["errors"]) == {"reason", "decided_on"}
    assert program.post_json(base + "decision", DECIDED, headers=bearer, status=201).json["version"] == 1
    assert program.get(LIST + "?framework=tornado", headers=bearer).json["total"] >= 1


@pytest.mark.parametrize(
    ("url", "sent", "field", "words"),
    [
        ("notes", {"body": 123}, "body", "Note: send it as text."),
        ("notes", {"body": ["a note"]}, "body", "Note: send it as text."),
        ("notes", {"body": "a\u0000b"}, "body", "U+0000"),
        ("notes", {"body": "\ud800"}, "body", "U+D800"),
        ("notes", {"body": "bell \u0007"}, "body", "U+0007"),
        ("decision", {**DECIDED, "reason": 5}, "reason", "Reason: send it as text."),
        ("decision", {**DECIDED, "reason": "a\u0000b"}, "reason", "U+0000"),
        ("decision", {**DECIDED, "reason": "\udc00"}, "reason", "U+DC00"),
        ("decision", {**DECIDED, "decided_on": 20261130}, "decided_on", "YYYY-MM-DD"),
    ],
)
def test_a_json_note_or_decision_that_is_not_storable_text_is_a_400_naming_it(
    practice, url, sent, field, words
):
    program, bearer = token_program(practice)
    base = f"{LIST}{practice.rows['Trading desk']}/"
    refused = program.post_json(base + url, sent, headers=bearer, status=400)
    assert list(refused.json["errors"]) == [field]
    assert words in refused.json["errors"][field]
    with practice.session() as session:
        assert session.scalar(select(func.count()).select_from(Note)) == 0
        assert session.scalar(select(func.count()).select_from(Decision)) == 0


def test_a_typed_note_with_a_nul_is_a_400_keeping_the_page(practice):
    browser = practice.consultant()
    form = assessment_page(practice, browser, "Trading desk").forms["note-form"]
    form["body"] = "before\x00after"
    page = form.submit(status=400)
    assert "U+0000" in page.html.select_one("#note-body-error").text
    with practice.session() as session:
        assert session.scalar(select(func.count()).select_from(Note)) == 0


def test_the_workspace_queries_run_on_sqlite_and_postgresql(make_app, database_url):
    """The JSON paths into snapshots and the LIKE filters, on both databases."""
    p = Practice(make_app, sqlalchemy__url=database_url)
    p.complete("Trading desk", extra={"realtime.live": "core"}, owned=True)
    p.complete("Big catalogue", pick=-1)
    p.draft("Half done")
    browser = p.consultant()
    decide(browser, assessment_page(p, browser, "Trading desk"), "flask", "Team.", "2026-11-30")
    assert titles(browser.get(LIST + "?framework=tornado")) == ["Trading desk"]
    assert titles(browser.get(LIST + "?client=Lovelace&status=complete&since=2026-01-01")) == ["Trading desk"]
    assert sorted(titles(browser.get(LIST + "?client=anonymous"))) == ["Big catalogue", "Half done"]
    rows = {r[0]: r for r in csv.reader(io.StringIO(browser.get(LIST + "export.csv").text))}
    assert (
        rows["Trading desk"][5:7] == ["Tornado", "100.0"] and rows["Trading desk"][10] == "Flask (2026-11-30)"
    )
    data = browser.get("/consultant/", headers=JSON).json
    assert (data["completed"], data["decided"], data["differed"]) == (2, 1, 1)
    assert {d["criterion"] for d in data["drivers"]} >= {"realtime"}


def test_one_assessment_shows_its_answers_result_and_revisions(practice):
    browser = practice.consultant()
    page = assessment_page(practice, browser, "Trading desk")
    facts = page.html.select_one("dl.facts").text
    assert "Ada Lovelace (ada@example.com)" in facts and "Complete" in facts
    answers = {
        dt.text: dd.text
        for dt, dd in zip(page.html.select("dl.answers dt"), page.html.select("dl.answers dd"), strict=True)
    }
    live = (
        "Does the product need to show changes to users the moment they happen, "
        "without the user reloading the page?"
    )
    assert answers[live].startswith("Yes, live connections are the heart of the product")
    ranking = [
        [c.text for c in tr.select("td, th")] for tr in page.html.select("section table.ratings tbody tr")
    ]
    assert ranking[0] == ["1", "Tornado", "100.0"] and len(ranking) == 5
    revisions = [a["href"] for a in page.html.select("a") if "/revisions/" in a["href"]]
    assert revisions == [f"http://localhost{LIST}{practice.rows['Trading desk']}/revisions/1"]
    # A draft: its saved answers in words, and no result.
    link = f"/assessments/{practice.public_ids['Half done']}/"
    with practice.session() as session, session.begin():
        session.execute(
            update(Assessment).where(Assessment.id == practice.rows["Half done"]).values(owner_id=None)
        )
    practice.creator.post_json(link + "answers", {"answers": {"realtime.live": "no"}}, headers=JSON)
    draft = assessment_page(practice, browser, "Half done")
    assert "Not completed yet" in draft.text and "Report (Markdown)" not in draft.text
    assert [dt.text for dt in draft.html.select("dl.answers dt")] == [live]
    assert draft.html.select_one("dl.answers dd").text.startswith("No")
