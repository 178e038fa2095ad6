"""Throttles: at most N actions per client address in each window of S seconds.

The counts live in the database, so every app process behind a load balancer
sees the same ones. A window is fixed (it starts at a multiple of S seconds, by
the throttle's clock, which tests replace); a refused action counts nothing,
because its request's transaction is rolled back with the 429.

Sign-in counts failures instead of actions (``refused`` before trying, ``record``
after a failure, in a transaction of its own, as the failed request's is rolled
back): once per client address, once per (account, address) pair, so a stranger's
failures lock the stranger's address, never the real user's.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import import_module

from sqlalchemy import bindparam, delete, select
from sqlalchemy.engine import Engine
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

    def _now(self) -> tuple[float, int]:
        now = self.clock()
        return now, int(now // self.limit.seconds)

    def _retry_after(self, now: float, window: int) -> int:
        return max(1, int((window + 1) * self.limit.seconds - now + 0.999))

    def _count(self, connection, key: str, window: int) -> int:
        row = {"scope": self.scope, "key": key[:64], "window": window, "count": 1}
        count = connection.execute(_count_statement(connection.dialect.name), row).scalar_one()
        if count == 1:
            # The first action of a key in a window: forget the scope's finished windows.
            connection.execute(_FORGET, {"scope": self.scope, "window": window})
        return count

    def hit(self, dbsession: Session, key: str) -> None:
        """Count one action of ``key`` (a client address) in this window; Throttled when over the limit."""
        if self.limit is None:
            return
        now, window = self._now()
        count = self._count(dbsession.connection(), key, window)
        mark_written(dbsession)
        if count > self.limit.count:
            raise Throttled(self._retry_after(now, window))

    def refused(self, dbsession: Session, key: str) -> None:
        """Throttled if ``key`` has used up this window's limit already (counts nothing)."""
        if self.limit is None:
            return
        now, window = self._now()
        query = select(_counts.c.count).where(
            _counts.c.scope == self.scope, _counts.c.key == key[:64], _counts.c.window == window
        )
        if (dbsession.scalar(query) or 0) >= self.limit.count:
            raise Throttled(self._retry_after(now, window))

    def record(self, engine: Engine, key: str) -> None:
        """Count one failure of ``key``, committed at once whatever the request does next."""
        if self.limit is None:
            return
        with engine.begin() as connection:
            self._count(connection, key, self._now()[1])


def wait_words(seconds: int) -> str:
    """How long to wait, for people: "45 seconds", "3 minutes"."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def throttles(registry) -> dict[str, Throttle]:
    return registry.portal_throttles


def includeme(config) -> None:
    from .settings import THROTTLES, limit

    settings = config.get_settings()
    config.registry.portal_throttles = {
        scope: Throttle(scope, limit(settings, name)) for scope, (name, _default) in THROTTLES.items()
    }
