"""Sign-up: a confirmation link by mail, the same answer for a new and a known address, off by a setting."""

from __future__ import annotations

import time

from portal import tokens
from portal.models import AuthSession, User
from portal.passwords import verify_password
from portal.testing import TEST_SECRET, app_settings

from .accounts import PASSWORD, add_user, rows, sign_in
from .mailbox import clear, mails

NEW_PASSWORD = "quiet-harbour-91-lantern"


def sign_up(app, email="ann@example.com", name="Ann", password=NEW_PASSWORD, status=200):
    form = app.get("/sign-up").forms["sign-up"]
    form["email"], form["display_name"], form["password"] = email, name, password
    return form.submit(status=status)


def test_sign_up_mails_a_link_whose_button_confirms_and_signs_in(make_app):
    app = make_app(migrate=True)
    answer = sign_up(app, " Ann@Example.com ")
    assert "Check your email" in answer.text and "ann@example.com" in answer.text
    [user] = rows(app, User)
    assert (user.email, user.display_name, user.role, user.email_verified) == (
        "ann@example.com",
        "Ann",
        "client",
        None,
    )
    assert verify_password(app_settings(""), user.password_hash, NEW_PASSWORD)
    # Not confirmed yet: the password is right, but sign-in says to confirm first.
    refused = sign_in(app, "ann@example.com", NEW_PASSWORD, status=400)
    assert "Confirm your email address first" in refused.text
    [mail] = mails(app)
    assert mail.to == "ann@example.com" and "Confirm your email address" in mail.subject
    link = mail.link("/sign-up/confirm")
    # Opening the link changes nothing: it shows a button.
    page = app.get(link)
    assert "Confirm and sign in" in page.text
    assert rows(app, User)[0].email_verified is None and rows(app, AuthSession) == []
    done = page.forms["confirm"].submit(status=303)
    assert done.location.endswith("/account?welcome=1")
    account = done.follow()
    assert "Your email address is confirmed" in account.text and "ann@example.com" in account.text
    assert rows(app, User)[0].email_verified is not None and len(rows(app, AuthSession)) == 1
    # The link has done its work: pressing it again signs nobody in.
    again = app.post(
        "/sign-up/confirm",
        {"token": link.split("=", 1)[1], "csrf_token": account.forms["sign-out"]["csrf_token"].value},
        status=400,
    )
    assert "confirmed already" in again.text


def test_a_known_address_gets_the_same_answer_and_a_different_mail(make_app):
    app = make_app(migrate=True)
    add_user(app, "bob@example.com")
    new = sign_up(app, "carol@example.com", "Carol")
    known = sign_up(app, "BOB@example.com", "Impostor")
    assert new.text.replace("carol@example.com", "X") == known.text.replace("bob@example.com", "X")
    to_carol, to_bob = mails(app)
    assert to_carol.to == "carol@example.com" and "/sign-up/confirm?token=" in to_carol.body
    assert to_bob.to == "bob@example.com" and "already have an account" in to_bob.subject
    assert "/sign-up/confirm" not in to_bob.body and "/reset-password" in to_bob.body
    bob = next(user for user in rows(app, User) if user.email == "bob@example.com")
    # Nothing about Bob's account changed: his password still opens it.
    assert bob.display_name == "Bob" and verify_password(app_settings(""), bob.password_hash, PASSWORD)


def test_an_unconfirmed_address_can_have_its_link_sent_again(make_app):
    app = make_app(migrate=True)
    sign_up(app)
    clear(app)
    form = app.get("/sign-up").forms["resend"]
    form["email"] = "ann@example.com"
    assert "Check your email" in form.submit(status=200).text
    [mail] = mails(app)
    assert mail.to == "ann@example.com"
    app.get(mail.link("/sign-up/confirm")).forms["confirm"].submit(status=303)
    # A confirmed address, or one without an account, gets the same answer and no mail.
    clear(app)
    for email in ("ann@example.com", "nobody@example.com"):
        form = app.get("/sign-up").forms["resend"]
        form["email"] = email
        assert "Check your email" in form.submit(status=200).text
    assert mails(app) == []


