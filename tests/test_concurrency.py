"""Concurrency on a real server: waitress with several threads and a pool of several
connections, on SQLite and PostgreSQL, with the debug toolbar (which keeps every
request's objects alive) and without. Nothing acknowledged is lost, nothing is a 5xx,
nothing read is stale.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from portal.models import Answer, Assessment, Revision

from .served import serve

JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


class Client:
    """A program speaking the JSON API over HTTP; every answer is (status, body)."""

    def __init__(self, base: str):
        self.base = base

    def call(self, method: str, url: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers=JSON_HEADERS)
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                text = reply.read()
                return reply.status, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            text = error.read()
            try:
                return error.code, json.loads(text)
            except ValueError:
                return error.code, text.decode(errors="replace")

    def create(self, title: str = "Race") -> str:
        status, body = self.call("POST", self.base + "/assessments/", {"title": title})
        assert status == 201, (status, body)
        return body["url"]

    def questions(self, url: str) -> list[dict]:
        status, body = self.call("GET", url + "questionnaire")
        assert status == 200, (status, body)
        return body["questions"]

    def fill_required(self, url: str) -> dict[str, Any]:
        for _ in range(10):
            status, state = self.call("GET", url)
            assert status == 200, (status, state)
            if not state["missing"]:
                return state["answers"]
            by_key = {q["key"]: q for q in self.questions(url)}
            answers = {
                key: as_answer(by_key[key], by_key[key]["options"][0]["key"]) for key in state["missing"]
            }
            status, body = self.call("POST", url + "answers", {"answers": answers})
            assert status == 200, (status, body)
        pytest.fail("required questions keep appearing")


def as_answer(question: dict, key: str) -> Any:
    return [key] if question["kind"] == "multi" else key


def parallel(count: int, work) -> list:
    """Run ``work(i)`` for i in range(count) at once (a barrier lines them up); results in order."""
    barrier = threading.Barrier(count)

    def run(i):
        barrier.wait(timeout=60)
        return work(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def stored(database_url: str, url: str) -> tuple[str, dict, list[dict]]:
    """(status, answers, revision snapshots' answers) of the assessment at ``url``, read from the database."""
    public_id = url.rstrip("/").rsplit("/", 1)[1]
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                select(Assessment.id, Assessment.status).where(Assessment.public_id == public_id)
            ).one()
            answers = dict(
                connection.execute(
                    select(Answer.question, Answer.value).where(Answer.assessment_id == row.id)
                ).all()
            )
            snapshots = (
                connection.execute(
                    select(Revision.snapshot)
                    .where(Revision.assessment_id == row.id)
                    .order_by(Revision.number)
                )
                .scalars()
                .all()
            )
    finally:
        engine.dispose()
    return row.status, answers, [snapshot["answers"] for snapshot in snapshots]


@pytest.fixture(params=["without the toolbar", "with the toolbar"])
def portal(request, database_url, tmp_path):
    app_name = "debug" if request.param == "with the toolbar" else "main"
    # Several threads, so requests overlap and the pool holds several connections.
    with serve(
        tmp_path / "served",
        "development.ini",
        app_name=app_name,
        database_url=database_url,
        threads=8,
        settings={"portal.throttle.create": "off"},
    ) as served:
        yield Client(served.url), database_url, served


def test_twenty_parallel_completions_store_one_revision(portal):
    client, database_url, served = portal
    url = client.create()
    client.fill_required(url)
    statuses = [status for status, _ in parallel(20, lambda i: client.call("POST", url + "complete", {}))]
    assert sorted(statuses) == [200] + [409] * 19, served.log()[-3000:]
    status, _, snapshots = stored(database_url, url)
    assert status == "complete" and len(snapshots) == 1


def test_saves_racing_a_completion_keep_every_acknowledged_save_and_the_completion(portal):
    client, database_url, served = portal
    for round_ in range(4):
        url = client.create(f"Race {round_}")
        before = client.fill_required(url)
        # Each racing save changes a different question, to an answer it does not hold yet.
        changes = []
        for question in client.questions(url):
            if question["visible"] and len(question["options"]) > 1:
                held = before.get(question["key"])
                choice = next(
                    o["key"] for o in reversed(question["options"]) if as_answer(question, o["key"]) != held
                )
                changes.append({question["key"]: as_answer(question, choice)})
        changes = changes[:15]
        assert len(changes) >= 8
        results = parallel(
            len(changes) + 1, lambda i, url=url, changes=changes: race(client, url, changes, i)
        )
        assert all(status < 500 for _, (status, _) in results), (results, served.log()[-3000:])
        assert [status for what, (status, _) in results if what == "complete"] == [200]
        status, answers, snapshots = stored(database_url, url)
        assert status == "complete" and len(snapshots) == 1
        # The completion scored exactly what was saved: saves acknowledged before it are in
        # its snapshot, saves after it were refused (409) and changed nothing.
        assert snapshots[0] == answers
        for what, (status, _) in results:
            if what == "complete":
                continue
            ((key, value),) = what.items()
            assert status in (200, 409), status
            if status == 200:
                assert answers.get(key) == value, "an acknowledged save was lost"
            else:
                assert answers.get(key) == before.get(key), "a refused save changed an answer"


def race(client, url, changes, i):
    if i == len(changes):
        return "complete", client.call("POST", url + "complete", {})
    return changes[i], client.call("POST", url + "answers", {"answers": changes[i]})


def test_mixed_traffic_after_completions_has_no_5xx_and_no_stale_read(portal):
    client, _, served = portal
    done = client.create("Done")
    client.fill_required(done)
    assert client.call("POST", done + "complete", {})[0] == 200
    questions = {q["key"]: q for q in client.questions(done)}
    optional = [q for q in questions.values() if not q["required"] and not q["condition"]]

    def journey(i):
        """Each step checks that the next read sees what the previous write acknowledged."""
        problems = []
        status, body = client.call("POST", client.base + "/assessments/", {"title": f"Mixed {i}"})
        if status != 201:
            return [f"create {status}"]
        url = body["url"]
        status, state = client.call("GET", url)
        if status != 200:
            problems.append(f"read after create: {status}")
        question = optional[i % len(optional)]
        answer = {
            question["key"]: as_answer(question, question["options"][i % len(question["options"])]["key"])
        }
        status, _ = client.call("POST", url + "answers", {"answers": answer})
        status_read, state = client.call("GET", url)
        if status != 200 or status_read != 200 or state["answers"] != answer:
            problems.append(f"save {status} then read {status_read}: {state}")
        status, result = client.call("GET", done + "result")
        if status != 200 or result["revision"] != 1:
            problems.append(f"result {status}")
        status, state = client.call("GET", done)
        if status != 200 or state["status"] != "complete":
            problems.append(f"completed assessment read as {status} {state}")
        return problems

    # 25 journeys of 8 requests: 200 requests, 8 at a time.
    with ThreadPoolExecutor(8) as pool:
        problems = [p for found in pool.map(journey, range(25)) for p in found]
    assert problems == [], served.log()[-3000:]
    assert "Traceback" not in served.log()
