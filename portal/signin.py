"""Signing in: checking a password under the sign-in throttles, and where to go next."""

from __future__ import annotations

import logging
from functools import cache
from urllib.parse import urlsplit

from sqlalchemy import select

from .models import User
from .models.user import normalise_email
from .passwords import hash_password, needs_rehash, verify_password
from .roles import Roles
from .throttle import throttles

log = logging.getLogger(__name__)

# Where each role lands after signing in without a ``next``.
LANDING = {Roles.CLIENT: "/account", Roles.CONSULTANT: "/consultant/", Roles.ADMIN: "/admin/"}


class SignInRefused(Exception):
    """The email and password do not open an active account (one message for every reason)."""


class NotVerified(Exception):
    """The password is right but the address has not been confirmed yet."""

    def __init__(self, user: User):
        super().__init__(user.email)
        self.user = user


@cache
def _dummy_hash(settings_key: tuple) -> str:
    return hash_password(dict(settings_key), "not a password anyone has")


def _keys(email: str, address: str) -> tuple[str, str]:
    return address, f"{normalise_email(email)[:40]}|{address}"[:64]


def check_throttles(request, email: str) -> None:
    """Throttled (429) if this address, or this account from this address, failed too often."""
    address_key, pair_key = _keys(email, request.remote_addr or "")
    limits = throttles(request.registry)
    limits["sign-in-address"].refused(request.dbsession, address_key)
    limits["sign-in-account"].refused(request.dbsession, pair_key)


def _failure_recorder(email: str, address: str):
    """Count a failed sign-in once the request's own transaction has ended.

    The failed request's transaction is rolled back (and, on SQLite, holds the write lock
    until then), so the count goes in a transaction of its own, after it: a finished
    callback runs before the response reaches the client.
    """

    def record(request) -> None:
        address_key, pair_key = _keys(email, address)
        engine = request.registry["dbengine"]
        limits = throttles(request.registry)
        try:
            limits["sign-in-address"].record(engine, address_key)
            limits["sign-in-account"].record(engine, pair_key)
        except Exception:  # the response is made; a lost count must not turn it into a 500
            log.exception("could not count a failed sign-in from %s", address)

    return record


def authenticate(request, email: str, password: str) -> User:
    """The user these credentials open, or ``SignInRefused`` (the failure counted)."""
    settings = request.registry.settings
    user = request.dbsession.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        # As long as a real check: the time taken does not tell which emails have accounts.
        argon2 = tuple(sorted((k, v) for k, v in settings.items() if k.startswith("portal.argon2.")))
        verify_password(settings, _dummy_hash(argon2), password)
        ok = False
    else:
        ok = verify_password(settings, user.password_hash, password) and user.active
    if not ok:
        request.add_finished_callback(_failure_recorder(email, request.remote_addr or ""))
        log.warning(
            "sign-in failed for %s from %s",
            "an unknown email" if user is None else f"user {user.id}",
            request.remote_addr,
        )
        raise SignInRefused()
    if user.email_verified is None:
        raise NotVerified(user)
    if needs_rehash(settings, user.password_hash):
        # Parameters raised since this hash was made: replace it while the password is at hand.
        user.password_hash = hash_password(settings, password)
    log.info("sign-in of user %s from %s", user.id, request.remote_addr)
    return user


def safe_next(value) -> str | None:
    """``next`` if it is a path on this portal (never another site: no open redirect)."""
    if not isinstance(value, str) or not value.startswith("/") or len(value) > 2000:
        return None
    # "//host" and "/\\host" are other sites to a browser; so is anything with a scheme.
    if value.startswith(("//", "/\\")) or any(ord(c) < 33 or c == "\\" for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


def landing(request, user: User, next_path: str | None) -> str:
    return request.application_url + (next_path or LANDING[Roles(user.role)])
