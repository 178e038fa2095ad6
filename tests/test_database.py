"""Migrations and the per-request session, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from pyramid.scripting import prepare
from sqlalchemy import select, text

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


def test_saving_answers_keeps_their_order_the_orm_view_and_unsaved_orm_changes(database_url):
    """The answer save runs Core statements beside the ORM: nothing it holds goes stale or lost."""
    from portal import assessments
    from portal.models import Assessment

    alembic_upgrade(database_url)
    app = build_app(app_settings(database_url, portal__frameworks="", portal__criteria=""))
    with prepare(registry=app.registry) as env:
        request = env["request"]
        with request.tm:
            draft = assessments.create(request.dbsession, "Ordered")
            assert draft.answer_map == {}  # loaded before the save
            draft.title = "Renamed"  # an ORM change not yet flushed
            first = assessments.save_answers(request.dbsession, draft.public_id, {"b.q": "x", "a.q": "y"})
            second = assessments.save_answers(request.dbsession, draft.public_id, {"c.q": ["z"], "b.q": None})
            # First saved first, not alphabetical; a cleared answer is gone.
            assert list(first.answer_map) == ["b.q", "a.q"]
            assert second.answer_map == {"a.q": "y", "c.q": ["z"]} and list(second.answer_map) == [
                "a.q",
                "c.q",
            ]
            assert draft.answer_map == second.answer_map  # the ORM object reads the saved answers
            public_id = draft.public_id
    with prepare(registry=app.registry) as env:
        request = env["request"]
        with request.tm:
            kept = request.dbsession.scalar(select(Assessment).where(Assessment.public_id == public_id))
            assert kept.title == "Renamed"
            assert kept.answer_map == {"a.q": "y", "c.q": ["z"]}
