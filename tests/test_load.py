"""Concurrent clients completing whole assessments under Locust, in production's shape:
production.ini on gunicorn (2 workers x 4 threads) on PostgreSQL, loaded from 127.0.0.1 for a
bounded time by benchmarks/journeys.py (a Locust subprocess), then the database read directly.

Nothing acknowledged is lost and nothing is a 5xx; with the database stopped for 10 s in the
middle of a run, clients get the friendly 503 (never a traceback), try again as Retry-After
asks, and the portal recovers by itself without losing an acknowledged answer. No figure here
is a time: the machine's speed drifts, so only counts and the order of events are asserted.
"""

from __future__ import annotations

import json
import re
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, select

from portal.models import Answer, Assessment

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.journeys_run import compare, run_load  # noqa: E402

FRIENDLY = "The portal cannot reach its database just now, so this request was not carried out."
COMPLETED = re.compile(r'"POST /assessments/\S+/complete HTTP/1\.1" 200 ')
PRODUCTION = {"ini": "production.ini", "server": "gunicorn", "workers": 2, "threads": 4, "users": 10}


def get_json(url: str) -> tuple[int, dict | None]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def around_traceback(log: str) -> str:
    """The served log around its first traceback (a failure's message; the tail may not hold it)."""
    at = log.find("Traceback")
    return log[max(0, at - 1500) : at + 3000]


def completions_logged(served) -> int:
    """Completions gunicorn's access log shows so far (its links are masked, its statuses are not)."""
    access_log = served.ini.parent / "access.log"
    return len(COMPLETED.findall(access_log.read_text(errors="replace"))) if access_log.exists() else 0


@pytest.mark.postgresql
def test_concurrent_clients_complete_assessments_and_every_acknowledged_answer_is_stored(
    postgresql_url, tmp_path
):
    report = run_load(tmp_path / "load", database_url=postgresql_url, seconds=20, **PRODUCTION)
    assert "locust" not in sys.modules and "gevent" not in sys.modules  # it ran in its own process
    print(report.figures())
    failure = f"{report.figures()}\n{report.log[-3000:]}"

    assert report.count_5xx == 0, failure
    assert report.journal["unexpected"] == {}, failure
    assert set(report.statuses) <= {200, 201, 400}, failure
    assert set(report.journal["expected_4xx"]) <= {"answers: invalid 400"}, failure
    assert report.journal["problems"] == [], failure
    assert "Traceback" not in report.log, around_traceback(report.log)
    assert report.readyz_after == 200

    # Whole journeys ran, many at once, and every one of them is in the database as acknowledged.
    journeys = report.journeys
    assert journeys["completed"] >= 20 and journeys["results read"] >= 20, failure
    assert journeys["invalid pages refused"] >= 1, failure
    assert report.check.completions == journeys["completed"]
    assert report.check.saves >= 4 * report.check.completions  # four pages at least
    assert report.check.mismatches == [], failure

    # The comparison sees a lost answer: lose one of a completed assessment and compare again.
    url, record = next((u, r) for u, r in report.journal["assessments"].items() if r["completed"])
    public_id = url.rstrip("/").rsplit("/", 1)[1]
    question = sorted(record["answers"])[0]
    engine = create_engine(postgresql_url)
    with engine.begin() as connection:
        assessment_id = connection.scalar(select(Assessment.id).where(Assessment.public_id == public_id))
        connection.execute(
            delete(Answer).where(Answer.assessment_id == assessment_id, Answer.question == question)
        )
    engine.dispose()
    lost = compare(postgresql_url, report.journal["assessments"]).mismatches
    assert len(lost) == 2 and all(m.startswith(public_id[:6]) and question in m for m in lost), lost


