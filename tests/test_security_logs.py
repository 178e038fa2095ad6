"""Sign-in successes and failures, and permission denials, are logged (without passwords or links)."""

from __future__ import annotations

import logging

import pytest

from .accounts import PASSWORD, sign_in
from .protections import ROLES, build_world


@pytest.fixture
def world(make_app):
    return build_world(make_app)


def messages(caplog, logger: str) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == logger]


def test_a_sign_in_and_a_failed_one_are_logged_with_the_user_and_address(world, caplog):
    caplog.set_level(logging.INFO, logger="portal.signin")
    browser = world.browser()
    browser.extra_environ = {"REMOTE_ADDR": "192.0.2.44"}
    email = ROLES["client_a"][0]
    sign_in(browser, email, "not-the-password-9", status=400)
    sign_in(browser, "nobody@example.com", "not-the-password-9", status=400)
    sign_in(browser, email)
    user = world.users["client_a"]
    logged = messages(caplog, "portal.signin")
    assert f"sign-in failed for user {user} from 192.0.2.44" in logged
    assert "sign-in failed for an unknown email from 192.0.2.44" in logged
    assert f"sign-in of user {user} from 192.0.2.44" in logged
    text = "\n".join(logged)
    assert "not-the-password-9" not in text and PASSWORD not in text
    failures = [r for r in caplog.records if r.name == "portal.signin" and "failed" in r.getMessage()]
    assert {r.levelno for r in failures} == {logging.WARNING}


def test_a_permission_denial_is_logged_with_who_and_a_masked_link(world, caplog):
    caplog.set_level(logging.INFO, logger="portal.security")
    client_b = world.browser("client_b")
    client_b.get(f"/assessments/{world.owned}/", status=404)
    world.browser().get(f"/assessments/{world.owned}/revisions/1", status=404)
    logged = messages(caplog, "portal.security")
    shown = f"/assessments/{world.owned[:6]}…"
    assert f"permission view denied on {shown}/ to user {world.users['client_b']}" in logged
    assert f"permission view denied on {shown}/revisions/1 to anonymous" in logged
    # The private link itself is never written to a log.
    assert world.owned not in "\n".join(r.getMessage() for r in caplog.records)


def test_an_allowed_request_logs_no_denial(world, caplog):
    caplog.set_level(logging.INFO, logger="portal.security")
    world.browser("client_a").get(f"/assessments/{world.owned}/", status=200)
    assert not [m for m in messages(caplog, "portal.security") if "denied" in m]
