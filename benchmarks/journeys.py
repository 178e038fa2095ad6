"""Locust users completing whole assessments through the JSON API (a locustfile).

Each user runs client journeys one after another, as a program would: create an
assessment, read the questionnaire, answer it page by page (every visible required
question, some optional ones and follow-ups, now and then going back to change an
earlier answer or clearing one, now and then sending a page with a wrong option,
which must save nothing), read it back, complete it and read the result.

A 503 (the database is away) means "not carried out, try again": the user pauses as
``Retry-After`` asks, capped at ``JOURNEYS_RETRY_CAP`` seconds, and sends the same
step again, for at most ``JOURNEYS_STEP_DEADLINE`` seconds.

Every acknowledged (2xx) answer save is recorded per assessment: the answers the
client believes are saved, the save still without an answer when the run stopped
(``pending``: it may or may not have landed), whether the completion was
acknowledged. On test stop this is written as JSON to ``JOURNEYS_OUT`` together with
every status seen (expected or not, per request), the distinct 5xx bodies and one
``[time, request, status]`` event per response. ``benchmarks/journeys_run.py`` serves
the portal, runs this file headless and compares the JSON with the database.

Locust patches the standard library with gevent when imported: never import this
file in a process that is not locust.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from collections import Counter
from typing import Any

from locust import FastHttpUser, constant, events, task

OUT = os.environ.get("JOURNEYS_OUT", "journeys.json")
RETRY_CAP = float(os.environ.get("JOURNEYS_RETRY_CAP", "1"))
STEP_DEADLINE = float(os.environ.get("JOURNEYS_STEP_DEADLINE", "60"))
SEED = int(os.environ.get("JOURNEYS_SEED", "1"))
UNSURE = "unsure"
READ = {"Accept": "application/json"}
# Statuses a step may get without anything being wrong: the step's own, and 503.
UNAVAILABLE = 503


class Journal:
    """What the clients saw, written as JSON when the test stops."""

    def __init__(self) -> None:
        self.started = time.time()
        self.assessments: dict[str, dict[str, Any]] = {}
        self.statuses: Counter[int] = Counter()
        self.expected_4xx: Counter[str] = Counter()
        self.unexpected: Counter[str] = Counter()
        self.bodies_5xx: dict[tuple[int, str, str], int] = {}
        self.events: list[list] = []
        self.journeys: Counter[str] = Counter()
        self.problems: list[str] = []

    def response(self, name: str, status: int, expected: bool, body: str, retry_after: str | None) -> None:
        self.events.append([round(time.time(), 3), name, status])
        self.statuses[status] += 1
        if 400 <= status < 500 and expected:
            self.expected_4xx[f"{name} {status}"] += 1
        elif not expected and status != UNAVAILABLE:
            self.unexpected[f"{name} {status}"] += 1
        if status >= 500 or status == 0:
            key = (status, body[:2000], retry_after or "")
            self.bodies_5xx[key] = self.bodies_5xx.get(key, 0) + 1

    def problem(self, text: str) -> None:
        if len(self.problems) < 200:
            self.problems.append(text)

    def as_json(self) -> dict[str, Any]:
        return {
            "started": self.started,
            "stopped": time.time(),
            "assessments": self.assessments,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "expected_4xx": dict(self.expected_4xx),
            "unexpected": dict(self.unexpected),
            "bodies_5xx": [
                {"status": status, "body": body, "retry_after": retry_after, "count": count}
                for (status, body, retry_after), count in self.bodies_5xx.items()
            ],
            "journeys": dict(self.journeys),
            "problems": self.problems,
            "events": self.events,
        }


JOURNAL = Journal()


@events.test_stop.add_listener
def write_journal(**_kwargs) -> None:
    tmp = OUT + ".tmp"
    with open(tmp, "w") as file:
        json.dump(JOURNAL.as_json(), file)
    os.replace(tmp, OUT)


# --- answering like a client ---------------------------------------------------------


def chosen(value: Any) -> set[str]:
    if value is None:
        return set()
    return set(value) if isinstance(value, list) else {value}


def visible(question: dict, answers: dict[str, Any]) -> bool:
    condition = question["condition"]
    return condition is None or bool(chosen(answers.get(condition["question"])) & set(condition["in"]))


def pick(rng: random.Random, question: dict, avoid: Any = None) -> Any:
    """A realistic answer: an option (a few clients are not sure), never ``avoid``."""
    keys = [option["key"] for option in question["options"]]
    multi = question["kind"] == "multi"
    for _ in range(20):
        if question["allow_unsure"] and rng.random() < 0.1:
            value: Any = [UNSURE] if multi else UNSURE
        elif multi:
            picked = set(rng.sample(keys, rng.randint(1, min(3, len(keys)))))
            value = [key for key in keys if key in picked]  # the portal keeps the options' order
        else:
            value = rng.choice(keys)
        if value != avoid:
            return value
    return value


def page_answers(rng: random.Random, questions: list[dict], page: int, saved: dict[str, Any]) -> dict:
    """One page as a client fills it in: every visible required question, some others."""
    answers: dict[str, Any] = {}
    current = dict(saved)
    for question in questions:
        if question["page"] != page or not visible(question, current):
            continue
        chance = 1.0 if question["required"] else 0.75 if question["condition"] else 0.5
        if rng.random() < chance:
            answers[question["key"]] = current[question["key"]] = pick(rng, question)
    return answers


# --- the user ------------------------------------------------------------------------

_users = itertools.count()


class Client(FastHttpUser):
    """One client after another, each completing one assessment."""

    wait_time = constant(0)
    network_timeout = 30.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        self.number = next(_users)
        self.rng = random.Random(SEED * 1000 + self.number)
        self.journeys = itertools.count()

    def step(self, name: str, method: str, url: str, body: Any = None, expected=(200,), after_retry=()):
        """Send one request until it is answered other than 503 (or not at all): (status, JSON or None).

        ``after_retry`` statuses are expected too once the step was retried (an earlier
        attempt may have been carried out although its answer never came).
        """
        deadline = time.monotonic() + STEP_DEADLINE
        retried = False
        while True:
            headers = None if body is not None else READ
            with self.client.request(
                method, url, name=name, json=body, headers=headers, catch_response=True
            ) as response:
                status = response.status_code
                text = response.text or ""
                ok = status in expected or (retried and status in after_retry)
                retry_after = response.headers.get("Retry-After") if response.headers else None
                detail = text if status else repr(getattr(response, "error", None))
                JOURNAL.response(name, status, ok, detail, retry_after)
                if ok:
                    response.success()
                else:
                    response.failure(f"HTTP {status}: {text[:200]}")
            if status not in (UNAVAILABLE, 0):
                try:
                    return status, json.loads(text) if text else None
                except ValueError:
                    JOURNAL.problem(f"{name}: HTTP {status} with a body that is not JSON: {text[:200]!r}")
                    return status, None
            if time.monotonic() > deadline:
                return status, None
            retried = True
            try:
                pause = float(retry_after) if retry_after else 1.0
            except ValueError:
                pause = 1.0
            time.sleep(min(pause, RETRY_CAP) * self.rng.uniform(0.5, 1.0))

    def save(self, record: dict, url: str, answers: dict[str, Any]) -> bool:
        """Send one page of answers until acknowledged; record what the client now believes."""
        record["pending"] = answers
        status, body = self.step("answers", "POST", url + "answers", {"answers": answers})
        if status != 200:
            if status not in (UNAVAILABLE, 0):
                record["pending"] = None  # answered, and refused: nothing was saved
            JOURNAL.problem(f"save refused: HTTP {status} {str(body)[:300]}")
            return False
        for key, value in answers.items():
            if value is None:
                record["answers"].pop(key, None)
            else:
                record["answers"][key] = value
        record["pending"] = None
        record["saves"] += 1
        if body["answers"] != record["answers"]:
            JOURNAL.problem(f"a save answered {body['answers']} where the client expects {record['answers']}")
        return True

    @task
    def journey(self) -> None:
        rng = self.rng
        JOURNAL.journeys["started"] += 1
        title = f"Journey {self.number}.{next(self.journeys)}"
        status, created = self.step("create", "POST", "/assessments/", {"title": title}, expected=(201,))
        if status != 201:
            JOURNAL.journeys["abandoned"] += 1
            return
        url = created["url"]
        record = {"answers": {}, "pending": None, "saves": 0, "completed": False, "completion_pending": False}
        JOURNAL.assessments[url] = record
        status, questionnaire = self.step("questionnaire", "GET", url + "questionnaire")
        if status != 200:
            JOURNAL.journeys["abandoned"] += 1
            return
        questions = questionnaire["questions"]
        by_key = {question["key"]: question for question in questions}
        pages = sorted({question["page"] for question in questions})

        for page in pages:
            answers = page_answers(rng, questions, page, record["answers"])
            if page == pages[-1] and record["answers"]:
                if rng.random() < 0.2:  # going back to change an earlier answer
                    key = rng.choice(sorted(record["answers"]))
                    answers[key] = pick(rng, by_key[key], avoid=record["answers"][key])
                optional = [k for k in record["answers"] if not by_key[k]["required"] and k not in answers]
                if optional and rng.random() < 0.1:  # clearing one
                    answers[rng.choice(sorted(optional))] = None
            if answers and not self.save(record, url, answers):
                JOURNAL.journeys["abandoned"] += 1
                return
            if rng.random() < 0.3 and not self.read_back(url, record):
                JOURNAL.journeys["abandoned"] += 1
                return

        if rng.random() < 0.1:
            self.invalid_save(url, record, questions)

        # Read back before completing; answer whatever required question is still open.
        for _ in range(5):
            status, state = self.step("read", "GET", url)
            if status != 200:
                JOURNAL.journeys["abandoned"] += 1
                return
            if state["answers"] != record["answers"]:
                JOURNAL.problem(f"read {state['answers']} where the client expects {record['answers']}")
            if not state["missing"]:
                break
            answers = {key: pick(rng, by_key[key]) for key in state["missing"]}
            if not self.save(record, url, answers):
                JOURNAL.journeys["abandoned"] += 1
                return

        record["completion_pending"] = True
        status, result = self.step("complete", "POST", url + "complete", {}, after_retry=(409,))
        if status == 409:
            # An earlier attempt was carried out although its answer never came?
            status, state = self.step("read", "GET", url)
            if status == 200 and state["status"] == "complete":
                record["completed_by_read"] = True
                status = 200
        if status != 200:
            if status not in (UNAVAILABLE, 0):
                record["completion_pending"] = False
            JOURNAL.problem(f"completion refused: HTTP {status} {str(result)[:300]}")
            JOURNAL.journeys["abandoned"] += 1
            return
        record["completed"], record["completion_pending"] = True, False
        JOURNAL.journeys["completed"] += 1

        status, result = self.step("result", "GET", url + "result")
        if status == 200 and result.get("revision") == 1 and result.get("ranking"):
            JOURNAL.journeys["results read"] += 1
        else:
            JOURNAL.problem(f"result: HTTP {status} {str(result)[:300]}")

    def read_back(self, url: str, record: dict) -> bool:
        status, state = self.step("read", "GET", url)
        if status != 200:
            return False
        if state["answers"] != record["answers"]:
            JOURNAL.problem(f"read {state['answers']} where the client expects {record['answers']}")
        return True

    def invalid_save(self, url: str, record: dict, questions: list[dict]) -> None:
        """A page with one wrong option: 400 naming it, and nothing of the page saved.

        The page also holds a valid answer to a question the client never answers
        otherwise, so a partial save would show in the database.
        """
        unanswered = [q for q in questions if q["key"] not in record["answers"]]
        wrong = self.rng.choice(questions)["key"]
        answers: dict[str, Any] = {wrong: "no-such-option"}
        if unanswered:
            question = self.rng.choice(unanswered)
            if question["key"] != wrong:
                answers[question["key"]] = pick(self.rng, question)
        status, body = self.step("answers: invalid", "POST", url + "answers", {"answers": answers}, (400,))
        if status == 400 and wrong not in (body or {}).get("errors", {}):
            JOURNAL.problem(f"a 400 that does not name {wrong}: {body}")
        if status == 400:
            record.setdefault("refused", []).append(answers)
            JOURNAL.journeys["invalid pages refused"] += 1
