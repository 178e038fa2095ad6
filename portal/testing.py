"""Pytest fixtures for the core's tests and for plugin authors (a ``pytest11`` plugin).

A plugin's own tests build a real portal with only the plugins they name:

    def test_listed(make_app):
        app = make_app(frameworks="django", criteria="*")
        assert app.get("/frameworks/django", headers=JSON).json["title"] == "Django"
"""

from __future__ import annotations

import pytest

JSON = {"Accept": "application/json"}
TEST_SECRET = "development-only-test-secret-0123456789abcdef"  # noqa: S105 (tests only)


def app_settings(database_url: str, **overrides: str) -> dict[str, str]:
    """Settings for a test portal; keyword names use ``__`` for dots."""
    settings = {
        "sqlalchemy.url": database_url,
        "portal.secret": TEST_SECRET,
        "portal.frameworks": "*",
        "portal.criteria": "*",
        "retry.attempts": "1",
        # Tests create many assessments from one address; the throttle's own tests set a limit.
        "portal.throttle.create": "off",
    }
    settings.update({name.replace("__", "."): value for name, value in overrides.items()})
    return settings


def build_app(settings: dict[str, str]):
    from portal import main

    return main({"__file__": "test.ini"}, **settings)


@pytest.fixture
def make_app(tmp_path):
    """``make_app(frameworks=..., criteria=..., **settings)`` → a ``webtest.TestApp``.

    ``frameworks`` / ``criteria`` take the setting's syntax: ``*`` or names.
    """
    import webtest

    def factory(frameworks: str = "*", criteria: str = "*", **overrides: str):
        url = f"sqlite:///{tmp_path / 'portal.sqlite'}"
        overrides.setdefault("portal__frameworks", frameworks)
        overrides.setdefault("portal__criteria", criteria)
        return webtest.TestApp(build_app(app_settings(url, **overrides)))

    return factory