@pytest.mark.postgresql
def test_a_database_outage_under_load_gets_friendly_503s_recovers_and_loses_no_acknowledged_answer(
    own_postgresql, tmp_path
):
    server, database_url = own_postgresql
    outage: dict = {"readyz during": []}

    def stop_the_database_for_ten_seconds(served):
        # The outage comes in the middle: after 8 s of load in which journeys completed
        # (a bounded wait; gunicorn's access log shows the completions).
        started = time.monotonic()
        while time.monotonic() < started + 8 or completions_logged(served) < 5:
            assert time.monotonic() < started + 20, "no journey completed before the outage"
            time.sleep(0.2)
        outage["readyz before"] = get_json(served.url + "/readyz")
        outage["paused"] = time.time()
        server.pause()
        try:
            end = time.monotonic() + 10
            while time.monotonic() < end:
                outage["readyz during"].append(get_json(served.url + "/readyz"))
                time.sleep(min(1.0, max(0.0, end - time.monotonic())))
        finally:
            outage["resuming"] = time.time()
            server.resume()
            outage["resumed"] = time.time()

    report = run_load(
        tmp_path / "load",
        database_url=database_url,
        seconds=35,
        retry_cap=1.0,
        during=stop_the_database_for_ten_seconds,
        **PRODUCTION,
    )
    paused, resuming, resumed = outage["paused"], outage["resuming"], outage["resumed"]
    unavailable = report.events(status=lambda s: s == 503)
    succeeded = report.events(status=lambda s: 200 <= s < 300)
    last_503 = max(event[0] for event in unavailable) if unavailable else None
    first_success_after = min((e[0] for e in succeeded if e[0] > resumed), default=None)
    completed_after = [e for e in report.events("complete", lambda s: s == 200) if e[0] > (last_503 or 0)]
    summary = (
        f"{report.figures()}\noutage {resumed - paused:.1f} s; 503s {len(unavailable)}; last 503 "
        f"{(last_503 or paused) - resumed:+.2f} s after the database was back; first 2xx after it "
        f"{(first_success_after or resumed) - resumed:+.2f} s; completions after the last 503 "
        f"{len(completed_after)}; readyz during {sorted({s for s, _ in outage['readyz during']})}"
    )
    print(summary)
    failure = f"{summary}\n{report.log[-4000:]}"

    # During the outage: 503s, each the friendly JSON with Retry-After, never a traceback.
    assert outage["readyz before"][0] == 200
    assert unavailable, failure
    assert min(event[0] for event in unavailable) >= paused, failure
    assert any(paused <= event[0] <= resuming for event in unavailable), failure
    assert report.journal["bodies_5xx"], failure
    for seen in report.journal["bodies_5xx"]:
        assert seen["status"] == 503, seen
        body = json.loads(seen["body"])
        assert list(body) == ["errors"] and list(body["errors"]) == ["_request"], seen
        assert body["errors"]["_request"].startswith(FRIENDLY), seen
        assert seen["retry_after"] == "10", seen
    assert outage["readyz during"], failure
    assert all(reply == (503, {"status": "not ready", "database": "unreachable"})
               for reply in outage["readyz during"]), outage["readyz during"]  # fmt: skip
    assert "Traceback" not in report.log, f"{summary}\n{around_traceback(report.log)}"

    # No status but the expected ones: 2xx, the deliberate 400s, 503, and a 409 only where a
    # completion whose answer was lost in the outage had been carried out after all.
    assert report.journal["unexpected"] == {}, failure
    assert set(report.statuses) <= {200, 201, 400, 409, 503}, failure
    assert set(report.journal["expected_4xx"]) <= {"answers: invalid 400", "complete 409"}, failure
    assert report.journal["problems"] == [], failure

    # Recovered by itself: requests after the outage succeed, journeys complete again, ready again.
    assert first_success_after is not None and last_503 < max(e[0] for e in succeeded), failure
    assert len(completed_after) >= 5, failure
    assert report.readyz_after == 200

    # And no acknowledged answer or completion was lost.
    assert report.check.completions == report.journeys["completed"] >= 10, failure
    assert report.check.mismatches == [], failure
