"""The creation throttle: per client address, counted in the database, with a clock tests control."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select

from portal.models import Assessment, ThrottleCount
from portal.plugins import SettingsError
from portal.testing import JSON
from portal.throttle import Limit

from .conftest import alembic_upgrade


class Clock:
    def __init__(self, now: float = 1_000_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def database(database_url):
    alembic_upgrade(database_url)
    return database_url


def throttled_app(make_app, database, clock, limit="3/600"):
    app = make_app(sqlalchemy__url=database, portal__throttle__create=limit)
    app.app.registry.portal_throttles["create"].clock = clock
    return app


def count(url, model=Assessment) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(model))
    finally:
        engine.dispose()


def create(app, address="192.0.2.1", status=201, **kwargs):
    return app.post_json(
        "/assessments/", {"title": "t"}, headers=JSON, extra_environ={"REMOTE_ADDR": address}, status=status
    )


def test_the_limit_refuses_with_429_and_retry_after_until_the_window_ends(make_app, database):
    clock = Clock(600 * 1_666_666 + 200.0)  # 200 s into a 600 s window
    app = throttled_app(make_app, database, clock)
    for _ in range(3):
        create(app)
    refused = create(app, status=429)
    assert refused.headers["Retry-After"] == "400"
    assert refused.json == {
        "errors": {"_request": "Too many new assessments from your address: try again in 7 minutes."}
    }
    assert count(database) == 3
    # Another address is not affected; the refused request counted nothing.
    create(app, address="198.51.100.7")
    clock.now += 399
    assert create(app, status=429).headers["Retry-After"] == "1"
    clock.now += 1
    create(app)
    assert count(database) == 5
    # Finished windows are forgotten as new ones start.
    assert count(database, ThrottleCount) <= 2


def test_a_browser_that_hits_the_limit_keeps_its_title(make_app, database):
    app = throttled_app(make_app, database, Clock(), limit="1/60")
    app.extra_environ = {"REMOTE_ADDR": "192.0.2.9"}
    form = app.get("/").forms[0]
    form["title"] = "First"
    form.submit(status=303)
    form = app.get("/").forms[0]
    form["title"] = "Second try"
    page = form.submit(status=429)
    assert page.headers["Retry-After"] == "20"
    assert "Too many new assessments from your address: try again in 20 seconds." in page.text
    assert page.html.find("input", attrs={"name": "title"})["value"] == "Second try"


def test_the_counts_hold_across_app_processes(make_app, database):
    """Two apps on one database (as two processes behind a load balancer) share one count."""
    clock = Clock()
    first, second = (throttled_app(make_app, database, clock, limit="2/600") for _ in range(2))
    create(first)
    create(second)
    create(first, status=429)
    create(second, status=429)


def test_the_setting_is_validated_at_start_up(make_app, database):
    assert Limit.parse("30/600", "x", "s") == Limit(30, 600)
    assert Limit.parse(" off ", "x", "s") is None and Limit.parse("0/60", "x", "s") is None
    for bad in ("30", "30/0", "thirty/600", "-1/60", "30 per 600"):
        with pytest.raises(
            SettingsError, match=r"test\.ini: portal\.throttle\.create: .* is not COUNT/SECONDS"
        ):
            make_app(sqlalchemy__url=database, portal__throttle__create=bad)
