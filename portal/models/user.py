"""Accounts: who signs in, with which role; their sessions and API tokens.

Emails are stored normalised (``normalise_email``): trimmed, the domain lower-cased
and, since almost every mail system treats it so, the local part too; uniqueness is
on that form, so "Ann@Example.com " and "ann@example.com" are one account.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
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
    # When the address was confirmed (self sign-up); accounts made by an administrator
    # are confirmed when made.
    email_verified: Mapped[datetime | None] = mapped_column()


class AuthSession(Base):
    """A signed-in browser: kept server-side, so sign-out and a password change end it.

    The cookie carries a random token; the table keeps only its SHA-256 (``id``), so a
    copy of the database opens no session.
    """

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The user's session_version when it began: raising the user's ends it.
    session_version: Mapped[int]
    created: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    """A per-user token for JSON clients (``Authorization: Bearer``), kept as its SHA-256."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    last_used: Mapped[datetime | None] = mapped_column()
    revoked: Mapped[datetime | None] = mapped_column()
