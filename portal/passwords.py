"""Passwords: argon2id hashes (argon2-cffi) and the rules a new password must meet.

The cost parameters are settings (``portal.argon2.time_cost``, ``memory_cost`` in KiB,
``parallelism``), defaulting to argon2-cffi's recommended profile (RFC 9106, low memory);
the tests set cheap ones. A stored hash made with other parameters verifies still and
``needs_rehash`` says to replace it at the next sign-in.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
# Bounds the cost of hashing what someone sends (argon2 reads the whole password).
MAX_LENGTH = 1024
PARAMETERS = ("time_cost", "memory_cost", "parallelism")


class WeakPassword(ValueError):
    """A password the rules refuse; the message says why."""


def hasher(settings) -> PasswordHasher:
    defaults = PasswordHasher()  # argon2id with the library's recommended parameters
    chosen = {
        name: int(settings.get(f"portal.argon2.{name}", getattr(defaults, name))) for name in PARAMETERS
    }
    return PasswordHasher(**chosen)


def hash_password(settings, password: str) -> str:
    return hasher(settings).hash(password)


def verify_password(settings, stored_hash: str, password: str) -> bool:
    if len(password) > MAX_LENGTH:
        return False
    try:
        return hasher(settings).verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(settings, stored_hash: str) -> bool:
    return hasher(settings).check_needs_rehash(stored_hash)


@cache
def common_passwords() -> frozenset[str]:
    text = files("portal").joinpath("data/common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def check_new_password(password: str) -> None:
    """Raise ``WeakPassword`` for a password too short, too long or too common."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"the password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"the password must have at most {MAX_LENGTH} characters")
    # The list is lower case; "Password1" is as guessable as "password1".
    if password.casefold() in common_passwords():
        raise WeakPassword("the password is one of the 10,000 most common passwords: choose another")
