"""The guided questionnaire in a real browser, on a desktop (1280×800) and a phone (390×844).

A client completes it by keyboard alone, follow-ups appear in place and are announced,
progress never goes down, "Continue answering" and the Change links of "Check your
answers" land on the question. The fixtures are test_browser.py's (a real ``pserve``,
Debian's Chromium); screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import itertools
import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from . import test_browser
from .test_browser import ARTIFACTS, CHROMIUM, submit, watch_csp

# test_browser.py's fixtures, in this module for pytest to find: the clock, the browser, the portal.
budget = test_browser.budget
chromium = test_browser.chromium
portal_url = test_browser.portal_url

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
KEYS_PER_PAGE = 400  # Tab presses allowed on one page before the test gives up


@pytest.fixture(params=list(VIEWPORTS))
def size(request) -> str:
    return request.param


@pytest.fixture
def browser_page(request, size, budget):
    """A fresh browser context of that size on a fresh portal: (page, portal url)."""
    # Checked in the test itself, so a missing browser is a failure, not a set-up error.
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run ./scripts/test, which installs it")
    browser = request.getfixturevalue("chromium")
    url = request.getfixturevalue("portal_url")
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport=VIEWPORTS[size])
    try:
        page = context.new_page()
        watch_csp(page)
        page.set_default_timeout(budget.ms())
        yield page, url
        assert page.csp_violations == []
    finally:
        context.close()


def api(url: str, data: dict | None = None) -> dict:
    """The JSON API, as a program uses it (no cookie, so no CSRF token)."""
    body = None if data is None else json.dumps(data).encode()
    request = urllib.request.Request(
        url, body, {"Content-Type": "application/json", "Accept": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.loads(reply.read())


def new_assessment(portal: str, answers: dict) -> str:
    link = api(portal + "/assessments/", {"title": "Browser questionnaire"})["url"]
    if answers:
        api(link + "answers", {"answers": answers})
    return link


def required_answers(link: str) -> dict:
    questions = api(link + "questionnaire")["questions"]
    return {q["key"]: q["options"][0]["key"] for q in questions if q["required"]}


def counts(page) -> tuple[int, int, int]:
    """(page number, required done on the page, required done in all), as the page shows them now."""
    number = int(re.search(r"Page (\d+) of", page.locator("p.step").inner_text()).group(1))
    here = page.locator("[data-count=page]")
    on_page = int(here.inner_text()) if here.count() else 0
    return number, on_page, int(page.locator("[data-count=total]").inner_text())


def focused(page) -> dict:
    return page.evaluate(
        """() => {
          const e = document.activeElement;
          const question = e.closest && e.closest("fieldset.question");
          return {
            tag: e.tagName, type: e.type || "", text: (e.innerText || "").trim(),
            unanswered: Boolean(question) && !question.querySelector("input:checked:not([type=hidden])"),
          };
        }"""
    )


def tab_to_button(page, names: tuple[str, ...], budget) -> str:
    for _ in range(KEYS_PER_PAGE):
        budget.seconds()
        page.keyboard.press("Tab")
        now = focused(page)
        if now["tag"] == "BUTTON" and now["text"] in names:
            return now["text"]
    pytest.fail(f"no button {names} reached by Tab on {page.url}")


def test_a_client_completes_by_keyboard_alone_and_progress_never_goes_down(browser_page, size, budget):
    page, portal = browser_page
    page.goto(portal + "/", wait_until="load")
    tab_to_button(page, ("Start an assessment",), budget)
    with page.expect_navigation(wait_until="load", timeout=budget.ms()):
        page.keyboard.press("Enter")
    seen = [counts(page)]
    for _ in range(8):  # four pages; a page never needs to come back
        assert "/questionnaire?page=" in page.url, page.url
        for _ in range(KEYS_PER_PAGE):
            budget.seconds()
            page.keyboard.press("Tab")
            now = focused(page)
            if now["unanswered"] and now["type"] in ("radio", "checkbox"):
                page.keyboard.press("Space")
                seen.append(counts(page))
            elif now["tag"] == "BUTTON" and now["text"] in ("Save and continue", "Save and review"):
                break
        else:
            pytest.fail(f"the keyboard never reached the page's main button on {page.url}")
        assert page.locator("fieldset.question:visible:not(:has(input:checked))").count() == 0
        if seen[-1][0] == 2:
            page.screenshot(path=ARTIFACTS / f"questionnaire-keyboard-page-2-{size}.png", full_page=True)
        with page.expect_navigation(wait_until="load", timeout=budget.ms()):
            page.keyboard.press("Enter")
        if "/questionnaire?page=" not in page.url:
            break
        seen.append(counts(page))
    assert page.url.endswith("/review"), page.url
    # Never backwards: the total over the whole run, the page's count within each page.
    assert [s[0] for s in seen] == sorted(s[0] for s in seen) and seen[-1][0] == 4, seen
    for before, after in itertools.pairwise(seen):
        assert after[2] >= before[2], seen
        if after[0] == before[0]:
            assert after[1] >= before[1], seen
    assert seen[-1][2] > seen[0][2]
    page.screenshot(path=ARTIFACTS / f"questionnaire-review-{size}.png", full_page=True)
    tab_to_button(page, ("See the recommendation",), budget)
    with page.expect_navigation(wait_until="load", timeout=budget.ms()):
        page.keyboard.press("Enter")
    assert re.search(r"/revisions/1$", page.url), page.url
    expect(page.locator("h1")).to_contain_text("Recommendation")


def test_follow_ups_appear_in_place_and_are_announced(browser_page, size, budget):
    page, portal = browser_page
    link = new_assessment(portal, {})
    page.goto(link + "questionnaire?page=1", wait_until="load")
    page.evaluate("window.samePage = true")
    teams = page.locator("#q-project_scale-teams")
    announcer = page.locator("[data-announce]")
    expect(teams).to_be_hidden()
    expect(announcer).to_have_attribute("aria-live", "polite")
    # A whole-row choice: a tap at the row's right end, away from the label's text, chooses.
    row = page.locator("#q-project_scale-size .choice").filter(has=page.locator("input[value=large]"))
    row.scroll_into_view_if_needed()
    box = row.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 4, box["y"] + box["height"] / 2)
    expect(page.locator("#q-project_scale-size-large")).to_be_checked()
    expect(teams).to_be_visible()
    expect(announcer).to_have_text("1 follow-up question was added below.")
    page.locator("label[for=q-scope_growth-likelihood-open]").click()
    expect(page.locator("#q-scope_growth-restructure")).to_be_visible()
    expect(announcer).to_have_text("2 follow-up questions were added below.")
    page.screenshot(path=ARTIFACTS / f"questionnaire-follow-ups-{size}.png", full_page=True)
    assert page.evaluate("window.samePage") is True  # no reload
    # An answer to a follow-up, then its trigger changed back: it goes, and its answer is not sent.
    teams.locator(".choice label").last.click()
    page.locator("#q-project_scale-size .choice label").first.click()
    expect(teams).to_be_hidden()
    expect(announcer).to_have_text("1 follow-up question no longer applies and was removed.")
    # Radios keep their size and long titles stay inside their border, on both sizes.
    for radio in page.locator("fieldset.question:visible input[type=radio]").all():
        assert 19 <= radio.bounding_box()["width"] <= 21
    for field in page.locator("fieldset.question:visible").all():
        outer, legend = field.bounding_box(), field.locator("legend").bounding_box()
        assert legend["y"] >= outer["y"] and legend["x"] + legend["width"] <= outer["x"] + outer["width"]
    submit(page, "Save and continue", budget)
    assert page.url.endswith("questionnaire?page=2"), page.url  # the follow-ups were seen already
    answers = api(link)["answers"]
    assert "project_scale.teams" not in answers and answers["scope_growth.likelihood"] == "open"


def test_without_javascript_the_reload_announces_and_focuses_the_follow_ups(request, budget):
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run ./scripts/test, which installs it")
    browser = request.getfixturevalue("chromium")
    portal = request.getfixturevalue("portal_url")
    context = browser.new_context(viewport=VIEWPORTS["phone"], java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(budget.ms())
        link = new_assessment(portal, {})
        page.goto(link + "questionnaire?page=1", wait_until="load")
        expect(page.locator("#q-project_scale-teams")).to_be_hidden()
        page.locator("#q-project_scale-size label", has_text="large").first.click()
        expect(page.locator("#q-project_scale-teams")).to_be_hidden()  # no script: nothing moves yet
        submit(page, "Save and continue", budget)
        assert page.url.endswith("questionnaire?page=1&added=1#added"), page.url
        notice = page.locator("#added")
        expect(notice).to_have_text("1 follow-up question was added below.")
        expect(notice).to_be_focused()
        expect(notice).to_be_in_viewport()
        expect(page.locator("#q-project_scale-teams")).to_be_visible()
        page.screenshot(path=ARTIFACTS / "questionnaire-no-script-follow-up-phone.png", full_page=False)
        # The next Tab goes into the follow-up that appeared.
        page.keyboard.press("Tab")
        expect(page.locator("#q-project_scale-teams input[type=radio]").first).to_be_focused()
    finally:
        context.close()


def test_continue_answering_lands_on_the_first_open_required_question(browser_page, size, budget):
    page, portal = browser_page
    page_one = {
        "project_scale.size": "small",
        "scope_growth.likelihood": "settled",
        "rapid_start.start": "complete",
    }
    link = new_assessment(portal, {**page_one, "admin_ui.need": "no"})
    page.goto(link, wait_until="load")
    page.get_by_role("link", name="Continue answering").click()
    page.wait_for_url("**/questionnaire?page=2#q-auth_permissions-login", timeout=budget.ms())
    question = page.locator("#q-auth_permissions-login")
    expect(question).to_be_in_viewport()
    expect(question.locator("input[type=radio]").first).to_be_focused()
    page.screenshot(path=ARTIFACTS / f"questionnaire-resumed-{size}.png")


def test_change_links_return_to_the_question(browser_page, size, budget):
    page, portal = browser_page
    link = new_assessment(portal, {})
    api(link + "answers", {"answers": {**required_answers(link), "realtime.live": "core"}})
    page.goto(link + "review", wait_until="load")
    expect(page.locator("h1")).to_have_text("Check your answers")
    expect(page.locator(".open-questions")).to_have_count(0)
    live = page.get_by_role("link", name=re.compile("^Change your answer to: Does the product need to show"))
    live.click()
    page.wait_for_url("**/questionnaire?page=3#q-realtime-live", timeout=budget.ms())
    question = page.locator("#q-realtime-live")
    expect(question).to_be_in_viewport()
    expect(question.locator("input[value=core]")).to_be_focused()
    page.screenshot(path=ARTIFACTS / f"questionnaire-change-link-{size}.png")
    # Back on the review, the link is shown once, with a Copy button that works.
    page.goto(link + "review", wait_until="load")
    expect(page.get_by_role("button", name="See the recommendation")).to_be_visible()
    expect(page.locator("section.link input.copy")).to_have_value(link)
    expect(page.locator("section.link a")).to_have_count(0)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#link-copied")).to_have_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == link
