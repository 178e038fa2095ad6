"""Every client page in a real Chromium, on a desktop (1280×800) and on a phone (390×844).

On each page: axe-core finds no accessibility violation; the visible text (without
the consultants' details) shows no question key, distribution name, version or ISO
timestamp (the check of tests/test_client_pages.py, on what the browser renders);
the page never scrolls sideways; the Content-Security-Policy holds. A full-page
screenshot of each goes to test-artifacts/pages/ (git-ignored), so a reviewer can
look without running anything.

axe-core is the npm package's ``axe.min.js`` (``scripts/axe-core`` fetches it into
.venv/share/axe-core/). The CSP blocks injected script tags, so its source is
evaluated through the DevTools protocol with ``page.evaluate``, never with
``bypass_csp``. The portal and its data are made through the JSON API on loopback.
"""

from __future__ import annotations

import json
import re
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from .test_browser import ARTIFACTS, CHROMIUM, Budget, chromium, portal_url, watch_csp  # noqa: F401 (fixtures)
from .test_client_pages import ClientPage, Vocabulary, client_pages, make_assessments, unplain, vocabulary

AXE = Path(sys.prefix) / "share" / "axe-core" / "axe.min.js"
SHOTS = ARTIFACTS / "pages"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# About 40 pages at two sizes, each loaded, checked by axe and photographed.
TEST_SECONDS = 180
JSON_TYPE = "application/json"

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(" ")),
  }));
}"""
# The text a person sees, without the consultants' details (removed last: the screenshot shows them).
VISIBLE_TEXT = """() => {
  document.querySelectorAll("details.consultants").forEach(d => d.remove());
  return document.body.innerText;
}"""
SIDEWAYS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
COMPARE_CELL_DISPLAY = "() => getComputedStyle(document.querySelector('table.compare td')).display"


class PagesBudget(Budget):
    """The browser test's Budget, with this test's own total."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.total = seconds

    def seconds(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            pytest.fail(f"the page checks ran over their {self.total} s budget")
        return left


@pytest.fixture
def budget() -> PagesBudget:
    return PagesBudget(TEST_SECONDS)


def api_of(base: str, budget: Budget):
    """The JSON API as a program calls it: cookie-less JSON over loopback (docs/api.md)."""

    def api(method: str, path: str, body: dict | None) -> tuple[int, dict]:
        url = base + re.sub(r"^https?://[^/]+", "", path)
        assert url.startswith("http://127.0.0.1:"), url
        headers = {"Accept": JSON_TYPE}
        data = None
        if body is not None:
            headers["Content-Type"] = JSON_TYPE
            data = json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=budget.seconds()) as reply:
                status, raw = reply.status, reply.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        return status, json.loads(raw) if raw else {}

    return api


