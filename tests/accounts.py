"""Helpers for tests with accounts: make users straight in the database, sign in through the form."""

from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from portal.models import User
from portal.models.assessment import utcnow
from portal.passwords import hash_password
from portal.testing import app_settings

PASSWORD = "tulip-ledger-57-orbit"


def add_user(app, email: str, role: str = "client", password: str = PASSWORD, **fields) -> int:
    """A verified, active user in the app's database; returns the id."""
    settings = app.app.registry.settings
    engine = create_engine(settings["sqlalchemy.url"])
    fields.setdefault("email_verified", utcnow())
    fields.setdefault("display_name", email.split("@")[0].title())
    try:
        with Session(engine) as session, session.begin():
            hashed = hash_password(app_settings(""), password)
            user = User(email=email, role=role, password_hash=hashed, **fields)
            session.add(user)
            session.flush()
            return user.id
    finally:
        engine.dispose()


def sign_in(app, email: str, password: str = PASSWORD, status: int = 303, next_path: str | None = None):
    """Sign in through the form, as a browser does (the app keeps the cookie)."""
    page = app.get("/sign-in" + (f"?next={next_path}" if next_path else ""))
    form = page.forms["sign-in"]
    form["email"], form["password"] = email, password
    return form.submit(status=status)


def sign_out(app):
    page = app.get("/account")
    return page.forms["sign-out"].submit(status=303)
