"""Accounts: who signs in, with which role (issue 13's foundation; no sign-in yet).

Emails are stored normalised (``normalise_email``): trimmed, the domain lower-cased
and, since almost every mail system treats it so, the local part too; uniqueness is
on that form, so "Ann@Example.com " and "ann@example.com" are one account.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..roles import Roles
from .assessment import utcnow
from .meta import Base

EMAIL_MAX = 254
NAME_MAX = 200


def normalise_email(email: str) -> str:
    return email.strip().lower()


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    display_name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    role: Mapped[str] = mapped_column(String(16), default=Roles.CLIENT.value)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    # Raised to end every session of the user (sign-out everywhere, a password change).
    session_version: Mapped[int] = mapped_column(default=1)
