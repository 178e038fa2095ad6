"""Sign-in throttles: per address and per (account, address), counted in the database, with a test clock.

A failure is counted after its request's transaction (a finished callback), so the
next request of any app process sees it; a throttled attempt counts nothing.
"""

from __future__ import annotations

import pytest

from .accounts import PASSWORD, add_user
from .conftest import alembic_upgrade
from .test_throttle import Clock

WINDOW = 900
WRONG = "wrong-password-1"
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 8
HOME, STRANGER, ELSEWHERE = "192.0.2.10", "198.51.100.66", "203.0.113.5"
EMAIL = "ada@example.com"


def throttled(app, clock) -> None:
    for scope in ("sign-in-address", "sign-in-account"):
        app.app.registry.portal_throttles[scope].clock = clock


def portal(make_app, clock, **settings):
    settings.setdefault("portal__throttle__sign_in_account", f"{ACCOUNT_LIMIT}/{WINDOW}")
    settings.setdefault("portal__throttle__sign_in_address", f"{ADDRESS_LIMIT}/{WINDOW}")
    app = make_app(**settings)
    throttled(app, clock)
    return app


def attempt(app, address: str, email: str = EMAIL, password: str = WRONG, status: int = 400):
    """One sign-in through the form from ``address``; a fresh browser each time (no cookie)."""
    app.reset()
    environ = {"REMOTE_ADDR": address}
    page = app.get("/sign-in", extra_environ=environ)
    token = page.forms["sign-in"]["csrf_token"].value
    return app.post(
        "/sign-in",
        {"email": email, "password": password, "csrf_token": token},
        extra_environ=environ,
        status=status,
    )


@pytest.fixture
def clock():
    return Clock(WINDOW * 2_000_000 + 100.0)  # 100 s into a window


@pytest.fixture
def app(make_app, clock):
    app = portal(make_app, clock, migrate=True)
    add_user(app, EMAIL)
    return app


def test_after_the_limit_the_next_attempt_is_429_with_retry_after_and_a_clear_message(app, clock):
    for _ in range(ACCOUNT_LIMIT):
        attempt(app, HOME)
    refused = attempt(app, HOME, status=429)
    assert refused.headers["Retry-After"] == str(WINDOW - 100)
    assert "Too many failed sign-ins" in refused.text
    assert "try again in 14 minutes" in refused.text
    # The form keeps the email and names no password.
    assert refused.forms["sign-in"]["email"].value == EMAIL
    assert refused.forms["sign-in"]["password"].value == ""


def test_the_right_password_is_refused_from_that_address_during_the_lock_but_not_from_another(app):
    for _ in range(ACCOUNT_LIMIT):
        attempt(app, HOME)
    attempt(app, HOME, password=PASSWORD, status=429)
    signed_in = attempt(app, ELSEWHERE, password=PASSWORD, status=303)
    assert signed_in.headers["Location"].endswith("/account")


def test_a_strangers_failures_do_not_lock_the_real_user_out_from_their_own_address(app):
    for _ in range(ACCOUNT_LIMIT):
        attempt(app, STRANGER)
    attempt(app, STRANGER, password=PASSWORD, status=429)
    # The lock is on (this account, the stranger's address): the real user, from home, signs in.
    attempt(app, HOME, password=PASSWORD, status=303)
    # And the stranger's address, below its own limit, still serves other accounts.
    add_user(app, "bob@example.com")
    attempt(app, STRANGER, email="bob@example.com", password=PASSWORD, status=303)


def test_the_address_limit_counts_failures_for_any_account(app):
    for number in range(ADDRESS_LIMIT):
        attempt(app, STRANGER, email=f"guess{number}@example.com")
    refused = attempt(app, STRANGER, email="another-guess@example.com", status=429)
    assert "Retry-After" in refused.headers
    # Every account, right password or not, from that address; none from another.
    attempt(app, STRANGER, password=PASSWORD, status=429)
    attempt(app, HOME, password=PASSWORD, status=303)


def test_the_lock_ends_when_its_window_does(app, clock):
    for _ in range(ACCOUNT_LIMIT):
        attempt(app, HOME)
    retry_after = int(attempt(app, HOME, password=PASSWORD, status=429).headers["Retry-After"])
    clock.now += retry_after - 1
    attempt(app, HOME, password=PASSWORD, status=429)
    clock.now += 1
    attempt(app, HOME, password=PASSWORD, status=303)


def test_a_refused_attempt_counts_nothing_and_a_success_does_not_reset_the_count(app, clock):
    for _ in range(ACCOUNT_LIMIT - 1):
        attempt(app, HOME)
    attempt(app, HOME, password=PASSWORD, status=303)
    # The count of this window stands: one more failure locks.
    attempt(app, HOME)
    attempt(app, HOME, password=PASSWORD, status=429)


def test_the_lock_holds_across_two_app_processes(make_app, database_url, clock):
    """Requests alternate between two apps on one database (SQLite file or PostgreSQL)."""
    alembic_upgrade(database_url)
    first = portal(make_app, clock, sqlalchemy__url=database_url)
    second = portal(make_app, clock, sqlalchemy__url=database_url)
    assert first.app is not second.app
    add_user(first, EMAIL)
    for number in range(ACCOUNT_LIMIT):
        attempt((first, second)[number % 2], HOME)
    # Both processes refuse, whichever one counted the failures.
    attempt(first, HOME, password=PASSWORD, status=429)
    attempt(second, HOME, password=PASSWORD, status=429)
    attempt(second, ELSEWHERE, password=PASSWORD, status=303)
    clock.now += WINDOW
    attempt(first, HOME, password=PASSWORD, status=303)
