"""pyramid_tm owns the transaction: errors commit nothing, GETs write nothing, one revision per completion."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from portal.models import Answer, Assessment, AuditEvent, Revision
from portal.testing import JSON

from .conftest import ROOT, alembic_upgrade
from .served import listen_on

BIN = Path(sys.executable).parent


def count(url: str, model) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(model))
    finally:
        engine.dispose()


@pytest.fixture
def database(tmp_path):
    url = f"sqlite:///{tmp_path / 'tx.sqlite'}"
    alembic_upgrade(url)
    return url


def test_an_error_response_commits_nothing_whether_returned_or_raised(use_plugins, make_app, database):
    use_plugins("good")
    # A real database file and the app's own transaction manager: nothing shared with the test.
    app = make_app(frameworks="quokka", criteria="latency", sqlalchemy__url=database)
    app.post("/write-then-return-error", status=400)
    app.post("/write-then-raise", status=500)
    assert count(database, AuditEvent) == 0


def test_a_successful_request_does_commit(make_app, database):
    app = make_app(sqlalchemy__url=database)
    app.post_json("/assessments/", {"title": "Kept"}, headers=JSON, status=201)
    assert count(database, Assessment) == 1
    assert count(database, AuditEvent) == 1


def test_no_get_changes_the_database(make_app, database):
    app = make_app(sqlalchemy__url=database)
    url = app.post_json("/assessments/", {"title": "Read only"}, headers=JSON).json["url"]
    questions = app.get(url + "questionnaire", headers=JSON).json["questions"]
    answers = {q["key"]: q["options"][0]["key"] for q in questions if q["required"] and q["options"]}
    app.post_json(url + "answers", {"answers": answers}, headers=JSON)
    revision = app.post_json(url + "complete", {}, headers=JSON).headers["Location"]
    before = {model: count(database, model) for model in (Assessment, Answer, Revision, AuditEvent)}
    for path in (
        url,
        url + "questionnaire",
        url + "questionnaire?page=2",
        url + "result",
        revision,
        revision + "/report.md",
        "/",
        "/frameworks/",
        "/criteria/realtime",
        "/assessments/",
    ):
        app.get(path, headers=JSON, status="*")
        app.get(path, status="*")
    after = {model: count(database, model) for model in (Assessment, Answer, Revision, AuditEvent)}
    assert after == before


def test_a_write_takes_the_sqlite_write_lock_at_its_first_statement_not_at_its_access_check(
    make_app, database
):
    """The access check reads outside the request's transaction (portal.resources): a save
    that fails validation never needs the lock, and a valid one takes it only to write."""
    app = make_app(sqlalchemy__url=database)
    url = app.post_json("/assessments/", {"title": "Locked out"}, headers=JSON).json["url"]
    holder = sqlite3.connect(database.removeprefix("sqlite:///"), isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock for the whole request
        # With the check inside the transaction this waited out busy_timeout: a 503.
        answer = app.post_json(
            url + "answers", {"answers": {"no.such.question": "x"}}, headers=JSON, status=400
        )
        assert "no.such.question" in answer.json["errors"]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert count(database, Answer) == 0


def test_reads_run_once_and_writes_may_be_retried(use_plugins, make_app, database):
    use_plugins("good")
    app = make_app(frameworks="quokka", criteria="latency", sqlalchemy__url=database, retry__attempts="3")
    assert app.get("/attempts").text == "1"
    assert app.post("/attempts").text == "3"


@pytest.mark.postgresql
@pytest.mark.parametrize(
    ("meanwhile", "status", "message"),
    [
        ("UPDATE assessments SET status = 'complete'", 409, "This assessment is complete"),
        ("DELETE FROM assessments", 404, "No assessment opens at this link"),
    ],
)
def test_a_form_save_racing_a_completion_or_deletion_answers_4xx_and_saves_nothing(
    make_app, postgresql_url, meanwhile, status, message
):
    """The page read the draft; another request completes or deletes it before the save writes."""
    from sqlalchemy import event

    from .test_questionnaire_pages import assessment_path, start

    alembic_upgrade(postgresql_url)
    app = make_app(sqlalchemy__url=postgresql_url)
    page = start(app)
    public_id = assessment_path(page).split("/")[2]
    form = page.forms[0]
    form["project_scale.size"] = "large"
    other = create_engine(postgresql_url)
    raced = []

    def interleave(connection, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE assessments SET updated") and not raced:
            raced.append(statement)
            with other.begin() as meanwhile_connection:
                meanwhile_connection.execute(text(meanwhile + " WHERE public_id = :id"), {"id": public_id})

    engine = app.app.registry["dbengine"]
    event.listen(engine, "before_cursor_execute", interleave)
    try:
        answer = form.submit("go", value="next", status=status)
    finally:
        event.remove(engine, "before_cursor_execute", interleave)
        other.dispose()
    assert message in answer.text
    assert raced  # the other request did come in between
    assert count(postgresql_url, Answer) == 0
    assert count(postgresql_url, AuditEvent) == 1  # "created" only


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post_json(url: str, body: bytes = b"{}") -> int:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.postgresql
def test_simultaneous_completions_store_exactly_one_revision(postgresql_url, tmp_path):
    alembic_upgrade(postgresql_url)
    port = free_port()
    ini = tmp_path / "served.ini"
    ini.write_text(
        listen_on((ROOT / "development.ini").read_text(), port)
        .replace("[server:main]\n", "[server:main]\nthreads = 8\n")
        .replace("pyramid.includes =\n    pyramid_debugtoolbar", "pyramid.includes =")
        # An ini file interpolates %: the URL's escaped socket path needs %%.
        .replace("sqlite:///%(here)s/portal.sqlite", postgresql_url.replace("%", "%%"))
    )
    server = subprocess.Popen(
        [str(BIN / "pserve"), str(ini)], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=2).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, server.stdout.read().decode()[
                    -2000:
                ]
                time.sleep(0.2)
        import json

        create = urllib.request.Request(
            base + "/assessments/",
            data=b'{"title": "Race"}',
            method="POST",
            headers={"Content-Type": "application/json", **JSON},
        )
        with urllib.request.urlopen(create, timeout=30) as reply:
            url = json.loads(reply.read())["url"]
        with urllib.request.urlopen(urllib.request.Request(url + "questionnaire", headers=JSON)) as reply:
            questions = json.loads(reply.read())["questions"]
        answers = {q["key"]: q["options"][0]["key"] for q in questions if q["required"] and q["options"]}
        assert post_json(url + "answers", json.dumps({"answers": answers}).encode()) == 200

        statuses: list[int] = []
        barrier = threading.Barrier(8)

        def complete():
            barrier.wait(timeout=30)
            statuses.append(post_json(url + "complete"))

        threads = [threading.Thread(target=complete) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(statuses) == [200] + [409] * 7
        engine = create_engine(postgresql_url)
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM revisions")) == 1
        engine.dispose()
    finally:
        server.terminate()
        server.wait(timeout=10)
