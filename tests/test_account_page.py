"""``/account``: a password change ends the other sessions, API tokens, deleting the account."""

from __future__ import annotations

import re

import webtest
from sqlalchemy import select

from portal.models import ApiToken, Assessment, AuthSession, Note, User
from portal.passwords import verify_password
from portal.testing import JSON, app_settings

from .accounts import PASSWORD, add_user, count, database, sign_in

NEW_PASSWORD = "quiet-harbour-91-lantern"


def new_assessment(app, title="Shop") -> str:
    """A draft made by the signed-in browser (so theirs); returns its private path."""
    form = app.get("/").forms[0]
    form["title"] = title
    page = form.submit(status=303).follow()
    return re.match(r"(/assessments/[^/]+/)", page.request.path).group(1)


def change_password(app, current=PASSWORD, new=NEW_PASSWORD, status=303):
    form = app.get("/account").forms["change-password"]
    form["current_password"], form["new_password"] = current, new
    return form.submit(status=status)


def signed_in_twice(make_app) -> tuple[webtest.TestApp, webtest.TestApp]:
    """A migrated portal where ann@example.com is signed in in two browsers: (this one, the other)."""
    app = make_app(migrate=True)
    add_user(app, "ann@example.com")
    sign_in(app, "ann@example.com")
    other = webtest.TestApp(app.app)
    sign_in(other, "ann@example.com")
    return app, other


def test_a_password_change_ends_every_other_session_and_keeps_this_one(make_app):
    app, other = signed_in_twice(make_app)
    old_cookie = app.cookies["portal_session"]
    done = change_password(app)
    assert done.location.endswith("/account?changed=password")
    assert "Every other browser signed in to your account is signed out" in done.follow().text
    # This browser has a new session; the other browser's is refused at once.
    assert app.cookies["portal_session"] != old_cookie
    assert other.get("/account", status=303).location.startswith("http://localhost/sign-in")
    assert count(app, AuthSession) == 1
    # The old cookie of this browser opens nothing either.
    replay = webtest.TestApp(app.app)
    replay.set_cookie("portal_session", old_cookie)
    assert replay.get("/account", status=303)
    with database(app) as session:
        ann = session.scalar(select(User))
        assert verify_password(app_settings(""), ann.password_hash, NEW_PASSWORD)


def test_a_refused_password_change_names_the_field_and_changes_nothing(make_app):
    app, other = signed_in_twice(make_app)
    cases = [
        ("not-my-password", NEW_PASSWORD, "current_password-error", "That is not your current password."),
        (PASSWORD, "short", "new_password-error", "at least 8 characters"),
        (PASSWORD, "password123", "new_password-error", "most common passwords"),
        (PASSWORD, PASSWORD, "new_password-error", "other than your current one"),
        (PASSWORD, "lantern-" * 130, "new_password-error", "at most 1024 characters"),
    ]
    for current, new, field_id, message in cases:
        refused = change_password(app, current, new, status=400)
        assert f'id="{field_id}"' in refused.text and message in refused.text
        assert current not in refused.text and new not in refused.text
    assert other.get("/account", status=200) and count(app, AuthSession) == 2
    with database(app) as session:
        assert verify_password(app_settings(""), session.scalar(select(User)).password_hash, PASSWORD)


