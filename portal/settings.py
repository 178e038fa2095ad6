"""Settings that come from the environment, and the checks production insists on.

As Warehouse's ``maybe_set``: an explicit ini setting always wins; the
environment only fills what the ini leaves out.
"""

from __future__ import annotations

import math
import os
import sqlite3
from collections import Counter
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from .plugins.files import SettingsError, display_path
from .plugins.ini import SettingsFile
from .plugins.messages import did_you_mean

# Marks the secrets development.ini and the tests carry; production refuses them.
DEVELOPMENT_SECRET_PREFIX = "development-only-"  # noqa: S105 (a marker, not a secret)
MIN_SECRET_LENGTH = 32
# A secret must be long and varied: its characters' Shannon entropy at least this many
# bits each (a token from `portal new-secret` has about 5.5; 32 × "a" has 0).
MIN_SECRET_BITS_PER_CHARACTER = 3.0
DEFAULT_MAX_BODY_BYTES = 256 * 1024
# New assessments per client address: COUNT/SECONDS, or off.
CREATE_LIMIT = "portal.throttle.create"
DEFAULT_CREATE_LIMIT = "30/600"
# Failed sign-ins allowed per client address, and per (account, address) pair, in a window.
SIGN_IN_ADDRESS_LIMIT = "portal.throttle.sign_in_address"
SIGN_IN_ACCOUNT_LIMIT = "portal.throttle.sign_in_account"
# Each throttle's scope -> (its setting, its default).
THROTTLES = {
    "create": (CREATE_LIMIT, DEFAULT_CREATE_LIMIT),
    "sign-in-address": (SIGN_IN_ADDRESS_LIMIT, "50/900"),
    "sign-in-account": (SIGN_IN_ACCOUNT_LIMIT, "5/900"),
    # Mails a visitor can ask for (sign-up, confirmation, reset) per client address.
    "mail": ("portal.throttle.mail", "10/3600"),
}
# Whole numbers of seconds a signed-in session lasts (portal.auth holds the defaults).
SESSION_LIFETIMES = ("portal.session.idle_seconds", "portal.session.absolute_seconds")
# The answer save speaks both dialects' INSERT … ON CONFLICT and UPDATE … RETURNING,
# which SQLite has since 3.35.
DATABASES = ("sqlite", "postgresql")
ENVIRONMENTS = ("development", "production")
MIN_SQLITE = (3, 35)

# What the environment may fill (docs/administrators.md lists the same): production.ini
# sets none of these, so each works under it.
ENVIRONMENT = {
    "sqlalchemy.url": "DATABASE_URL",
    "portal.secret": "PORTAL_SECRET",
    "portal.base_url": "PORTAL_BASE_URL",
    "portal.frameworks": "PORTAL_FRAMEWORKS",
    "portal.criteria": "PORTAL_CRITERIA",
    # Outgoing mail (portal.mail): an SMTP server; development.ini writes mail to a folder instead.
    "mail.host": "MAIL_HOST",
    "mail.port": "MAIL_PORT",
    "mail.username": "MAIL_USERNAME",
    "mail.password": "MAIL_PASSWORD",
    "mail.tls": "MAIL_TLS",
    "mail.default_sender": "MAIL_SENDER",
}


def maybe_set(settings: dict, name: str, envvar: str, environ=os.environ) -> None:
    if envvar in environ and not settings.get(name):
        settings[name] = environ[envvar]


def settings_file(ini_file: str | None) -> SettingsFile:
    """Where settings came from, for messages: the ini file (or "settings") and the variables."""
    return SettingsFile(display_path(ini_file) if ini_file else "settings", ini_file, ENVIRONMENT)


def apply_environment(
    settings: dict,
    origin: str | SettingsFile,
    environ=os.environ,
    sqlite_version=sqlite3.sqlite_version_info,
) -> dict:
    settings = dict(settings)
    for name, envvar in ENVIRONMENT.items():
        maybe_set(settings, name, envvar, environ)
    settings.setdefault("portal.environment", "development")
    if not isinstance(origin, SettingsFile):
        origin = SettingsFile(origin, None, ENVIRONMENT)
    _check(settings, origin, sqlite_version)
    return settings


