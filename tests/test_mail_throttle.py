"""Mails a visitor can ask for are limited per client address (portal.throttle.mail)."""

from __future__ import annotations

from portal.models import User

from .accounts import add_user, rows
from .mailbox import mails


def ask_for_reset(app, email: str, address: str, status: int = 200):
    environ = {"REMOTE_ADDR": address}
    form = app.get("/reset-password", extra_environ=environ).forms["reset-password"]
    form["email"] = email
    return form.submit(status=status, extra_environ=environ)


def sign_up(app, email: str, address: str, status: int = 200):
    environ = {"REMOTE_ADDR": address}
    form = app.get("/sign-up", extra_environ=environ).forms["sign-up"]
    form["email"], form["display_name"], form["password"] = email, "Bo", "quiet-harbour-91-lantern"
    return form.submit(status=status, extra_environ=environ)


def test_sign_ups_and_resets_from_one_address_stop_at_the_limit_and_send_nothing_more(make_app):
    app = make_app(migrate=True, portal__throttle__mail="3/3600")
    add_user(app, "ann@example.com")
    for _ in range(2):
        ask_for_reset(app, "ann@example.com", "192.0.2.1")
    sign_up(app, "bo@example.com", "192.0.2.1")
    assert len(mails(app)) == 3
    refused = sign_up(app, "cy@example.com", "192.0.2.1", status=429)
    assert "Too many requests of this kind from your address" in refused.text
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    ask_for_reset(app, "ann@example.com", "192.0.2.1", status=429)
    # Nothing was sent, and the refused sign-up made no account.
    assert len(mails(app)) == 3
    assert sorted(user.email for user in rows(app, User)) == ["ann@example.com", "bo@example.com"]
    # Another address is not affected.
    ask_for_reset(app, "ann@example.com", "192.0.2.2")
    assert len(mails(app)) == 4
    assert [mail.to for mail in mails(app)].count("cy@example.com") == 0
