"""Throttles: at most N actions per client address in each window of S seconds.

The counts live in the database, so every app process behind a load balancer
sees the same ones. A window is fixed (it starts at a multiple of S seconds, by
the throttle's clock, which tests replace); a refused action counts nothing,
because its request's transaction is rolled back with the 429. The accounts'
sign-in throttle reuses this with its own scope and limit.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import import_module

from sqlalchemy import bindparam, delete
from sqlalchemy.orm import Session

from .models import ThrottleCount, mark_written
from .plugins.files import Problem, SettingsError

_counts = ThrottleCount.__table__
_FORGET = delete(_counts).where(_counts.c.scope == bindparam("scope"), _counts.c.window < bindparam("window"))
_LIMIT = re.compile(r"\s*(\d{1,9})\s*/\s*(\d{1,9})\s*")


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str, origin: str, setting: str) -> Limit | None:
        """``"30/600"``: 30 per 600 seconds; ``"off"`` (or ``0/…``): no limit."""
        if text.strip() == "off":
            return None
        match = _LIMIT.fullmatch(text)
        if match is None or int(match.group(2)) == 0:
            message = f"{text!r} is not COUNT/SECONDS (such as 30/600) or off"
            raise SettingsError(Problem(origin, "", setting, message))
        count, seconds = int(match.group(1)), int(match.group(2))
        return cls(count, seconds) if count else None


class Throttled(Exception):
    """Over the limit: try again in ``retry_after`` seconds (HTTP 429)."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


@cache
def _count_statement(dialect_name: str):
    """INSERT … ON CONFLICT DO UPDATE count + 1 RETURNING count (SQLite and PostgreSQL spell it alike)."""
    statement = import_module(f"sqlalchemy.dialects.{dialect_name}").insert(_counts)
    return statement.on_conflict_do_update(
        index_elements=[_counts.c.scope, _counts.c.key, _counts.c.window],
        set_={"count": _counts.c.count + 1},
    ).returning(_counts.c.count)


class Throttle:
    def __init__(self, scope: str, limit: Limit | None, clock: Callable[[], float] = time.time):
        self.scope, self.limit, self.clock = scope, limit, clock

    def hit(self, dbsession: Session, key: str) -> None:
        """Count one action of ``key`` (a client address) in this window; Throttled when over the limit."""
        if self.limit is None:
            return
        now = self.clock()
        window = int(now // self.limit.seconds)
        connection = dbsession.connection()
        row = {"scope": self.scope, "key": key[:64], "window": window, "count": 1}
        count = connection.execute(_count_statement(connection.dialect.name), row).scalar_one()
        mark_written(dbsession)
        if count == 1:
            # The first action of a key in a window: forget the scope's finished windows.
            connection.execute(_FORGET, {"scope": self.scope, "window": window})
        if count > self.limit.count:
            raise Throttled(max(1, int((window + 1) * self.limit.seconds - now + 0.999)))


def throttles(registry) -> dict[str, Throttle]:
    return registry.portal_throttles


def includeme(config) -> None:
    from .settings import create_limit

    settings = config.get_settings()
    config.registry.portal_throttles = {"create": Throttle("create", create_limit(settings, "settings"))}