def is_production(settings) -> bool:
    return settings.get("portal.environment") == "production"


def base_url(settings) -> str | None:
    """The public address the portal answers at (``https://portal.example``), or None: any host."""
    return settings.get("portal.base_url", "").rstrip("/") or None


def secret_bits_per_character(secret: str) -> float:
    counts = Counter(secret)
    return -sum(n / len(secret) * math.log2(n / len(secret)) for n in counts.values()) if secret else 0.0


def limit(settings, name: str, origin: str = "settings"):
    """The throttle limit a setting names (``THROTTLES``): a ``Limit``, or None for off."""
    from .throttle import Limit

    default = next(default for setting, default in THROTTLES.values() if setting == name)
    return Limit.parse(settings.get(name, default), origin, name)


def max_body_bytes(settings) -> int:
    return int(settings.get("portal.max_body_bytes", DEFAULT_MAX_BODY_BYTES))


def _check(settings: dict, origin: SettingsFile, sqlite_version: tuple[int, ...]) -> None:
    def fail(field: str, message: str, suggestion: str = "") -> SettingsError:
        return origin.error(field, message, settings.get(field), suggestion=suggestion)

    environment = settings["portal.environment"]
    if environment not in ENVIRONMENTS:
        message = f"{environment!r} is neither development nor production"
        raise fail("portal.environment", message, did_you_mean(environment, ENVIRONMENTS))
    if not settings.get("sqlalchemy.url"):
        raise fail("sqlalchemy.url", "no database URL (set it, or DATABASE_URL in the environment)")
    try:
        backend = make_url(settings["sqlalchemy.url"]).get_backend_name()
    except ArgumentError:
        raise fail("sqlalchemy.url", "is not a database URL such as sqlite:///portal.sqlite") from None
    if backend not in DATABASES:
        raise fail("sqlalchemy.url", f"{backend!r} is not supported; the portal runs on SQLite or PostgreSQL")
    if backend == "sqlite" and tuple(sqlite_version) < MIN_SQLITE:
        have, need = ".".join(map(str, sqlite_version)), ".".join(map(str, MIN_SQLITE))
        raise fail("sqlalchemy.url", f"this Python's SQLite is {have}; the portal needs {need} or newer")
    try:
        if max_body_bytes(settings) < 1024:
            raise fail("portal.max_body_bytes", "must be at least 1024")
    except ValueError:
        raise fail("portal.max_body_bytes", "must be a whole number of bytes") from None
    for name, _default in THROTTLES.values():
        try:
            limit(settings, name, origin.label)
        except SettingsError as error:
            raise fail(name, error.problem.message) from None
    for name in SESSION_LIFETIMES:
        value = str(settings.get(name, "60")).strip()
        if not value.isdigit() or int(value) < 60:
            raise fail(name, "must be a whole number of seconds, at least 60")
    url = base_url(settings)
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query:
            raise fail("portal.base_url", f"{url!r} is not an address such as https://portal.example")
    secret = settings.get("portal.secret", "")
    if is_production(settings):
        if not secret:
            raise fail("portal.secret", "production needs a secret: set PORTAL_SECRET")
        if secret.startswith(DEVELOPMENT_SECRET_PREFIX) or len(secret) < MIN_SECRET_LENGTH:
            raise fail(
                "portal.secret", f"production refuses a development or short secret (< {MIN_SECRET_LENGTH})"
            )
        if secret_bits_per_character(secret) < MIN_SECRET_BITS_PER_CHARACTER:
            raise fail("portal.secret", "is too repetitive to be secret; make one with `portal new-secret`")
        if url is None:
            raise fail(
                "portal.base_url", "production needs its public address: set PORTAL_BASE_URL (https://…)"
            )
    elif not secret:
        raise fail("portal.secret", "missing (development.ini carries one)")
