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
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections import Counter
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
"""

COMPLETE = ("POST", "/assessments/{id}/complete")
RESULT = ("GET", "/assessments/{id}/result")
REVISION = ("GET", "/assessments/{id}/revisions/{n}")


def call(method: str, url: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=JSON_HEADERS)
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.loads(reply.read())


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


def narrowed_document(base: str) -> dict[str, Any]:
    """docs/openapi.json with the names this portal's plugins define filled in."""
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
        schema.write_text(json.dumps(narrowed_document(served.url), indent=2), encoding="utf-8")
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
        environ = {**os.environ, "NO_PROXY": "127.0.0.1,localhost"}
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
