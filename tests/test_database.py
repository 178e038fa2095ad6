"""Migrations and the per-request session, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import logging
import time

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from pyramid.scripting import prepare
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from portal.resources import _access_statement
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


def test_the_models_and_the_migrations_describe_the_same_schema(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from portal.models import Base

    alembic_upgrade(database_url)
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_migration_0003_replaces_the_audit_trails_links_by_their_digests(database_url):
    from sqlalchemy import create_engine

    from portal.security import link_digest

    alembic_upgrade(database_url, "0002")
    link, draft = "A" * 32, "B" * 32
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            insert = text(
                "INSERT INTO audit_events (assessment, action, detail, created) "
                "VALUES (:a, :action, :detail, CURRENT_TIMESTAMP)"
            )
            connection.execute(insert, {"a": link, "action": "completed", "detail": '{"revision": 1}'})
            connection.execute(
                insert,
                {
                    "a": link,
                    "action": "edited into a new draft",
                    "detail": f'{{"revision": 1, "draft": "{draft}"}}',
                },
            )
            connection.execute(
                insert,
                {"a": draft, "action": "created", "detail": f'{{"title": "x", "based_on": "{link}/1"}}'},
            )
        alembic_upgrade(database_url)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT link_digest, detail FROM audit_events ORDER BY id")).all()
    finally:
        engine.dispose()
    assert [row[0] for row in rows] == [link_digest(link), link_digest(link), link_digest(draft)]
    assert all(link not in str(row) and draft not in str(row) for row in rows)
    assert '"draft": "' + link_digest(draft) in str(rows[1][1]).replace("'", '"')
    assert link_digest(link) + "/1" in str(rows[2][1])


@pytest.mark.postgresql
def test_a_kept_read_connection_the_server_dropped_is_replaced_with_no_error_or_traceback(
    own_postgresql, caplog
):
    # Each thread keeps the connection its link reads run on (portal.models.row_reads). Here
    # the server ends it between two reads, as a restart or an idle timeout would: the next
    # read answers on a fresh connection, and nothing is logged as an error.
    _, url = own_postgresql
    alembic_upgrade(url)
    app = build_app(app_settings(url, portal__frameworks="", portal__criteria=""))
    engine, reads = app.registry["dbengine"], app.registry["dbreads"]
    statement, backend = _access_statement(), select(func.pg_backend_pid())
    assert reads.first(statement, public_id="no such link") is None
    pid = reads.first(backend)[0]
    assert reads.first(backend)[0] == pid  # kept: the same connection
    assert engine.pool.checkedout() == 0  # and outside the pool: no slot a session needs
    killer = create_engine(url, poolclass=NullPool)
    with killer.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        gone = text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
        deadline = time.monotonic() + 10
        while connection.execute(gone, {"pid": pid}).scalar_one():
            assert time.monotonic() < deadline, "the backend was not terminated"
            time.sleep(0.01)
    with caplog.at_level(logging.INFO, logger="portal.models.row_reads"):
        assert reads.first(statement, public_id="no such link") is None
    assert "a kept read connection was gone" in caplog.text
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING], caplog.text
    assert reads.first(backend)[0] != pid
    reads.close()
    engine.dispose()
    killer.dispose()