def test_refused_sign_ups_name_the_field_keep_what_was_typed_and_change_nothing(make_app):
    app = make_app(migrate=True)
    cases = [
        ("", "Ann", NEW_PASSWORD, "Enter your email address."),
        ("not-an-address", "Ann", NEW_PASSWORD, "Enter an email address such as name@example.com."),
        ("ann@example.com", "Ann", "short", "at least 8 characters"),
        ("ann@example.com", "Ann", "password123", "most common passwords"),
        ("ann@example.com", "A" * 201, NEW_PASSWORD, "at most 200 characters"),
        ("ann@exa\x01mple.com", "Ann", NEW_PASSWORD, "Enter an email address such as name@example.com."),
        ("ann@example.com", "Ann\x07", NEW_PASSWORD, "cannot be stored (U+0007)"),
        # Refused, not cut to the longest allowed (the account could never be signed in to).
        ("ann@example.com", "Ann", "lantern-" * 130, "at most 1024 characters"),
    ]
    for email, name, password, message in cases:
        answer = sign_up(app, email, name, password, status=400)
        assert message in answer.text, (email, name, password)
        form = answer.forms["sign-up"]
        assert form["email"].value == email and form["display_name"].value == name
        assert form["password"].value == "" and password not in answer.text
    assert rows(app, User) == [] and mails(app) == []


def test_an_address_or_name_holding_a_character_no_column_stores_is_refused_by_name(make_app, database_url):
    app = make_app(migrate=True, sqlalchemy__url=database_url)
    add_user(app, "ann@example.com")
    csrf = app.get("/sign-up").forms["sign-up"]["csrf_token"].value
    bo = {"email": "bo@example.com", "display_name": "Bo", "password": NEW_PASSWORD}
    for path, values, field in (
        ("/sign-up", {**bo, "email": "bo\x00@example.com"}, "email"),
        ("/sign-up", {**bo, "display_name": "B\x00"}, "display_name"),
        ("/sign-up/resend", {"email": "ann\x00@example.com"}, "resend_email"),
        ("/reset-password", {"email": "ann\x00@example.com"}, "email"),
    ):
        refused = app.post(path, {**values, "csrf_token": csrf}, status=400)
        assert f'id="{field}-error"' in refused.text, path
        assert "name@example.com" in refused.text or "cannot be stored (U+0000)" in refused.text
    assert [user.email for user in rows(app, User)] == ["ann@example.com"] and mails(app) == []


def test_expired_altered_and_foreign_links_are_refused(make_app):
    app = make_app(migrate=True)
    sign_up(app)
    [user] = rows(app, User)
    data = {"u": user.id, "e": user.email}
    two_days_ago = time.time() - tokens.LIFETIMES[tokens.CONFIRM] - 5
    expired = tokens.make(TEST_SECRET, tokens.CONFIRM, data, now=two_days_ago)
    other_secret = tokens.make("another-secret-" + "x" * 40, tokens.CONFIRM, data)
    reset_kind = tokens.make(TEST_SECRET, tokens.RESET, data)
    wrong_email = tokens.make(TEST_SECRET, tokens.CONFIRM, {"u": user.id, "e": "eve@example.com"})
    good = mails(app)[0].link("/sign-up/confirm").split("=", 1)[1]
    cases = [
        (expired, "This link has expired."),
        (other_secret, "This link is not valid"),
        (reset_kind, "This link is not valid"),
        (good[:-3], "This link is not valid"),
        ("nonsense", "This link is incomplete"),
        (wrong_email, "This link opens no account"),
    ]
    for token, message in cases:
        assert message in app.get(f"/sign-up/confirm?token={token}", status=400).text, token
        csrf = app.get("/sign-up").forms["sign-up"]["csrf_token"].value
        assert message in app.post("/sign-up/confirm", {"token": token, "csrf_token": csrf}, status=400).text
    assert rows(app, User)[0].email_verified is None and rows(app, AuthSession) == []


def test_sign_up_can_be_turned_off(make_app):
    app = make_app(migrate=True, portal__sign_up="off")
    for path in ("/sign-up", "/sign-up/confirm?token=x"):
        answer = app.get(path, status=404)
        assert "Sign-up is turned off" in answer.text
    csrf = app.get("/sign-in").forms["sign-in"]["csrf_token"].value
    data = {"email": "ann@example.com", "password": NEW_PASSWORD, "csrf_token": csrf}
    assert "Sign-up is turned off" in app.post("/sign-up", data, status=404).text
    assert rows(app, User) == [] and mails(app) == []
    # Anything else under /sign-up is not found, as anywhere.
    assert make_app(migrate=True).get("/sign-up/elsewhere", status=404)
