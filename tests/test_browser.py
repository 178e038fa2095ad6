"""A client in a real browser: starts, leaves, comes back with the private link, gets a result.

Debian's Chromium (``/usr/bin/chromium``, installed by ./scripts/test) is driven
by Playwright; nothing is downloaded. The portal is a real ``pserve`` process on
a free port with a copy of development.ini, the bundled plugins and a fresh
SQLite file built with ``alembic upgrade head``. Screenshots go to
test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from .test_servers import copy_ini, free_port

BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"
TEST_SECONDS = 60
STEP_MS = 10_000


class Budget:
    """One clock for the whole test: every wait gets at most what is left of it."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def seconds(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            pytest.fail(f"the browser test ran over its {TEST_SECONDS} s budget")
        return left

    def ms(self, step: int = STEP_MS) -> float:
        return min(step, self.seconds() * 1000)


@pytest.fixture
def budget() -> Budget:
    return Budget(TEST_SECONDS)


@pytest.fixture
def chromium(budget):
    """A headless Debian Chromium; closed whatever happens."""
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=budget.ms(20_000)
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def portal_url(tmp_path, budget):
    """``pserve`` with a copy of development.ini on a free port and a new SQLite file."""
    port = free_port()
    ini = copy_ini("development.ini", tmp_path, port)
    text, replaced = re.subn(
        r"(?m)^sqlalchemy\.url = .*$",
        f"sqlalchemy.url = sqlite:///{tmp_path / 'e2e.sqlite'}",
        ini.read_text(),
    )
    assert replaced == 1 and f"listen = 127.0.0.1:{port}" in text, "development.ini changed shape"
    ini.write_text(text)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_") and k != "DATABASE_URL"}
    migrate = subprocess.run(
        [str(BIN / "alembic"), "-c", str(ini), "upgrade", "head"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=budget.seconds(),
    )
    assert migrate.returncode == 0, migrate.stderr
    log_path = tmp_path / "pserve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [str(BIN / "pserve"), str(ini)], env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                with urllib.request.urlopen(url + "/", timeout=2) as reply:
                    assert reply.status == 200
                break
            except OSError:
                if server.poll() is not None or budget.end - time.monotonic() < 30:
                    pytest.fail(f"pserve did not answer:\n{log_path.read_text()}")
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def watch_csp(page) -> None:
    """Fail the test at the end of the step if the page broke its Content-Security-Policy."""
    page.csp_violations = []
    page.on(
        "console",
        lambda message: (
            page.csp_violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )


def submit(page, button_name: str, budget: Budget) -> None:
    """Click a submit button and wait until the page it leads to (after redirects) has loaded."""
    page.set_default_timeout(budget.ms())
    with page.expect_navigation(wait_until="load", timeout=budget.ms()):
        page.get_by_role("button", name=button_name, exact=True).click()
    errors = page.locator(".error-summary")
    assert errors.count() == 0, f"{page.url} shows an error: {errors.first.inner_text()}"
    assert getattr(page, "csp_violations", []) == [], page.csp_violations


def answer_required(page) -> list[str]:
    """Answer every required question left open: the must-have real-time answer, else the first option."""
    answered = []
    # Every question is in the page from the start (follow-ups hidden), so these stay in place.
    for question in page.locator("fieldset.question").all():
        if not question.is_visible() or "(required)" not in question.locator("legend").inner_text():
            continue
        if question.locator("input:checked").count():
            continue
        if question.get_attribute("id") == "q-realtime-live":
            question.locator("label", has_text="heart of the product").click()
        else:
            question.locator(".choice label").first.click()
        assert question.locator("input:checked").count() == 1
        answered.append(question.get_attribute("id"))
    return answered


def test_a_client_starts_leaves_resumes_and_gets_a_result(request, budget):
    # Checked in the test itself, so a missing browser is a failure, not a set-up error.
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run ./scripts/test, which installs it")
    chromium = request.getfixturevalue("chromium")
    portal_url = request.getfixturevalue("portal_url")
    ARTIFACTS.mkdir(exist_ok=True)

    # --- First visit: start, answer page 1 (one answer by keyboard only), leave.
    first_visit = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = first_visit.new_page()
        watch_csp(page)
        page.set_default_timeout(budget.ms())
        page.goto(portal_url + "/", wait_until="load")
        page.locator("#title").fill("Live chat rebuild")
        submit(page, "Start an assessment", budget)
        assert re.search(r"/assessments/[^/]+/questionnaire\?page=1$", page.url), page.url
        page.screenshot(path=ARTIFACTS / "browser-1-first-page.png", full_page=True)

        questions = page.locator("fieldset.question")
        assert questions.count() >= 2, "page 1 should ask several questions"
        keyboard_question = questions.first
        # Keyboard only: start focus navigation at the question's legend, Tab into the
        # radio group, Space to choose.
        keyboard_question.locator("legend").click()
        page.keyboard.press("Tab")
        focused = keyboard_question.locator("input:focus")
        expect(focused).to_have_count(1)
        page.keyboard.press("Space")
        expect(focused).to_be_checked()
        keyboard_choice = focused.get_attribute("id")
        by_mouse = answer_required(page)
        assert by_mouse, "the other questions of page 1 are answered by clicking their labels"
        submit(page, "Save and finish later", budget)

        assert page.url.endswith("/?saved=1"), page.url
        expect(page.get_by_text("Your answers are saved")).to_be_visible()
        private_link = page.get_by_label("Private link to this assessment").input_value()
        assert page.url == private_link + "?saved=1"
    finally:
        first_visit.close()

    # --- Later, no cookies: the private link alone brings the client back.
    later = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = later.new_page()
        watch_csp(page)
        page.set_default_timeout(budget.ms())
        page.goto(private_link, wait_until="load")
        expect(page.locator("main > p.meta").first).to_contain_text(f"· {1 + len(by_mouse)} of")
        page.get_by_role("link", name="Continue answering").click()
        # Page 1's required questions are answered: it resumes at the first open one, on page 2.
        page.wait_for_url("**/questionnaire?page=2#q-*", timeout=budget.ms())
        page.get_by_role("link", name="1. Your project").click()
        page.wait_for_url("**/questionnaire?page=1", timeout=budget.ms())
        expect(page.locator(f"#{keyboard_choice}")).to_be_checked()
        for question_id in by_mouse:
            expect(page.locator(f"#{question_id} input:checked")).to_have_count(1)
        page.screenshot(path=ARTIFACTS / "browser-2-resumed-page.png", full_page=True)

        realtime_answered = False
        for _ in range(12):  # 4 pages, plus a stay on a page whose follow-up appeared
            if "/questionnaire?page=" not in page.url:
                break
            realtime_answered |= "q-realtime-live" in answer_required(page)
            last_page = page.get_by_role("button", name="Save and review", exact=True).count() == 1
            submit(page, "Save and review" if last_page else "Save and continue", budget)
        else:
            pytest.fail(f"the questionnaire never ended: still at {page.url}")
        assert realtime_answered, "the real-time question was never asked"
        assert page.url == private_link + "review"
        expect(page.locator("h1")).to_have_text("Check your answers")
        expect(page.locator(".open-questions")).to_have_count(0)  # nothing required is still open

        submit(page, "See the recommendation", budget)
        assert page.url == private_link + "revisions/1", page.url
        page.screenshot(path=ARTIFACTS / "browser-3-result.png", full_page=True)

        expect(page.locator("h1")).to_contain_text("Recommendation")
        # The summary card leads, in the first viewport: the answer and the actions.
        summary = page.locator("section.summary")
        expect(summary).to_be_visible()
        assert summary.bounding_box()["y"] < 900
        winner = summary.locator("strong.winner")
        expect(winner).to_be_visible()
        for action in ("Download PDF", "Download Markdown", "Edit answers"):
            expect(summary.get_by_role("link", name=action, exact=True)).to_be_visible()
        for action in ("Print", "Copy link"):  # shown by the script
            expect(summary.get_by_role("button", name=action, exact=True)).to_be_visible()
        expect(page.locator("#why-title")).to_have_text(f"Why {winner.inner_text()}")

        ranking = page.locator("section[aria-labelledby=ranking-title]")
        bars = ranking.locator("ol.bars > li")
        expect(bars).to_have_count(5)
        expect(bars.first.locator(".bar-label")).to_have_text(winner.inner_text())
        assert bars.first.locator("svg.bar rect").bounding_box()["width"] > 0
        # Labels are text of the page: they keep a readable size.
        size = bars.first.locator(".bar-label").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 14, size

        page.locator("summary", has_text="Your answers").click()
        answers = page.locator("details", has=page.locator("#answers-title"))
        expect(answers).to_contain_text("heart of the product")
    finally:
        later.close()
