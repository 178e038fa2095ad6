"""Signing in and out: a new session at sign-in, replay refused, lifetimes, rehashing, safe ``next``."""

from __future__ import annotations

from datetime import timedelta

import webtest
from sqlalchemy import update

from portal.models import AuthSession, User
from portal.models.assessment import utcnow
from portal.passwords import hash_password, needs_rehash, verify_password
from portal.testing import app_settings

from .accounts import PASSWORD, add_user, execute, sign_in, sign_out, user_row

COOKIE = "portal_session"
NO_MATCH = "That email and password do not match an account."


def signed_in(app) -> bool:
    answer = app.get("/account", expect_errors=True)
    assert answer.status_int in (200, 303), answer.status
    return answer.status_int == 200


def test_the_right_password_signs_in_and_a_wrong_one_or_an_unknown_email_does_not(make_app):
    app = make_app(migrate=True)
    add_user(app, "ann@example.com")
    assert not signed_in(app)
    for email, password in (("ann@example.com", "not-her-password"), ("bob@example.com", PASSWORD)):
        refused = sign_in(app, email, password, status=400)
        assert NO_MATCH in refused.text and refused.forms["sign-in"]["email"].value == email
        assert password not in refused.text and not signed_in(app)
    done = sign_in(app, " ANN@example.com ")
    assert done.location == "http://localhost/account"
    assert signed_in(app) and "ann@example.com" in app.get("/account").text


def test_the_session_cookie_and_the_csrf_token_change_at_sign_in(make_app):
    app = make_app(migrate=True)
    add_user(app, "ann@example.com")
    page = app.get("/sign-in")
    cookie_before, csrf_before = app.cookies[COOKIE], page.forms["sign-in"]["csrf_token"].value
    sign_in(app, "ann@example.com")
    account = app.get("/account")
    assert app.cookies[COOKIE] != cookie_before
    assert account.forms["sign-out"]["csrf_token"].value != csrf_before
    # A token planted before sign-in is refused after it.
    app.post("/sign-out", {"csrf_token": csrf_before}, status=400)
    assert signed_in(app)


def test_a_signed_out_cookie_replayed_is_refused(make_app):
    app = make_app(migrate=True)
    add_user(app, "ann@example.com")
    sign_in(app, "ann@example.com")
    old_cookie = app.cookies[COOKIE]
    sign_out(app)
    assert not signed_in(app)
    replay = webtest.TestApp(app.app)
    replay.set_cookie(COOKIE, old_cookie)
    assert replay.get("/account", status=303).location.startswith("http://localhost/sign-in")
    assert replay.get("/account", headers={"Accept": "application/json"}, status=401)


def test_a_session_ends_after_its_idle_time(make_app):
    app = make_app(migrate=True, portal__session__idle_seconds="60")
    add_user(app, "ann@example.com")
    sign_in(app, "ann@example.com")
    execute(app, update(AuthSession).values(last_seen=utcnow() - timedelta(seconds=50)))
    assert signed_in(app)  # 50 seconds idle: still on (and seen again now)
    execute(app, update(AuthSession).values(last_seen=utcnow() - timedelta(seconds=61)))
    assert not signed_in(app)


def test_a_session_ends_after_its_absolute_lifetime_however_busy(make_app):
    app = make_app(migrate=True, portal__session__absolute_seconds="120")
    add_user(app, "ann@example.com")
    sign_in(app, "ann@example.com")
    execute(app, update(AuthSession).values(created=utcnow() - timedelta(seconds=110)))
    assert signed_in(app)
    execute(app, update(AuthSession).values(created=utcnow() - timedelta(seconds=121), last_seen=utcnow()))
    assert not signed_in(app)


def test_a_hash_made_with_other_argon2_parameters_is_replaced_at_sign_in(make_app):
    app = make_app(migrate=True)
    add_user(app, "ann@example.com")
    older = app_settings("", portal__argon2__time_cost="2", portal__argon2__memory_cost="128")
    execute(app, update(User).values(password_hash=hash_password(older, PASSWORD)))
    settings = app.app.registry.settings
    assert needs_rehash(settings, user_row(app).password_hash)
    refused = sign_in(app, "ann@example.com", "not-her-password", status=400)
    assert NO_MATCH in refused.text and needs_rehash(settings, user_row(app).password_hash)
    sign_in(app, "ann@example.com")
    stored = user_row(app).password_hash
    assert (
        not needs_rehash(settings, stored) and "t=1" in stored and verify_password(settings, stored, PASSWORD)
    )


def test_a_deactivated_account_is_refused_with_the_same_message(make_app):
    app = make_app(migrate=True)
    add_user(app, "ann@example.com", active=False)
    assert NO_MATCH in sign_in(app, "ann@example.com", status=400).text
    assert not signed_in(app)
    # Deactivated while signed in: the session ends too.
    add_user(app, "bob@example.com")
    sign_in(app, "bob@example.com")
    execute(app, update(User).where(User.email == "bob@example.com").values(active=False))
    assert not signed_in(app)


def test_an_email_holding_a_character_no_column_stores_is_refused_by_name(make_app, database_url):
    app = make_app(migrate=True, sqlalchemy__url=database_url)
    add_user(app, "ann@example.com")
    for email in ("ann\x00@example.com", "ann@exa\x01mple.com"):
        refused = sign_in(app, email, status=400)
        assert 'id="email-error"' in refused.text and "such as name@example.com" in refused.text
        assert not signed_in(app)


def test_next_goes_only_to_this_portals_paths(make_app):
    app = make_app(migrate=True)
    add_user(app, "ann@example.com")
    cases = {
        "/frameworks/?x=1": "http://localhost/frameworks/?x=1",
        "//evil.example": "http://localhost/account",
        "https://evil.example": "http://localhost/account",
        "/\\evil.example": "http://localhost/account",
        "javascript:alert(1)": "http://localhost/account",
        "evil.example": "http://localhost/account",
        "/ /evil.example": "http://localhost/account",
    }
    for next_path, expected in cases.items():
        browser = webtest.TestApp(app.app)
        csrf = browser.get("/sign-in").forms["sign-in"]["csrf_token"].value
        data = {"email": "ann@example.com", "password": PASSWORD, "next": next_path, "csrf_token": csrf}
        assert browser.post("/sign-in", data, status=303).location == expected, next_path
    # The form carries a safe next on, and drops an unsafe one.
    page = webtest.TestApp(app.app).get("/sign-in", {"next": "/criteria/"})
    assert page.forms["sign-in"]["next"].value == "/criteria/"
    assert (
        "next"
        not in webtest.TestApp(app.app).get("/sign-in", {"next": "//evil.example"}).forms["sign-in"].fields
    )
