"""Schemathesis against the served portal and docs/openapi.json: every phase, every check.

The portal is served for real (pserve, a copy of development.ini, SQLite) and the ``st``
command runs in a subprocess, so nothing in this pytest process is patched. The seed is
fixed, the examples bounded and the example database off: the run is the same every
time, and it must end without a single failure.

Where what is valid depends on the installed plugins (the framework slugs ``compare``
and ``/frameworks/{slug}`` take, the criterion keys, the question keys of an answer and
the option keys of each question), docs/openapi.json, the one hand-written description,
gives the names' syntax and documents the 400 or 404 for a name that does not exist.
Documenting the 400 is not enough for Schemathesis: ``positive_data_acceptance`` fails a
400 to a schema-valid request whatever the response documents (it only knows its list of
expected statuses, and widening that list would blind it everywhere). Serving the
document from the app would make it a second, generated source. So this test hands
Schemathesis a copy narrowed to the running portal's catalog: enums read from
``GET /frameworks/``, ``GET /criteria/`` and a questionnaire, examples from the same
catalog, and a body on the ``SaveAnswers`` link that answers every question, so that the
stateful phase can complete assessments. Everything else is the document as written.

The consultant workspace (``/consultant/…``, security scheme ``apiToken``) is fuzzed with a
consultant's API token made as a person makes one: ``portal sample-users``, signing in and
the account page's form. Schemathesis sends it only to the operations that ask for it, and
its ``ignored_auth`` check sends each of them without it too (401). The rest of the document
stays anonymous, as its private links are. What the workspace accepts depends on more than
JSON Schema can say, so the copy narrows it too, each rule exactly: ``{row}`` to completed
assessments made for the run (each with one revision, the one ``revision`` may name), a
decision's ``decided_on`` to today (UTC) or earlier, its ``framework`` and the list's filter
to the catalog's slugs. The list's ``page`` (valid up to the number of pages, which grows as
the run creates assessments) and ``until`` (valid only on or after ``since``) are left out of
the copy: tests/test_api.py checks both. A note or decision POST with no body at all is taken
for an empty browser form and answered with the page's 400 in HTML, as those operations'
descriptions say; the copy lists that ``text/html`` 400 so that Schemathesis checks the rest.
"""

from __future__ import annotations

import copy
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .conftest import ROOT
from .served import serve

BIN = Path(sys.executable).parent
OPENAPI = ROOT / "docs" / "openapi.json"
SEED = 20251203
MAX_EXAMPLES = 25
PHASES = ("examples", "coverage", "fuzzing", "stateful")
JSON_HEADERS = {"Accept": "application/json", "Content-Type": "application/json"}

# Links inferred from Location headers would follow POST /assessments/ straight to
# GET …/result, whose 404 for a draft is documented, and ensure_resource_availability
# counts that 404 as a failure; the document's own links describe the real flow. More and
# longer scenarios than the defaults (6 steps) take the stateful phase from creating an
# assessment through answering and completing it to reading its result.
CONFIG = """\
[phases.stateful]
max-steps = 16

[phases.stateful.generation]
max-examples = 80

[phases.stateful.inference]
algorithms = []

[auth.openapi.apiToken]
bearer = "${PORTAL_API_TOKEN}"
"""

COMPLETE = ("POST", "/assessments/{id}/complete")
RESULT = ("GET", "/assessments/{id}/result")
REVISION = ("GET", "/assessments/{id}/revisions/{n}")
WORKSPACE = (
    ("GET", "/consultant/", 200),
    ("GET", "/consultant/assessments/", 200),
    ("GET", "/consultant/assessments/{row}/", 200),
    ("GET", "/consultant/assessments/{row}/export.json", 200),
    ("POST", "/consultant/assessments/{row}/notes", 201),
    ("POST", "/consultant/assessments/{row}/decision", 201),
)