def shot_name(page: ClientPage, size: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", page.name.lower()).strip("-") + f"-{size}.png"


@dataclass
class Checks:
    base: str
    axe_source: str
    words: Vocabulary
    keys: re.Pattern
    budget: Budget


def require_chromium_and_axe() -> str:
    """axe-core's source, once Chromium and axe-core are known to be installed.

    Called in the test itself, so a missing browser or axe-core is a failure, not a set-up error.
    """
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run ./scripts/test, which installs it")
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run scripts/axe-core (./scripts/test runs it)")
    return AXE.read_text()


def client_checks(api, base: str, budget: Budget, axe_source: str) -> tuple[Checks, Callable, dict]:
    """The assessments the client pages show, made through ``api``, and the Checks that know their words.

    Returns (checks, get, made): ``get`` reads a path through the API and requires a 200.
    """
    SHOTS.mkdir(parents=True, exist_ok=True)
    made = make_assessments(api)

    def get(path: str):
        status, data = api("GET", path, None)
        assert status == 200, (path, status, data)
        return data

    words = vocabulary(get, made["questionnaire"])
    return Checks(base, axe_source, words, words.pattern(), budget), get, made


def axe_problems(tab, axe_source: str, where: str) -> list[str]:
    """axe-core's violations on the page the tab shows, and sideways scrolling, each naming ``where``."""
    tab.evaluate(axe_source + "\n;typeof axe")
    problems = []
    for violation in tab.evaluate(RUN_AXE):
        nodes = "; ".join(violation["nodes"][:8]) + (" …" if len(violation["nodes"]) > 8 else "")
        rule = f"{violation['id']} ({violation['impact']}: {violation['help']})"
        problems.append(f"{where}: axe {rule} at {nodes}")
    width, viewport = tab.evaluate(SIDEWAYS)
    if width > viewport:
        problems.append(f"{where}: the page scrolls sideways ({width} px wide in a {viewport} px window)")
    return problems


def check_page(tab, page: ClientPage, size: str, checks: Checks, plain: bool = True) -> list[str]:
    """Everything wrong with one page at one size, each problem naming the page and the size.

    ``plain=False`` leaves out the plain-words check (for staff pages, whose readers see
    plugin names and versions).
    """
    where = f"{page.name} ({page.path}) at {size}"
    budget = checks.budget
    tab.set_default_timeout(budget.ms())
    tab.csp_violations.clear()
    response = tab.goto(checks.base + page.path, wait_until="load", timeout=budget.ms())
    if response is None or response.status != page.status:
        return [f"{where}: status {response and response.status}, not {page.status}"]
    return check_loaded(tab, page, size, checks, plain)


def check_loaded(tab, page: ClientPage, size: str, checks: Checks, plain: bool = True) -> list[str]:
    """``check_page`` on the page the tab shows now (one reached by sending a form, say)."""
    where = f"{page.name} ({page.path}) at {size}"
    budget = checks.budget
    tab.screenshot(path=SHOTS / shot_name(page, size), full_page=True, timeout=budget.ms())
    problems = axe_problems(tab, checks.axe_source, where)
    if page.name == "compare frameworks":
        # A table on a desktop; on a phone each criterion is a card of its own.
        display = tab.evaluate(COMPARE_CELL_DISPLAY)
        if (display == "table-cell") != (size == "desktop"):
            problems.append(f"{where}: the comparison's cells display as {display}")
    if plain:
        text = tab.evaluate(VISIBLE_TEXT)
        problems += [
            f"{where}: {p}" for p in unplain(text, checks.words, checks.keys, page.model_numbers_allowed)
        ]
    problems += [f"{where}: {message}" for message in tab.csp_violations]
    return problems


def test_every_client_page_is_accessible_and_plain_at_both_sizes(request, budget):
    axe_source = require_chromium_and_axe()
    browser = request.getfixturevalue("chromium")
    base = request.getfixturevalue("portal_url")
    checks, get, made = client_checks(api_of(base, budget), base, budget, axe_source)
    pages = client_pages(get, made)
    problems: list[str] = []
    for size, viewport in SIZES.items():
        context = browser.new_context(viewport=viewport)
        try:
            tab = context.new_page()
            watch_csp(tab)
            for page in pages:
                problems += check_page(tab, page, size, checks)
        finally:
            context.close()

    # The check itself sees a violation: an image without a text alternative is one.
    context = browser.new_context(viewport=SIZES["desktop"])
    try:
        tab = context.new_page()
        tab.goto(base + "/", wait_until="load", timeout=budget.ms())
        tab.evaluate("() => document.querySelector('main').appendChild(document.createElement('img'))")
        found = axe_problems(tab, axe_source, "an image without alt")
        assert any(p.startswith("an image without alt: axe image-alt (") for p in found), found
    finally:
        context.close()

    # Kept beside the screenshots, so a reviewer sees the findings with the pages.
    (SHOTS / "problems.txt").write_text("\n".join(problems) + "\n" if problems else "none\n")
    assert len(list(SHOTS.glob("*-desktop.png"))) >= len(pages)
    assert not problems, f"{len(problems)} problems on {len(pages)} pages:\n" + "\n".join(problems)
