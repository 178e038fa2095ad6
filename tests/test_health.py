"""Production shape: health endpoints, a friendly 503 while the database is away, recovery, retries."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from portal.testing import JSON

from .conftest import alembic_upgrade
from .test_api import assert_matches


def test_healthz_and_readyz_answer_at_head(make_app, database_url):
    alembic_upgrade(database_url)
    app = make_app(sqlalchemy__url=database_url)
    assert assert_matches(app.get("/healthz"), "/healthz", "get", 200) == {"status": "ok"}
    ready = app.get("/readyz")
    assert_matches(ready, "/readyz", "get", 200)
    assert ready.json["status"] == "ready" and ready.json["database"] == "ok"
    assert ready.json["migrations"]["applied"] == ready.json["migrations"]["head"] == ["0008"]
    assert ready.json["migrations"]["plugins"] == {}  # no enabled plugin ships migrations
    assert ready.headers["Cache-Control"] == "no-store"
    assert ready.headers["X-Content-Type-Options"] == "nosniff"


def test_readyz_is_503_until_the_migrations_are_at_head(make_app, database_url):
    app = make_app(sqlalchemy__url=database_url)
    assert app.get("/readyz", status=503).json["migrations"]["applied"] == []
    alembic_upgrade(database_url, "0006")
    behind = assert_matches(app.get("/readyz", status=503), "/readyz", "get", 503)
    assert behind["status"] == "not ready"
    assert behind["migrations"] == {"applied": ["0006"], "head": ["0008"], "plugins": {}}
    assert app.get("/healthz").json == {"status": "ok"}  # the process itself is fine
    alembic_upgrade(database_url)
    app.get("/readyz", status=200)


def test_readyz_is_503_while_an_enabled_plugins_migrations_are_behind_head(
    make_app, use_plugins, database_url
):
    from portal.models import get_engine
    from portal.plugins.migrations import downgrade, registered

    use_plugins("good", "owned")
    alembic_upgrade(database_url)  # the core's, then numbat's (tests/fixture_plugins/numbat)
    app = make_app(frameworks="numbat", criteria="latency", sqlalchemy__url=database_url)
    ready = assert_matches(app.get("/readyz"), "/readyz", "get", 200)
    assert ready["migrations"]["plugins"] == {"numbat": {"applied": ["0002"], "head": ["0002"]}}

    numbat = registered(app.app.registry)["numbat"]
    engine = get_engine({"sqlalchemy.url": database_url})
    with engine.connect() as connection:
        downgrade(connection, numbat, "0001")
    engine.dispose()
    behind = assert_matches(app.get("/readyz", status=503), "/readyz", "get", 503)
    assert behind["status"] == "not ready"
    assert behind["migrations"] == {
        "applied": ["0008"],
        "head": ["0008"],
        "plugins": {"numbat": {"applied": ["0001"], "head": ["0002"]}},
    }
    # A plugin that is installed but not enabled is nobody's concern here.
    other = make_app(frameworks="quokka", criteria="latency", sqlalchemy__url=database_url)
    assert other.get("/readyz").json["migrations"]["plugins"] == {}


def test_health_endpoints_answer_any_host_where_pages_do_not(make_app, database_url):
    alembic_upgrade(database_url)
    app = make_app(sqlalchemy__url=database_url, portal__base_url="https://advice.example")
    for path in ("/healthz", "/readyz"):
        app.get(path, headers={"Host": "10.0.0.7:6543"}, status=200)
    app.get("/", headers={"Host": "10.0.0.7:6543"}, status=400)


@pytest.mark.postgresql
def test_while_postgresql_is_stopped_requests_get_a_friendly_503_and_the_portal_recovers(
    make_app, own_postgresql
):
    server, url = own_postgresql
    alembic_upgrade(url)
    app = make_app(sqlalchemy__url=url)
    link = app.post_json("/assessments/", {"title": "Outage"}, headers=JSON).json["url"]
    app.post_json(link + "answers", {"answers": {"project_scale.size": "large"}}, headers=JSON)
    server.pause()
    try:
        refused = app.post_json(
            link + "answers", {"answers": {"realtime.live": "core"}}, headers=JSON, status=503
        )
        assert refused.headers["Retry-After"] == "10"
        assert refused.json["errors"]["_request"].startswith("The portal cannot reach its database just now")
        page = app.get(link, status=503)
        assert "cannot reach its database" in page.text and "Traceback" not in page.text
        assert page.headers["Content-Security-Policy"]
        unreachable = assert_matches(app.get("/readyz", status=503), "/readyz", "get", 503)
        assert unreachable == {"status": "not ready", "database": "unreachable"}
        assert app.get("/healthz").json == {"status": "ok"}
    finally:
        server.resume()
    # No restart of the portal: its next requests work, and the answer saved before is kept.
    assert app.get(link, headers=JSON).json["answers"] == {"project_scale.size": "large"}
    app.post_json(link + "answers", {"answers": {"realtime.live": "core"}}, headers=JSON, status=200)
    app.get("/readyz", status=200)


@pytest.mark.postgresql
def test_a_serialization_failure_on_postgresql_is_retried(make_app, use_plugins, postgresql_url):
    use_plugins("good")
    alembic_upgrade(postgresql_url)
    engine = create_engine(postgresql_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_events (link_digest, action, detail, created) "
                "VALUES ('conflict', 'before', '{}', CURRENT_TIMESTAMP)"
            )
        )
    app = make_app(
        frameworks="quokka", criteria="latency", sqlalchemy__url=postgresql_url, retry__attempts="3"
    )
    assert app.post("/conflict-once").text == "done on attempt 2"
    with engine.connect() as connection:
        action = connection.scalar(text("SELECT action FROM audit_events WHERE link_digest = 'conflict'"))
    engine.dispose()
    assert action == "attempt 1"
    # Without retries the same failure is the friendly 503, never a traceback.
    once = make_app(
        frameworks="quokka", criteria="latency", sqlalchemy__url=postgresql_url, retry__attempts="1"
    )
    assert "cannot reach its database" in once.post("/conflict-once", status=503).text
