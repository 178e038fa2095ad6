"""Helpers for tests with accounts: make users straight in the database, sign in through the form,
read and change the app's rows behind its back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from portal.models import User
from portal.models.assessment import utcnow
from portal.passwords import hash_password
from portal.testing import app_settings

PASSWORD = "tulip-ledger-57-orbit"


@contextmanager
def database(app) -> Iterator[Session]:
    """A session on the app's database, on an engine of its own (disposed after)."""
    engine = create_engine(app.app.registry.settings["sqlalchemy.url"])
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def rows(app, model, *where) -> list:
    """The rows of ``model`` (matching ``where``), as the database has them now."""
    with database(app) as session:
        return list(session.scalars(select(model).where(*where)))


def count(app, model, *where) -> int:
    with database(app) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def user_row(app, email: str = "ann@example.com") -> User | None:
    with database(app) as session:
        return session.scalar(select(User).where(User.email == email))


def execute(app, statement) -> None:
    """Run one statement in a committed transaction of its own."""
    with database(app) as session, session.begin():
        session.execute(statement)


def add_user(app, email: str, role: str = "client", password: str = PASSWORD, **fields) -> int:
    """A verified, active user in the app's database; returns the id."""
    fields.setdefault("email_verified", utcnow())
    fields.setdefault("display_name", email.split("@")[0].title())
    with database(app) as session, session.begin():
        hashed = hash_password(app_settings(""), password)
        user = User(email=email, role=role, password_hash=hashed, **fields)
        session.add(user)
        session.flush()
        return user.id


def sign_in(app, email: str, password: str = PASSWORD, status: int = 303, next_path: str | None = None):
    """Sign in through the form, as a browser does (the app keeps the cookie)."""
    page = app.get("/sign-in" + (f"?next={next_path}" if next_path else ""))
    form = page.forms["sign-in"]
    form["email"], form["password"] = email, password
    return form.submit(status=status)


def sign_out(app):
    page = app.get("/account")
    return page.forms["sign-out"].submit(status=303)


def new_token(browser, name: str = "A program") -> str:
    """Make an API token on a signed-in browser's account page; returns it (shown once)."""
    form = browser.get("/account").forms["new-token-form"]
    form["name"] = name
    made = form.submit()
    return re.search(r'id="new-token"[^>]*value="([^"]+)"', made.text).group(1)
