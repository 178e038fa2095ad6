"""Migrations and the per-request session, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from pyramid.scripting import prepare
from sqlalchemy import text

from portal.testing import app_settings, build_app

from .conftest import ROOT, alembic_config, alembic_upgrade


def head_revision() -> str:
    config = alembic_config("sqlite://")
    return ScriptDirectory.from_config(config).get_current_head()


def test_migrations_go_up_and_down(database_url):
    alembic_upgrade(database_url)
    command.downgrade(alembic_config(database_url), "base")
    alembic_upgrade(database_url)
    app = build_app(app_settings(database_url, portal__frameworks="", portal__criteria=""))
    with prepare(registry=app.registry) as env:
        request = env["request"]
        request.tm.begin()
        try:
            version = request.dbsession.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        finally:
            request.tm.abort()
    assert version == head_revision()
    assert (ROOT / "alembic" / "versions").is_dir()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    url = f"sqlite:///{tmp_path / 'wal.sqlite'}"
    app = build_app(app_settings(url, portal__frameworks="", portal__criteria=""))
    engine = app.registry["dbengine"]
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
