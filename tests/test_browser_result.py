"""The result in a real browser: the summary card first, real downloads, and an edit that
becomes revision 2 at the same link, compared with revision 1.

The assessment is made through the JSON API of the served portal (loopback only); the
client then works in Debian's Chromium as in tests/test_browser.py.
"""

from __future__ import annotations

import io
import json
import re
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from .test_browser import ARTIFACTS, CHROMIUM, budget, chromium, portal_url, submit, watch_csp  # noqa: F401 (fixtures)

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
FRAMEWORKS = ("Django", "FastAPI", "Flask", "Pyramid", "Tornado")


def call(url: str, body: dict | None = None) -> dict:
    """One JSON API request (POST when there is a body)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Accept": "application/json"})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.loads(reply.read())


def served_browser(request):
    """(budget, browser, portal URL); a missing Chromium fails the test instead of erroring its set-up."""
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run ./scripts/test, which installs it")
    return tuple(request.getfixturevalue(name) for name in ("budget", "chromium", "portal_url"))


@contextmanager
def open_tab(browser, viewport: dict, clock, **options) -> Iterator:
    """A tab in a browser context of its own at ``viewport`` (``options`` go to the context),
    its CSP violations watched and its timeout the budget ``clock``'s; the context is closed after."""
    context = browser.new_context(viewport=viewport, **options)
    try:
        tab = context.new_page()
        watch_csp(tab)
        tab.set_default_timeout(clock.ms())
        yield tab
    finally:
        context.close()


def completed_dashboard(base: str) -> tuple[str, dict]:
    """A live trading dashboard with thousands of connections: completed, revision 1."""
    link = call(base + "/assessments/", {"title": "Trading dashboard"})["url"]
    questions = call(link + "questionnaire")["questions"]
    answers = {q["key"]: q["options"][0]["key"] for q in questions if q["required"] and q["options"]}
    answers.update({"realtime.live": "core", "realtime.connections": "thousands"})
    call(link + "answers", {"answers": answers})
    return link, call(link + "complete", {})


def test_the_summary_card_and_the_downloads(request):
    clock, browser, url = served_browser(request)
    ARTIFACTS.mkdir(exist_ok=True)
    link, result = completed_dashboard(url)
    first = result["ranking"][0]["title"]
    for size, viewport in SIZES.items():
        with open_tab(browser, viewport, clock, accept_downloads=True) as page:
            page.goto(link + "revisions/1", wait_until="load")
            page.screenshot(path=ARTIFACTS / f"result-first-viewport-{size}.png")
            summary = page.locator("section.summary")
            # The answer, the runner-up and the confidence are on the first screen.
            for part in ("strong.winner", ".runner-up", ".confidence"):
                box = summary.locator(part).bounding_box()
                assert box is not None and box["y"] + box["height"] <= viewport["height"], (size, part)
            expect(summary.locator("strong.winner")).to_have_text(first)
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], size
            if size != "desktop":
                continue
            with page.expect_download(timeout=clock.ms(30_000)) as pdf_download:
                summary.get_by_role("link", name="Download PDF", exact=True).click()
            pdf = pdf_download.value
            assert pdf.suggested_filename == "trading-dashboard-revision-1.pdf"
            body = Path(pdf.path()).read_bytes()
            assert body.startswith(b"%PDF")
            text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
            assert all(name in text for name in FRAMEWORKS), text[:500]
            with page.expect_download(timeout=clock.ms()) as md_download:
                summary.get_by_role("link", name="Download Markdown", exact=True).click()
            markdown = md_download.value
            assert markdown.suggested_filename == "trading-dashboard-revision-1.md"
            report = Path(markdown.path()).read_text(encoding="utf-8")
            assert report.startswith("# Framework recommendation: Trading dashboard") and first in report
            assert page.csp_violations == []


def test_edit_answers_becomes_revision_2_at_the_same_link_and_compares(request):
    clock, browser, url = served_browser(request)
    link, result = completed_dashboard(url)
    assert result["ranking"][0]["framework"] == "tornado"
    pages = {q["key"]: q["page"] for q in call(link + "questionnaire")["questions"]}
    with open_tab(browser, SIZES["desktop"], clock) as page:
        page.goto(link + "revisions/1", wait_until="load")
        page.get_by_role("link", name="Edit answers", exact=True).click()
        page.wait_for_url(link + "edit", timeout=clock.ms())
        submit(page, "Edit answers", clock)
        assert page.url == link + "review", page.url  # every answer, each with its Change link

        # Live updates are no longer needed at all, and staff screens must exist from day one.
        page.goto(f"{link}questionnaire?page={pages['realtime.live']}", wait_until="load")
        page.locator("#q-realtime-live label", has_text="ordinary pages").click()
        submit(page, "Save and finish later", clock)
        page.goto(f"{link}questionnaire?page={pages['admin_ui.need']}", wait_until="load")
        page.locator("#q-admin_ui-need label", has_text="contractual deliverable").click()
        submit(page, "Save and finish later", clock)
        assert page.url.startswith(link), page.url
        expect(page.get_by_role("heading", name="Changes in progress")).to_be_visible()
        submit(page, "See the updated recommendation", clock)
        assert page.url == link + "revisions/2", page.url
        page.screenshot(path=ARTIFACTS / "result-revision-2.png", full_page=True)
        expect(page.locator("strong.winner")).not_to_have_text("Tornado")

        page.goto(link, wait_until="load")
        page.get_by_role("link", name="Compare with revision 1", exact=True).click()
        page.wait_for_url(link + "revisions/2/compare?with=1", timeout=clock.ms())
        page.screenshot(path=ARTIFACTS / "compare-revisions.png", full_page=True)
        changed = page.locator("section[aria-labelledby=answers-title] tbody tr")
        expect(changed.filter(has_text="moment they happen")).to_contain_text("ordinary pages")
        expect(page.locator("#outcome-title + p")).to_contain_text("First place moves from Tornado to")
        assert page.csp_violations == []


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG relative luminance of an sRGB colour."""
    channels = [c / 255 for c in rgb]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def rgb(css: str) -> tuple[int, int, int]:
    return tuple(int(part) for part in re.findall(r"\d+", css)[:3])


def test_the_focus_ring_stands_out_on_white_and_on_the_dark_header(request):
    """WCAG 1.4.11: a focus indicator needs 3:1 against what is around it."""
    clock, browser, url = served_browser(request)
    link, _ = completed_dashboard(url)
    context = browser.new_context(viewport=SIZES["desktop"])
    try:
        page = context.new_page()
        page.set_default_timeout(clock.ms())
        page.goto(link + "revisions/1", wait_until="load")
        for selector, around in (("header.site a.brand", "header.site"), ("main a", "main")):
            page.locator(selector).first.focus()
            page.keyboard.press("Shift+Tab")  # focus by keyboard, so :focus-visible applies
            page.keyboard.press("Tab")
            ring = page.evaluate(
                """() => { const s = getComputedStyle(document.activeElement);
                           return [s.outlineStyle, s.outlineColor, s.boxShadow]; }"""
            )
            background = rgb(page.locator(around).first.evaluate("e => getComputedStyle(e).backgroundColor"))
            assert ring[0] == "solid", (selector, ring)
            best = max(contrast(rgb(ring[1]), background), contrast(rgb(ring[2]), background))
            assert best >= 3, (selector, ring, background, best)
    finally:
        context.close()