def call(method: str, url: str, body: Any = None, token: str | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    headers = {**JSON_HEADERS, **({"Authorization": f"Bearer {token}"} if token else {})}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.loads(reply.read())


def consultant_token(served) -> str:
    """An API token of the sample consultant, made as a person makes one: ``portal sample-users``,
    signing in on the served portal, and the account page's form."""
    made = subprocess.run(
        [str(BIN / "portal"), "sample-users", str(served.ini)],
        env=served.environ,
        cwd=served.ini.parent,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    email, password = re.search(r"(?m)^\s*consultant\s+(\S+)\s+(\S+)$", made.stdout).groups()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def send_form(page: str, action: str, fields: dict[str, str]) -> str:
        """Open ``page``, post ``fields`` with its CSRF token to ``action``; the answer's text."""
        with browser.open(served.url + page, timeout=30) as reply:
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', reply.read().decode()).group(1)
        data = urllib.parse.urlencode({**fields, "csrf_token": csrf}).encode()
        with browser.open(served.url + action, data, timeout=30) as reply:
            return reply.read().decode()

    send_form("/sign-in", "/sign-in", {"email": email, "password": password})
    account = send_form("/account", "/account/tokens", {"name": "schemathesis"})
    return re.search(r'id="new-token"[^>]*value="([^"]+)"', account).group(1)


def answer_schema(question: dict[str, Any]) -> dict[str, Any]:
    """Exactly the answers ``question`` takes (``portal.questionnaire.check_answer``), or null."""
    options = [option["key"] for option in question["options"]]
    if question["kind"] == "multi":
        chosen: list[dict[str, Any]] = [
            {"type": "array", "items": {"enum": options}, "minItems": 1, "uniqueItems": True}
        ]
        if question["max_choices"] is not None:
            chosen[0]["maxItems"] = question["max_choices"]
        if question["allow_unsure"]:
            chosen.append({"const": ["unsure"]})  # alone, never with other options
    else:
        chosen = [{"enum": [*options, "unsure"] if question["allow_unsure"] else options}]
    return {"oneOf": [*chosen, {"type": "null"}]}


def full_answers(questions: list[dict[str, Any]]) -> dict[str, Any]:
    """An answer to every question, hidden follow-ups included: completing finds none open."""
    return {
        q["key"]: [q["options"][-1]["key"]] if q["kind"] == "multi" else q["options"][-1]["key"]
        for q in questions
    }


def on_or_before(day: str) -> str:
    """A pattern of exactly the YYYY-MM-DD strings that sort on or before ``day`` (ISO dates sort
    as they fall): ``day`` itself, or its first i characters, a smaller digit, then any digits."""

    def any_digits(text: str) -> str:
        return re.sub(r"[0-9]", "[0-9]", text)

    earlier = [
        day[:i] + f"[0-{int(digit) - 1}]" + any_digits(day[i + 1 :])
        for i, digit in enumerate(day)
        if digit.isdigit() and digit != "0"
    ]
    return "^(" + "|".join([day, *earlier]) + ")$"


def completed_rows(base: str, token: str, questions: list[dict[str, Any]]) -> list[int]:
    """Row ids of assessments completed for the run (one revision each), as the workspace lists them."""
    titles = ("Workspace one", "Workspace two")
    for title in titles:
        url = call("POST", base + "/assessments/", {"title": title})["url"]
        call("POST", url + "answers", {"answers": full_answers(questions)})
        call("POST", url + "complete", {})
    listed = call("GET", base + "/consultant/assessments/?status=complete", token=token)["assessments"]
    return [item["id"] for item in listed if item["title"] in titles]


def narrowed_document(base: str, token: str) -> dict[str, Any]:
    """docs/openapi.json with the names this portal's plugins define filled in, and the workspace
    narrowed to the rows, dates and revisions that exist."""
    document = copy.deepcopy(json.loads(OPENAPI.read_text(encoding="utf-8")))
    slugs = [f["slug"] for f in call("GET", base + "/frameworks/")["frameworks"]]
    keys = [c["key"] for c in call("GET", base + "/criteria/")["criteria"]]
    draft = call("POST", base + "/assessments/", {"title": "Catalog"})["url"]
    questions = call("GET", draft + "questionnaire")["questions"]
    # Six at most in one comparison: with more plugins, an enum alone would allow seven.
    assert len(slugs) <= 6, "narrow f to at most 6 different slugs before enabling more frameworks"

    parameters, schemas = document["components"]["parameters"], document["components"]["schemas"]
    parameters["Slug"]["schema"]["enum"] = slugs
    parameters["Slug"]["example"] = slugs[0]
    parameters["Key"]["schema"]["enum"] = keys
    parameters["Key"]["example"] = keys[0]
    (f,) = document["paths"]["/frameworks/compare"]["get"]["parameters"]
    f["schema"]["items"]["enum"] = slugs
    f["example"] = slugs[:2]
    answers = schemas["AnswersRequest"]["properties"]["answers"]
    answers["properties"] = {q["key"]: answer_schema(q) for q in questions}
    answers["additionalProperties"] = False
    everything = {"answers": full_answers(questions)}
    schemas["AnswersRequest"]["examples"] = [everything]
    links = document["paths"]["/assessments/"]["post"]["responses"]["201"]["links"]
    links["SaveAnswers"]["requestBody"] = everything

    rows = completed_rows(base, token, questions)
    assert len(rows) == 2, rows
    parameters["Row"]["schema"]["enum"] = rows
    parameters["Row"]["example"] = rows[0]
    listing = document["paths"]["/consultant/assessments/"]["get"]
    listing["parameters"] = [p for p in listing["parameters"] if p["name"] not in ("page", "until")]
    (framework,) = [p for p in listing["parameters"] if p["name"] == "framework"]
    framework["schema"] = {"type": "string", "enum": ["", *slugs]}
    decision = schemas["DecisionRequest"]["properties"]
    decision["framework"] = {"type": "string", "enum": slugs}
    decision["decided_on"] = {
        "type": "string",
        "format": "date",
        "pattern": on_or_before(datetime.now(UTC).date().isoformat()),
    }
    # The rows have revision 1 only: 1, its digits (whitespace around them ignored), or the latest.
    number, empty, text, none = decision["revision"]["anyOf"]
    number["maximum"] = 1
    text["pattern"] = text["pattern"].replace("[1-9][0-9]{0,5}", "1")
    assert "1" in text["pattern"] and (empty, none) == ({"const": ""}, {"type": "null"})
    # A note or decision POST with no body at all is taken for an empty browser form: its 400 is
    # the assessment's page, in HTML, as the operations' descriptions say (JSON is asked for).
    for name in ("notes", "decision"):
        operation = document["paths"][f"/consultant/assessments/{{row}}/{name}"]["post"]
        assert "no body at all" in operation["description"]
        operation["responses"]["400"]["content"]["text/html"] = {"schema": {"type": "string"}}
    return document


def recorded(ndjson: Path) -> dict[str, Counter]:
    """Phase → Counter of (method, path template, status) of every request schemathesis made."""
    calls: dict[str, Counter] = {}
    for line in ndjson.read_text(encoding="utf-8").splitlines():
        scenario = json.loads(line).get("ScenarioFinished")
        if scenario is None:
            continue
        recorder = scenario.get("recorder") or {}
        counter = calls.setdefault(scenario["phase"], Counter())
        for case_id, case in recorder.get("cases", {}).items():
            interaction = recorder["interactions"].get(case_id) or {}
            status = (interaction.get("response") or {}).get("status_code")
            counter[case["value"]["method"], case["value"]["path"], status] += 1
    return calls


def figures(calls: dict[str, Counter], elapsed: float) -> str:
    per_phase = ", ".join(f"{phase} {sum(calls.get(phase, Counter()).values())}" for phase in PHASES)
    stateful = calls.get("stateful", Counter())
    reached = ", ".join(f"{m} {p} {stateful[m, p, 200]}" for m, p in (COMPLETE, RESULT, REVISION))
    return f"schemathesis: {per_phase} requests in {elapsed:.1f} s; stateful 200s: {reached}"


def test_schemathesis_finds_nothing_in_any_phase(tmp_path):
    with serve(tmp_path / "portal", settings={"portal.throttle.create": "off"}) as served:
        schema = tmp_path / "openapi.json"
        token = consultant_token(served)
        schema.write_text(json.dumps(narrowed_document(served.url, token), indent=2), encoding="utf-8")
        config = tmp_path / "schemathesis.toml"
        config.write_text(CONFIG, encoding="utf-8")
        reports = tmp_path / "reports"
        command = [
            str(BIN / "st"),
            "--config-file",
            str(config),
            "run",
            str(schema),
            "--url",
            served.url,
            "--phases",
            ",".join(PHASES),
            "--checks",
            "all",
            "--seed",
            str(SEED),
            "--max-examples",
            str(MAX_EXAMPLES),
            # One request at a time: the same seed makes the same run.
            "--workers",
            "1",
            "--generation-database",
            "none",
            # The JSON form of every resource (docs/api.md: "Ask for JSON").
            "--header",
            "Accept: application/json",
            "--report",
            "json,ndjson",
            "--report-dir",
            str(reports),
            "--no-color",
        ]
        environ = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "PORTAL_API_TOKEN": token}
        started = time.monotonic()
        run = subprocess.run(command, cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=300)
        elapsed = time.monotonic() - started
        log = served.log()
    output = f"$ {' '.join(command)}\n{run.stdout}\n{run.stderr}\n--- the portal's log ---\n{log[-6000:]}"
    assert run.returncode == 0, output
    assert "Traceback" not in log, output

    (summary,) = reports.glob("json-*.json")
    report = json.loads(summary.read_text(encoding="utf-8"))
    assert (report["failures"], report["errors"]) == ([], []), output
    assert {phase: report["phases"][phase]["status"] for phase in PHASES} == dict.fromkeys(
        PHASES, "success"
    ), output

    (events,) = reports.glob("ndjson-*.ndjson")
    calls = recorded(events)
    print(figures(calls, elapsed))
    stateful = calls["stateful"]
    # The links took scenarios from a new assessment through answers to a completed one
    # (200 with revision 1) and on to its result and revision.
    for method, path in (COMPLETE, RESULT, REVISION):
        assert stateful[method, path, 200], f"no stateful {method} {path} answered 200\n{output}"
    # The consultant's token opened every workspace operation, and without it they refused.
    everywhere = sum(calls.values(), Counter())
    for method, path, status in WORKSPACE:
        assert everywhere[method, path, status], f"{method} {path} never answered {status}\n{output}"
        assert everywhere[method, path, 401], f"{method} {path}: no 401 without the token\n{output}"