def test_an_api_token_is_shown_once_used_as_bearer_listed_with_its_last_use_and_revoked(make_app):
    app = make_app(migrate=True)
    add_user(app, "ann@example.com")
    sign_in(app, "ann@example.com")
    path = new_assessment(app)
    form = app.get("/account").forms["new-token-form"]
    form["name"] = "ci robot"
    made = form.submit(status=200)
    token = made.html.find(id="new-token")["value"]
    assert token.startswith("ap_") and "shown this once" in made.text
    with database(app) as session:
        stored = session.scalar(select(ApiToken))
        assert stored.name == "ci robot" and token not in stored.digest
    page = app.get("/account")
    assert token not in page.text and "ci robot" in page.text and "Never" in page.text
    # A program without cookies reads the owned assessment with the token; without it, nothing there.
    program = webtest.TestApp(app.app)
    bearer = {**JSON, "Authorization": f"Bearer {token}"}
    assert program.get(path, headers=bearer, status=200).json["title"] == "Shop"
    unknown = program.get(path, headers=JSON, status=404).json
    listed = app.get("/account")
    row = listed.html.find("table", class_="tokens").find("tbody").find("tr")
    assert "ci robot" in row.text and "Never" not in row.text and "UTC" in row.text
    # A token cannot manage the account.
    program.post_json("/account/tokens", {"name": "more"}, headers=bearer, status=403)
    assert count(app, ApiToken) == 1
    revoke = next(form for form in listed.forms.values() if form.action.endswith("/revoke-token"))
    assert revoke.submit(status=303).location.endswith("/account?changed=revoked")
    # Refused at once: the assessment opens no more than without a token, and the API says 401.
    assert program.get(path, headers=bearer, status=404).json == unknown
    assert program.get("/account", headers=bearer, status=401)
    assert "ci robot" not in app.get("/account").text
    # Someone else's, unknown or revoked tokens cannot be revoked.
    csrf = app.get("/account").forms["sign-out"]["csrf_token"].value
    with database(app) as session:
        token_id = str(session.scalar(select(ApiToken.id)))
    for value in (token_id, "999"):
        app.post("/account/revoke-token", {"token_id": value, "csrf_token": csrf}, status=404)
    # A token_id that is no number at all is named.
    for value in ({"token_id": "x"}, {}):
        refused = app.post("/account/revoke-token", {**value, "csrf_token": csrf}, status=400)
        assert "token_id" in refused.text


def test_a_token_needs_a_name(make_app):
    app = make_app(migrate=True)
    add_user(app, "ann@example.com")
    sign_in(app, "ann@example.com")
    for name, message in (
        ("  ", "Name the token"),
        ("x" * 101, "at most 100 characters"),
        ("ci\x00robot", "cannot be stored (U+0000)"),
    ):
        form = app.get("/account").forms["new-token-form"]
        form["name"] = name
        refused = form.submit(status=400)
        assert message in refused.text and 'id="token_name-error"' in refused.text
        assert refused.html.find(id="new-token") is None
    assert count(app, ApiToken) == 0


def test_deleting_the_account_removes_its_assessments_and_keeps_authors_names(make_app):
    app = make_app(migrate=True)
    ann = add_user(app, "ann@example.com")
    carl = add_user(app, "carl@example.com", role="consultant", display_name="Carl Consultant")
    sign_in(app, "ann@example.com")
    path = new_assessment(app, "Ann's shop")
    new_assessment(app, "Ann's blog")
    anonymous = webtest.TestApp(app.app)
    kept = new_assessment(anonymous, "Someone else's")
    # Carl wrote a note on an assessment that survives, then deletes his own account.
    with database(app) as session, session.begin():
        other = session.scalar(select(Assessment).where(Assessment.title == "Someone else's"))
        session.add(Note(assessment_id=other.id, author_id=carl, author_name="Carl Consultant", body="Fine."))
    page = app.get("/account/delete")
    assert "the 2 assessments saved to it" in page.text
    form = page.forms["delete-account"]
    form["password"] = "not-my-password"
    refused = form.submit(status=400)
    assert "That is not your password." in refused.text and count(app, User, User.id == ann) == 1
    form = refused.forms["delete-account"]
    form["password"] = PASSWORD
    gone = form.submit(status=200)
    assert "Your account is deleted" in gone.text
    assert count(app, User, User.id == ann) == 0
    assert count(app, Assessment, Assessment.owner_id == ann) == 0 and count(app, Assessment) == 1
    assert count(app, AuthSession, AuthSession.user_id == ann) == 0
    assert app.get(path, status=404) and app.get("/account", status=303)
    assert anonymous.get(kept, status=200)
    carls = webtest.TestApp(app.app)
    sign_in(carls, "carl@example.com")
    form = carls.get("/account/delete").forms["delete-account"]
    form["password"] = PASSWORD
    form.submit(status=200)
    with database(app) as session:
        note = session.scalar(select(Note))
        assert (note.author_id, note.author_name, note.body) == (None, "Carl Consultant", "Fine.")
