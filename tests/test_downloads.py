"""Downloads of a result: the Markdown and PDF reports, as named attachments, and printing.

The PDF is rendered for real by WeasyPrint (with Debian's Pango) and read back with
pypdf; the 503 without Pango runs the portal in a subprocess that cannot load it.
Printing is Chromium's own (Playwright's ``page.pdf()``) of the served result page.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import textwrap
import unicodedata
import urllib.request
from collections import Counter
from contextlib import contextmanager
from urllib.parse import unquote

import pypdf
import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool

from portal import pdf
from portal.testing import JSON

from .conftest import ROOT, alembic_upgrade
from .test_browser import ARTIFACTS, budget, chromium, portal_url, watch_csp  # noqa: F401 (fixtures)
from .test_revisions import complete_assessment
from .test_snapshot_versions import FIXTURE as V1_FIXTURE
from .test_snapshot_versions import PUBLIC_ID as V1_PUBLIC_ID
from .test_snapshot_versions import store_v1_revision


@pytest.fixture
def database(tmp_path):
    # The downloads read a stored revision the same on any database: SQLite is enough.
    url = f"sqlite:///{tmp_path / 'downloads.sqlite'}"
    alembic_upgrade(url)
    return url


@pytest.fixture
def app(make_app, database):
    return make_app(sqlalchemy__url=database)


def file_name(response) -> str:
    """The name a browser saves the download as: ``filename*`` where given (RFC 6266), else ``filename``."""
    disposition = response.headers["Content-Disposition"]
    assert disposition.isascii()
    plain = re.fullmatch(
        r'attachment; filename="([\w.-]+)"(?:; filename\*=UTF-8\'\'([\w.%-]+))?', disposition
    )
    assert plain, disposition
    return unquote(plain[2]) if plain[2] else plain[1]


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)


def fill_colours(body: bytes) -> Counter[tuple[float, ...]]:
    """How often the PDF starts painting with each RGB fill colour (its ``r g b rg`` operators)."""
    streams = b"".join(page.get_contents().get_data() for page in pypdf.PdfReader(io.BytesIO(body)).pages)
    return Counter(
        tuple(round(float(v), 3) for v in match)
        for match in re.findall(rb"([\d.]+) ([\d.]+) ([\d.]+) rg", streams)
    )


def rgb(hex_colour: str) -> tuple[float, ...]:
    return tuple(round(int(hex_colour[i : i + 2], 16) / 255, 3) for i in (1, 3, 5))


# --- Markdown ------------------------------------------------------------------


def test_the_markdown_report_is_an_attachment_named_after_the_title_and_revision(app):
    url, completed = complete_assessment(app, title="Live chat rebuild")
    report = app.get(completed.headers["Location"] + "/report.md")
    assert report.headers["Content-Disposition"] == 'attachment; filename="live-chat-rebuild-revision-1.md"'
    assert report.content_type == "text/markdown" and report.text.startswith("# Framework recommendation")
    # Kept with its headers: the cached answer names the file the same.
    hit = app.get(completed.headers["Location"] + "/report.md")
    assert (
        hit.body == report.body
        and hit.headers["Content-Disposition"] == report.headers["Content-Disposition"]
    )
    rescored = app.post_json(url + "rescore", {}, headers=JSON, status=201)
    second = app.get(rescored.headers["Location"] + "/report.md")
    assert file_name(second) == "live-chat-rebuild-revision-2.md"


@pytest.mark.parametrize(
    ("title", "ascii_name", "name"),
    [
        ("Réservation 東京 — été", "reservation-ete-revision-1.md", "réservation-東京-été-revision-1.md"),
        ("東京", "assessment-revision-1.md", "東京-revision-1.md"),
    ],
)
def test_a_title_in_other_letters_names_the_file_in_utf_8_with_an_ascii_fallback(
    app, title, ascii_name, name
):
    _, completed = complete_assessment(app, title=title)
    report = app.get(completed.headers["Location"] + "/report.md")
    disposition = report.headers["Content-Disposition"]
    assert disposition.startswith(f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''")
    assert file_name(report) == name


def test_a_title_cannot_add_header_syntax_to_the_file_name(app):
    title = 'x"; filename="evil.exe"; filename*=UTF-8\'\'evil.exe \r\nSet-Cookie: stolen=1 ; \\ / ..'
    _, completed = complete_assessment(app, title=title)
    report = app.get(completed.headers["Location"] + "/report.md")
    assert report.headers["Content-Disposition"] == (
        'attachment; filename="x-filename-evil-exe-filename-utf-8-evil-exe-set-cookie-stole-revision-1.md"'
    )
    assert "Set-Cookie" not in report.headers
    # The title's part is cut at 60 characters: a 200-character title still makes a usable name.
    assert file_name(report) == "x-filename-evil-exe-filename-utf-8-evil-exe-set-cookie-stole-revision-1.md"


# --- PDF -------------------------------------------------------------------------


def test_the_pdf_report_is_an_attachment_with_the_ranking_as_text_and_the_charts(app):
    _, completed = complete_assessment(app, title="Live chat rebuild")
    revision = completed.headers["Location"]
    response = app.get(revision + "/report.pdf")
    assert response.body.startswith(b"%PDF-")
    assert response.content_type == "application/pdf"
    assert file_name(response) == "live-chat-rebuild-revision-1.pdf"
    words = " ".join(pdf_text(response.body).split())
    ranking = app.get(revision, headers=JSON).json["ranking"]
    assert len(ranking) == 5
    for entry in ranking:
        assert entry["title"] in words
    assert f"{ranking[0]['title']} fits best" in words
    assert "Live chat rebuild" in words
    # Paper has no use for the navigation and the download links.
    assert "Criteria" not in words.split("Live chat rebuild")[0]
    assert "Download" not in words
    # The charts are drawn with the print stylesheet's colours (WeasyPrint reads no other rules
    # inside an <svg>): the ranking's bars and the first criterion's share of each score.
    css = (ROOT / "portal/static/portal.css").read_text()
    print_rules = css[css.index("/* Print:") :]
    bar = re.search(r"svg\.bar rect \{ fill: (#[0-9a-f]{6}); \}", print_rules)[1]
    first_criterion = re.search(r"svg\.bar rect\.c0 \{ fill: (#[0-9a-f]{6}); \}", print_rules)[1]
    colours = fill_colours(response.body)
    assert colours[rgb(bar)] >= sum(not entry["warnings"] for entry in ranking) >= 2
    assert colours[rgb(first_criterion)] >= 2  # the legend's swatch, and the criterion's share of a bar


@contextmanager
def statements(app):
    """The SQL statements SQLite runs meanwhile, on any connection from the pool.

    Counted by SQLite itself (its trace callback), so that a statement run on the
    DBAPI connection directly (``portal.models.row_reads``) is counted as well as
    one run through SQLAlchemy. The link reads' kept connections are closed first, so
    that the next read takes one from the pool, traced.
    """
    executed = []
    app.app.registry["dbreads"].close()

    def trace(dbapi_connection, record, proxy):
        dbapi_connection.set_trace_callback(executed.append)

    def untrace(dbapi_connection, record):
        dbapi_connection.set_trace_callback(None)

    event.listen(Pool, "checkout", trace)
    event.listen(Pool, "checkin", untrace)
    try:
        yield executed
    finally:
        event.remove(Pool, "checkout", trace)
        event.remove(Pool, "checkin", untrace)


def test_the_pdf_is_rendered_once_then_served_from_the_render_cache_with_an_etag(app):
    _, completed = complete_assessment(app)
    revision = completed.headers["Location"]
    first = app.get(revision + "/report.pdf")
    markdown = app.get(revision + "/report.md")
    assert first.headers["Cache-Control"] == "private, no-cache" and "Set-Cookie" not in first.headers
    cache = app.app.registry["portal.render_cache"]
    public_id = revision.rstrip("/").split("/")[-3]
    # Keyed also by "still anonymous" and the decision's version (none recorded: 0).
    assert cache.get(("http://localhost", public_id, 1, "pdf", True, 0))[0] == first.body
    # A second request renders nothing and reads only what the access check needs: one
    # statement, the assessment's row (its owner, and its decision's version for the key),
    # never its revisions. It answers from the render cache, byte for byte and header for header.
    with statements(app) as executed:
        hit = app.get(revision + "/report.pdf")
        markdown_hit = app.get(revision + "/report.md")
        app.get(revision + "/report.pdf", headers={"If-None-Match": first.headers["ETag"]}, status=304)
    reads = [s for s in executed if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 3 and all("FROM assessments" in s and "FROM revisions" not in s for s in reads)
    assert hit.body == first.body and sorted(hit.headerlist) == sorted(first.headerlist)
    assert markdown_hit.body == markdown.body and sorted(markdown_hit.headerlist) == sorted(
        markdown.headerlist
    )
    # The counter does see a request that reads: a revision not rendered yet.
    with statements(app) as executed:
        app.get(revision.replace("/revisions/1", "/revisions/2"), status=404)
    assert executed


def test_the_pdf_of_a_version_1_revision_renders(make_app, database):
    public_id = V1_PUBLIC_ID
    store_v1_revision(database)
    snapshot = json.loads((V1_FIXTURE / "snapshot.json").read_text(encoding="utf-8"))
    app = make_app(sqlalchemy__url=database)
    response = app.get(f"/assessments/{public_id}/revisions/1/report.pdf")
    assert response.body.startswith(b"%PDF-")
    assert file_name(response) == "live-trading-dashboard-v1-revision-1.pdf"
    words = " ".join(pdf_text(response.body).split())
    assert "Live trading dashboard <v1>" in words
    assert "Django fits best" in words  # the first model's answer, as its page says
    for entry in snapshot["result"]["ranking"]:
        assert entry["title"] in words


def test_the_url_fetcher_serves_the_static_files_and_refuses_everything_else(tmp_path):
    fetcher = pdf.static_fetcher("http://portal.test/static/")
    html = """<!doctype html><html><head>
      <link rel="stylesheet" href="http://portal.test/static/portal.css"></head>
      <body><main id="main"><h1>Hello</h1><img src="http://example.invalid/x.png" alt="x">
      <img src="file:///etc/hostname" alt="y"></main></body></html>"""
    body = pdf.render_pdf(html, "http://portal.test/assessments/a/revisions/1", fetcher)
    assert body.startswith(b"%PDF-") and "Hello" in pdf_text(body)
    # Refused before anything is opened: the fetcher never reaches the network or the disk.
    assert fetcher.refused == ["http://example.invalid/x.png", "file:///etc/hostname"]
    for url in (
        "http://portal.test/static/../pdf.py",
        "http://portal.test/static/%2e%2e/pdf.py",
        "http://portal.test/static/",
        "http://portal.test.example/static/portal.css",
        "data:text/plain,hello",
    ):
        with pytest.raises(ValueError, match="only the portal's static files"):
            fetcher.fetch(url)
    assert fetcher.refused[2:] == [
        "http://portal.test/static/../pdf.py",
        "http://portal.test/static/%2e%2e/pdf.py",
        "http://portal.test/static/",
        "http://portal.test.example/static/portal.css",
        "data:text/plain,hello",
    ]
    stylesheet = fetcher.fetch("http://portal.test/static/portal.css?v=1")
    assert stylesheet.content_type == "text/css" and b"@media print" in stylesheet.read()


# --- Without Pango ---------------------------------------------------------------

WITHOUT_PANGO = textwrap.dedent(
    """
    import json, sys
    import webtest
    from portal.testing import JSON, app_settings, build_app
    from tests.test_revisions import complete_assessment

    try:
        import weasyprint  # noqa: F401
        loads = "yes"
    except OSError as exc:
        loads = type(exc).__name__
    app = webtest.TestApp(build_app(app_settings(sys.argv[1])))
    _, completed = complete_assessment(app, title="No Pango here")
    revision = completed.headers["Location"]
    answers = {
        "weasyprint": loads,
        "home": app.get("/").status_int,
        "page": app.get(revision).status_int,
        "markdown": app.get(revision + "/report.md").status_int,
    }
    for attempt in ("pdf", "pdf again"):
        page = app.get(revision + "/report.pdf", status="*")
        answers[attempt] = [page.status_int, page.content_type, page.text]
    data = app.get(revision + "/report.pdf", headers=JSON, status="*")
    answers["pdf json"] = [data.status_int, data.json]
    with open(sys.argv[2], "w") as out:
        json.dump(answers, out)
    """
)


def test_without_pango_the_pdf_answers_503_naming_the_debian_packages_and_the_rest_works(database, tmp_path):
    # No mock: an empty file named like Pango's library comes first on the library path,
    # so loading Pango fails in the subprocess exactly as on a machine with a broken install.
    shadow = tmp_path / "no-pango"
    shadow.mkdir()
    (shadow / "libpango-1.0.so.0").write_bytes(b"")
    out = tmp_path / "answers.json"
    env = {"PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": str(shadow), "HOME": str(tmp_path)}
    subprocess.run(
        [sys.executable, "-c", WITHOUT_PANGO, database, str(out)], cwd=ROOT, env=env, check=True, timeout=120
    )
    answers = json.loads(out.read_text())
    assert answers["weasyprint"] == "OSError"  # the environment did make Pango unloadable
    assert answers["home"] == answers["page"] == answers["markdown"] == 200
    for attempt in ("pdf", "pdf again"):
        status, content_type, page = answers[attempt]
        assert status == 503 and content_type == "text/html"
        assert "libpango-1.0-0" in page and "libpangoft2-1.0-0" in page
        assert "Traceback" not in page and "OSError" not in page
    status, body = answers["pdf json"]
    assert status == 503
    assert (
        "libpango-1.0-0" in body["errors"]["_request"] and "libpangoft2-1.0-0" in body["errors"]["_request"]
    )


# --- Printing in a browser -------------------------------------------------------


def complete_over_http(base: str) -> str:
    """A completed assessment of the served portal, made through its JSON API: its revision's URL."""

    def call(url, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            url, data, {"Accept": "application/json", "Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=20) as reply:
            return reply.headers, json.loads(reply.read() or b"null")

    url = call(base + "/assessments/", {"title": "Live chat rebuild"})[1]["url"]
    questions = call(url + "questionnaire")[1]["questions"]
    answers = {q["key"]: q["options"][0]["key"] for q in questions if q["required"] and q["options"]}
    call(url + "answers", {"answers": {**answers, "realtime.live": "core"}})
    call(url + "answers", {"answers": {"realtime.connections": "thousands"}})
    return call(url + "complete", {})[0]["Location"]


def test_printing_the_result_opens_every_section_and_leaves_out_the_controls(request):
    # The browser test's fixtures: a served portal (pserve) and Debian's Chromium.
    served, browser = request.getfixturevalue("portal_url"), request.getfixturevalue("chromium")
    revision = complete_over_http(served)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    watch_csp(page)
    page.goto(revision)
    sections = page.locator("details")
    assert sections.count() >= 5 and page.locator("details[open]").count() == 0
    expect_print = page.get_by_role("button", name="Print", exact=True)
    assert expect_print.is_visible()  # shipped hidden, shown by the script
    # A text from inside each collapsed section, which only an open section prints.
    hidden_texts = page.evaluate(
        """() => Array.from(document.querySelectorAll("details"), d =>
             d.querySelector(":scope > :not(summary) :is(li, p, dd), :scope > :is(p, ul, ol, dl)")
              .textContent.trim().replace(/\\s+/g, " ").slice(0, 50))"""
    )
    page.locator("details > summary").first.click()  # the client opened one section
    printed = page.pdf()  # Chromium's own print: it fires beforeprint and afterprint
    words = " ".join(unicodedata.normalize("NFKC", pdf_text(printed)).split())
    for hidden in hidden_texts:
        assert hidden in words
    for control in ("Download PDF", "Download Markdown", "Copy link", "Edit answers", "Print"):
        assert control not in words
    assert "Criteria" not in words.split("Live chat rebuild")[0]  # no navigation in the header
    # After printing, the sections are as the client left them.
    assert (
        page.locator("details[open]").count() == 1
        and page.locator("details").first.get_attribute("open") == ""
    )
    # The Print button prints: the browser's print opens every section.
    expect_print.click()
    page.wait_for_function("document.querySelectorAll('details:not([open])').length === 0")
    assert page.csp_violations == []
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "downloads-result-printed-by-chromium.pdf").write_bytes(printed)
