"""Password reset by a one-time link: one answer for any address, once only, an hour, sessions end."""

from __future__ import annotations

import time

import webtest

from portal import tokens
from portal.models import AuthSession
from portal.passwords import verify_password
from portal.testing import TEST_SECRET, app_settings

from .accounts import PASSWORD, add_user, count, sign_in, user_row
from .mailbox import mails
from .test_accounts_cli import GOOD, portal, portal_db  # noqa: F401 (portal_db is a fixture)

NEW_PASSWORD = "quiet-harbour-91-lantern"


def ask(app, email, status=200):
    form = app.get("/reset-password").forms["reset-password"]
    form["email"] = email
    return form.submit(status=status)


def set_new(app, link, password=NEW_PASSWORD, status=303):
    form = app.get(link).forms["set-password"]
    form["password"] = password
    return form.submit(status=status)


def test_a_reset_link_sets_a_new_password_ends_every_session_and_signs_in(make_app):
    app = make_app(migrate=True)
    add_user(app, "ann@example.com")
    # Ann is signed in on another browser.
    elsewhere = webtest.TestApp(app.app)
    sign_in(elsewhere, "ann@example.com")
    assert elsewhere.get("/account", status=200)
    answer = ask(app, " Ann@Example.com ")
    assert "If <strong>Ann@Example.com</strong> has an account here" in answer.text
    [mail] = mails(app)
    assert mail.to == "ann@example.com" and "within an hour. It works once" in mail.body
    link = mail.link("/reset-password/set")
    # Opening the link changes nothing.
    assert "Choose a new password" in app.get(link).text
    assert verify_password(app_settings(""), user_row(app).password_hash, PASSWORD)
    done = set_new(app, link)
    assert done.location.endswith("/account?changed=password")
    assert "Your password is changed" in done.follow().text
    assert verify_password(app_settings(""), user_row(app).password_hash, NEW_PASSWORD)
    # The other browser is signed out; only this one's session is left.
    assert elsewhere.get("/account", status=303).location.startswith("http://localhost/sign-in")
    assert count(app, AuthSession) == 1
    # The link worked once.
    assert "has been used already" in app.get(link, status=400).text
    fresh = webtest.TestApp(app.app)
    sign_in(fresh, "ann@example.com", NEW_PASSWORD)
    sign_in(webtest.TestApp(app.app), "ann@example.com", PASSWORD, status=400)


def test_the_answer_is_the_same_for_any_address_and_only_accounts_get_mail(make_app):
    app = make_app(migrate=True)
    add_user(app, "ann@example.com")
    add_user(app, "gone@example.com", active=False)
    answers = {
        email: ask(app, email).text.replace(email, "X")
        for email in ("ann@example.com", "bob@example.com", "gone@example.com")
    }
    assert len(set(answers.values())) == 1
    assert [mail.to for mail in mails(app)] == ["ann@example.com"]
    refused = ask(app, "not-an-address", status=400)
    assert "Enter an email address such as name@example.com." in refused.text


def test_an_older_link_fails_once_the_password_changed_and_an_expired_one_fails(make_app):
    app = make_app(migrate=True)
    ann = add_user(app, "ann@example.com")
    ask(app, "ann@example.com")
    ask(app, "ann@example.com")
    first, second = (mail.link("/reset-password/set") for mail in mails(app))
    set_new(app, second)
    for link in (first, second):
        assert "has been used already, or the password was changed" in app.get(link, status=400).text
    stamp = tokens.password_stamp(user_row(app).password_hash)
    an_hour_ago = time.time() - tokens.LIFETIMES[tokens.RESET] - 5
    expired = tokens.make(TEST_SECRET, tokens.RESET, {"u": ann, "p": stamp}, now=an_hour_ago)
    assert "This link has expired." in app.get(f"/reset-password/set?token={expired}", status=400).text
    confirm_kind = tokens.make(TEST_SECRET, tokens.CONFIRM, {"u": ann, "p": stamp})
    csrf = app.get("/reset-password").forms["reset-password"]["csrf_token"].value
    data = {"token": confirm_kind, "password": "another-fine-password-7", "csrf_token": csrf}
    assert "This link is not valid" in app.post("/reset-password/set", data, status=400).text
    assert verify_password(app_settings(""), user_row(app).password_hash, NEW_PASSWORD)


def test_a_weak_new_password_is_refused_and_the_link_still_works(make_app):
    app = make_app(migrate=True)
    add_user(app, "ann@example.com")
    ask(app, "ann@example.com")
    link = mails(app)[0].link("/reset-password/set")
    for weak, message in (("password123", "most common passwords"), ("lantern-" * 130, "at most 1024")):
        refused = set_new(app, link, weak, status=400)
        assert message in refused.text and 'id="password-error"' in refused.text
    assert verify_password(app_settings(""), user_row(app).password_hash, PASSWORD)
    set_new(app, link)
    assert verify_password(app_settings(""), user_row(app).password_hash, NEW_PASSWORD)


def test_portal_reset_password_prints_a_one_time_link(portal_db, make_app):  # noqa: F811
    ini, engine = portal_db
    assert portal(ini, "create-user", "ann@example.com", "--role", "client", password=GOOD).returncode == 0
    result = portal(ini, "reset-password", "Ann@Example.com")
    assert result.returncode == 0, result.stderr
    intro, link = result.stdout.strip().splitlines()
    assert "ann@example.com" in intro and link.startswith("http://localhost:6543/reset-password/set?token=")
    url = str(engine.url)
    secret = "development-only-change-me-in-production-0000"
    app = make_app(sqlalchemy__url=url, portal__secret=secret)
    set_new(app, link.removeprefix("http://localhost:6543"))
    assert verify_password(app_settings(""), user_row(app).password_hash, NEW_PASSWORD)
    assert "has been used already" in app.get(link.removeprefix("http://localhost:6543"), status=400).text
    missing = portal(ini, "reset-password", "bob@example.com")
    assert missing.returncode == 2 and missing.stdout == ""
    assert missing.stderr.strip() == "portal reset-password: no user with the email bob@example.com"
