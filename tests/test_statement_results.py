"""No request leaves a statement's result open.

On SQLite (Python 3.11's driver) an unread SELECT keeps its read snapshot after
the commit for as long as its result lives; when something keeps the request's
objects alive (the debug toolbar does), that connection's later writes fail with
"database is locked" and its reads see old data. Every DBAPI cursor a request
opens must therefore be closed by the time its response is made, whatever path
the request took.
"""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event

from portal.testing import JSON

from .conftest import alembic_upgrade


class CursorWatch:
    """Collects the DBAPI cursors of an engine; ``open()`` lists the statements still open."""

    def __init__(self, engine):
        self.engine = engine
        self.cursors: list[tuple[object, str]] = []
        event.listen(engine, "after_cursor_execute", self._seen)

    def _seen(self, connection, cursor, statement, parameters, context, executemany):
        self.cursors.append((cursor, statement))

    def open(self) -> list[str]:
        still_open = []
        for cursor, statement in self.cursors:
            try:
                cursor.fetchone()
            except sqlite3.ProgrammingError:
                continue  # "Cannot operate on a closed cursor": what we want
            still_open.append(statement.split("\n")[0])
        self.cursors.clear()
        return still_open

    def remove(self):
        event.remove(self.engine, "after_cursor_execute", self._seen)


@pytest.fixture
def watched(make_app, tmp_path):
    url = f"sqlite:///{tmp_path / 'cursors.sqlite'}"
    alembic_upgrade(url)
    app = make_app(sqlalchemy__url=url)
    watch = CursorWatch(app.app.registry["dbengine"])
    yield app, watch
    watch.remove()


def test_every_request_of_a_whole_journey_closes_its_cursors(watched):
    app, watch = watched

    def step(method, path, **kwargs):
        response = getattr(app, method)(path, headers=JSON, status="*", **kwargs)
        assert response.status_int < 500, response.text
        assert watch.open() == [], f"{method.upper()} {path} left a statement open"
        return response

    url = step("post_json", "/assessments/", params={"title": "Cursors"}).json["url"]
    questions = step("get", url + "questionnaire").json["questions"]
    required = {q["key"]: q["options"][0]["key"] for q in questions if q["required"] and q["options"]}
    step("post_json", url + "answers", params={"answers": required})
    step("get", url)
    step("post_json", url + "complete", params={})
    step("post_json", url + "complete", params={})  # 409: already complete
    step("get", url + "result")
    step("get", url + "revisions/1")
    step("get", url + "revisions/1/report.md")
    step("post_json", url + "rescore", params={})
    step("get", url + "revisions/2/compare?with=1")
    step("post_json", url + "edit", params={})
    step("post_json", url + "answers", params={"answers": {next(iter(required)): None}})
    step("post_json", url + "complete", params={})  # 409: a required answer is open
    step("delete", url)  # 409: a completed assessment is kept
    step("post_json", url + "discard", params={})
    draft = step("post_json", "/assessments/", params={"title": "Dropped"}).json["url"]
    step("delete", draft)
    step("get", draft)  # 404


def test_a_completion_whose_request_is_kept_alive_leaves_the_connection_usable(make_app, tmp_path):
    """What the debug toolbar does: keep each request (and whatever it holds) alive."""
    url = f"sqlite:///{tmp_path / 'kept.sqlite'}"
    alembic_upgrade(url)
    kept = []
    app = make_app(sqlalchemy__url=url)
    engine = app.app.registry["dbengine"]
    event.listen(engine, "after_execute", lambda *args: kept.append(args[-1]))
    try:
        # Two connections in the pool, so the next writes may land on either.
        first = app.post_json("/assessments/", {"title": "A"}, headers=JSON).json["url"]
        questions = app.get(first + "questionnaire", headers=JSON).json["questions"]
        required = {q["key"]: q["options"][0]["key"] for q in questions if q["required"] and q["options"]}
        app.post_json(first + "answers", {"answers": required}, headers=JSON)
        app.post_json(first + "complete", {}, headers=JSON, status=200)
        for n in range(3):
            # The completion's connection is out of the pool while another one writes
            # (as under several threads), then the next requests may get it back.
            held = engine.connect()
            app.post_json("/assessments/", {"title": f"meanwhile {n}"}, headers=JSON, status=201)
            held.close()
            created = app.post_json("/assessments/", {"title": f"after {n}"}, headers=JSON, status=201)
            app.get(created.json["url"], headers=JSON, status=200)
        assert app.get(first, headers=JSON).json["status"] == "complete"
    finally:
        engine.dispose()
