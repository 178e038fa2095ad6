"""The account pages in a real Chromium at both sizes: axe-core finds nothing, and clients' pages are plain.

Signing in, signing up, asking for a reset, the account page and its delete confirmation,
"Save to my account" and a new private link are client pages: the checks of
tests/test_browser_pages.py (axe, plain words, no sideways scrolling, the CSP). The admin
pages are for administrators, who read plugin names and versions there: axe, sideways
scrolling and the CSP only. Accounts are made with ``portal create-user``, as an
administrator would; everything else happens in the browser.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .test_browser import chromium, portal_url  # noqa: F401 (fixtures)
from .test_browser_pages import (
    SHOTS,
    SIZES,
    PagesBudget,
    api_of,
    check_loaded,
    check_page,
    client_checks,
    require_chromium_and_axe,
    shot_name,
)
from .test_browser_result import open_tab
from .test_client_pages import ClientPage

PORTAL = str(Path(sys.executable).parent / "portal")
PASSWORD = "tulip-ledger-57-orbit"
TEST_SECONDS = 240


@pytest.fixture
def budget() -> PagesBudget:
    return PagesBudget(TEST_SECONDS)


def create_user(ini: Path, email: str, role: str) -> None:
    env = {**os.environ, "PORTAL_PASSWORD": PASSWORD}
    made = subprocess.run(
        [PORTAL, "create-user", email, str(ini), "--role", role, "--name", role.title() + " Example"],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr


def sign_in(tab, base: str, email: str, budget) -> None:
    tab.goto(base + "/sign-in", wait_until="load", timeout=budget.ms())
    tab.get_by_label("Email address").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    with tab.expect_navigation(wait_until="load", timeout=budget.ms()):
        tab.get_by_role("button", name="Sign in", exact=True).click()


def click(tab, name: str, budget) -> None:
    with tab.expect_navigation(wait_until="load", timeout=budget.ms()):
        tab.get_by_role("button", name=name, exact=True).click()


def test_the_account_pages_are_accessible_and_plain_at_both_sizes(request, tmp_path, budget):
    axe_source = require_chromium_and_axe()
    browser = request.getfixturevalue("chromium")
    base = request.getfixturevalue("portal_url")
    ini = tmp_path / "development.ini"
    create_user(ini, "client@example.com", "client")
    create_user(ini, "admin@example.com", "admin")
    api = api_of(base, budget)
    checks, _, _ = client_checks(api, base, budget, axe_source)
    problems: list[str] = []
    for size, viewport in SIZES.items():
        # An anonymous assessment per size, for the client to save to their account.
        status, anonymous = api("POST", "/assessments/", {"title": f"Shop on the {size}"})
        assert status == 201, anonymous
        link = anonymous["url"].split("://", 1)[1].split("/", 1)[1]
        with open_tab(browser, viewport, budget) as tab:
            for page in (
                ClientPage("sign in", "/sign-in"),
                ClientPage("sign up", "/sign-up"),
                ClientPage("reset password", "/reset-password"),
                ClientPage("unknown link", "/assessments/no-such-assessment-0123456789abcdef/", 404),
            ):
                problems += check_page(tab, page, size, checks)
            # A refused sign-in: the error summary and the field's message.
            tab.goto(base + "/sign-in", wait_until="load")
            tab.get_by_label("Email address").fill("client@example.com")
            tab.get_by_label("Password").fill("not-the-password")
            click(tab, "Sign in", budget)
            problems += check_loaded(tab, ClientPage("sign in refused", "/sign-in", 400), size, checks)
            tab.screenshot(path=SHOTS / shot_name(ClientPage("sign in refused", ""), size), full_page=True)

            sign_in(tab, base, "client@example.com", budget)
            assert tab.url.endswith("/account"), tab.url
            claim = f"/{link}claim-page"
            for page in (
                ClientPage("your account", "/account"),
                ClientPage("delete your account", "/account/delete"),
                ClientPage("save to my account", claim),
            ):
                problems += check_page(tab, page, size, checks)
            click(tab, "Save to my account", budget)
            problems += check_page(tab, ClientPage("a new private link", f"/{link}new-link"), size, checks)
            # The saved assessment is listed on the account page.
            tab.goto(base + "/account", wait_until="load")
            assert tab.get_by_role("link", name=f"Shop on the {size}").count() == 1
            click(tab, "Sign out", budget)
            assert "You are signed out" in tab.content()

            sign_in(tab, base, "admin@example.com", budget)
            # Staff pages: axe, sideways scrolling and the CSP, not the clients' plain words.
            for page in (ClientPage("admin area", "/admin/"), ClientPage("admin users", "/admin/users")):
                problems += check_page(tab, page, size, checks, plain=False)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
