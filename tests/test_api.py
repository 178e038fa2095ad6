"""The public JSON API (DESIGN 7) against its description, docs/openapi.json.

Every JSON answer a test receives goes through :func:`assert_matches`, which
picks the documented response for (path, method, status) and validates the body
and the required headers against it, so the document and the app cannot drift
apart. The tests drive the real app the way a client program does: JSON only,
following the ids and links the API hands out.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from sqlalchemy import create_engine, func, select

from portal.assessments import clean_title
from portal.models import Assessment
from portal.models.assessment import TITLE_MAX, new_public_id
from portal.plugins.schema import OPTION_PATTERN, SLUG_PATTERN, Question
from portal.resources import UnknownLink
from portal.security import SESSION_COOKIE
from portal.testing import JSON
from portal.validators import MAX_DIGITS

from .conftest import ROOT, alembic_upgrade

OPENAPI = ROOT / "docs" / "openapi.json"
DOCUMENT_URI = "urn:advisory-portal:openapi"
JSON_TYPE = "application/json"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

ASSESSMENT = "/assessments/{id}/"
QUESTIONNAIRE = "/assessments/{id}/questionnaire"
ANSWERS = "/assessments/{id}/answers"
COMPLETE = "/assessments/{id}/complete"
RESULT = "/assessments/{id}/result"
RESCORE = "/assessments/{id}/rescore"
REVISION = "/assessments/{id}/revisions/{n}"
COMPARE = "/assessments/{id}/revisions/{n}/compare"
EDIT = "/assessments/{id}/edit"
DISCARD = "/assessments/{id}/discard"
CLAIM = "/assessments/{id}/claim"
NEW_LINK = "/assessments/{id}/new-link"
MISSING_ID = "no-such-assessment-0123456789abcdef"


# --- The document and the helper that checks a response against it -------------------------


@cache
def openapi() -> dict[str, Any]:
    return json.loads(OPENAPI.read_text(encoding="utf-8"))


@cache
def registry() -> Registry:
    return Registry().with_resource(DOCUMENT_URI, DRAFT202012.create_resource(openapi()))


def escape(part: object) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def resolve(pointer: str) -> Any:
    node = openapi()
    for part in pointer.lstrip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def follow(pointer: str) -> tuple[str, dict[str, Any]]:
    """(pointer, object) after following a chain of OpenAPI ``$ref``s."""
    node = resolve(pointer)
    while "$ref" in node:
        pointer = node["$ref"].removeprefix("#")
        node = resolve(pointer)
    return pointer, node


def validate(instance: Any, schema_pointer: str, what: str) -> None:
    validator = Draft202012Validator(
        {"$ref": f"{DOCUMENT_URI}#{schema_pointer}"},
        registry=registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    error = best_match(validator.iter_errors(instance))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        pytest.fail(f"{what} does not match {schema_pointer}: at {where}: {error.message}")


def documented_response(path: str, method: str, status: int) -> tuple[str, dict[str, Any]]:
    """The response object the document gives for (path, method, status)."""
    assert path in openapi()["paths"], f"{path} is not documented"
    item, method = openapi()["paths"][path], method.lower()
    if method not in item:
        # Any method a path does not list gets the generic 405 (see info.description).
        assert status == 405, f"{method.upper()} {path} is not documented, so it must be a 405"
        return follow("/components/responses/MethodNotAllowed")
    assert str(status) in item[method]["responses"], f"{method.upper()} {path} does not document {status}"
    return follow("/" + "/".join(escape(p) for p in ("paths", path, method, "responses", status)))


def assert_matches(response, path: str, method: str, status: int) -> Any:
    """Check a webtest response against the document; returns its JSON body (or None)."""
    what = f"{method.upper()} {path} → {response.status_int}"
    assert response.status_int == status, f"{what}, expected {status}: {response.text[:500]}"
    where, documented = documented_response(path, method, status)
    for name, header in documented.get("headers", {}).items():
        header_pointer, header = (
            follow(header["$ref"].removeprefix("#")) if "$ref" in header else (None, header)
        )
        if not header.get("required"):
            continue
        assert name in response.headers, f"{what}: the {name} header is missing"
        if header_pointer:
            validate(response.headers[name], header_pointer + "/schema", f"{what} header {name}")
    content = documented.get("content")
    if content is None:
        assert not response.body, f"{what}: documented without a body"
        return None
    assert response.content_type == JSON_TYPE, f"{what}: {response.content_type}, not JSON"
    assert list(content) == [JSON_TYPE]
    data = response.json
    validate(data, f"{where}/content/{escape(JSON_TYPE)}/schema", what)
    return data


class Client:
    """A JSON-only client: every call names its documented path and expected status."""

    def __init__(self, app):
        self.app = app

    def call(
        self,
        method: str,
        path: str,
        status: int,
        body: Any = None,
        *,
        raw: bytes | None = None,
        content_type: str = JSON_TYPE,
        query: str = "",
        headers: dict[str, str] | None = None,
        **params: Any,
    ):
        url = path.format(**params) + query
        request_headers = {**JSON, **(headers or {})}
        if raw is None and body is not None:
            raw = json.dumps(body).encode("utf-8")
        if raw is not None:
            request_headers["Content-Type"] = content_type
        response = self.app.request(
            url, method=method.upper(), headers=request_headers, body=raw or b"", expect_errors=True
        )
        assert_matches(response, path, method, status)
        return response

    def get(self, path: str, status: int = 200, **kw: Any):
        return self.call("get", path, status, **kw)

    def post(self, path: str, body: Any = None, status: int = 200, **kw: Any):
        return self.call("post", path, status, {} if body is None and "raw" not in kw else body, **kw)

    # What a client program does, step by step.

    def create(self, title: str | None = "Shop") -> dict[str, Any]:
        return self.post("/assessments/", {"title": title}, status=201).json

    def state(self, ref: str) -> dict[str, Any]:
        return self.get(ASSESSMENT, id=ref).json

    def questions(self, ref: str) -> list[dict[str, Any]]:
        return self.get(QUESTIONNAIRE, id=ref).json["questions"]

    def answer(self, ref: str, answers: dict[str, Any], status: int = 200):
        return self.post(ANSWERS, {"answers": answers}, status=status, id=ref)

    def fill_required(self, ref: str, choose=lambda q: q["options"][-1]["key"]) -> dict[str, Any]:
        """Answer every visible required question until none is missing (skip logic may add some)."""
        for _ in range(10):
            missing = self.state(ref)["missing"]
            if not missing:
                return self.state(ref)
            by_key = {q["key"]: q for q in self.questions(ref)}
            self.answer(ref, {key: as_answer(by_key[key], choose(by_key[key])) for key in missing})
        pytest.fail("required questions keep appearing")

    def completed(self, title: str = "Shop", choose=lambda q: q["options"][-1]["key"]):
        ref = self.create(title)["id"]
        self.fill_required(ref, choose)
        return ref, self.post(COMPLETE, id=ref).json


def as_answer(question: dict[str, Any], key: str) -> Any:
    return [key] if question["kind"] == "multi" else key


# --- Fixtures ------------------------------------------------------------------------------


@pytest.fixture
def catalog(make_app):
    """Catalog endpoints touch no table: the default SQLite file is enough."""
    return Client(make_app(frameworks="*", criteria="*"))


@pytest.fixture
def database(database_url):
    alembic_upgrade(database_url)
    return database_url


@pytest.fixture
def client(make_app, database):
    return Client(make_app(frameworks="*", criteria="*", sqlalchemy__url=database))


def assessment_count(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(Assessment))
    finally:
        engine.dispose()


# --- The document itself ---------------------------------------------------------------------

ENDPOINTS = {
    ("/", "get"),
    ("/frameworks/", "get"),
    ("/frameworks/{slug}", "get"),
    ("/frameworks/compare", "get"),
    ("/criteria/", "get"),
    ("/criteria/{key}", "get"),
    ("/assessments/", "get"),
    ("/assessments/", "post"),
    (ASSESSMENT, "get"),
    (ASSESSMENT, "delete"),
    (QUESTIONNAIRE, "get"),
    (ANSWERS, "post"),
    (COMPLETE, "post"),
    (RESULT, "get"),
    (RESCORE, "post"),
    (REVISION, "get"),
    (COMPARE, "get"),
    (EDIT, "get"),
    (EDIT, "post"),
    (DISCARD, "post"),
    (CLAIM, "post"),
    (NEW_LINK, "get"),
    (NEW_LINK, "post"),
    ("/healthz", "get"),
    ("/readyz", "get"),
}


def walk(node: Any, pointer: str = ""):
    yield pointer, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, f"{pointer}/{escape(key)}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{pointer}/{i}")


def test_the_document_is_openapi_3_1_and_describes_every_endpoint():
    document = openapi()
    assert document["openapi"].startswith("3.1.")
    documented = {(path, m) for path, item in document["paths"].items() for m in item if m in METHODS}
    assert documented == ENDPOINTS
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_every_reference_resolves():
    refs = [node["$ref"] for _, node in walk(openapi()) if isinstance(node, dict) and "$ref" in node]
    assert refs
    for ref in refs:
        assert ref.startswith("#/"), ref
        resolve(ref.removeprefix("#"))


def parameters_of(path: str, method: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(in, name) → parameter object, path-level and operation-level, ``$ref``s followed."""
    item = openapi()["paths"][path]
    found = {}
    for parameter in [*item.get("parameters", []), *item[method].get("parameters", [])]:
        if "$ref" in parameter:
            _, parameter = follow(parameter["$ref"].removeprefix("#"))
        found[parameter["in"], parameter["name"]] = parameter
    return found


def test_every_link_names_an_operation_and_fills_its_path():
    """The stateful flow the links describe: each target exists and gets every path parameter."""
    operations = {
        operation["operationId"]: (path, method)
        for path, item in openapi()["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }
    seen = set()
    for path, method in ENDPOINTS:
        for status, response in openapi()["paths"][path][method]["responses"].items():
            for name, link in response.get("links", {}).items():
                what = f"{method.upper()} {path} {status} {name}"
                target = parameters_of(*operations[link["operationId"]])
                names = {parameter_name for _, parameter_name in target}
                assert set(link["parameters"]) <= names, what
                required_path = {n for (where, n), p in target.items() if where == "path" and p["required"]}
                assert required_path <= set(link["parameters"]), what
                for expression in link["parameters"].values():
                    if str(expression).startswith("$request.path."):
                        source = parameters_of(path, method)
                        assert ("path", expression.removeprefix("$request.path.")) in source, what
                    elif str(expression).startswith("$response.body#/"):
                        body = response["content"][JSON_TYPE]["schema"]
                        # Every shape the body may take (one, or the oneOf of result versions) has it.
                        for ref in [body] if "$ref" in body else body["oneOf"]:
                            _, schema = follow(ref["$ref"].removeprefix("#"))
                            assert expression.removeprefix("$response.body#/") in schema["properties"], what
                seen.add(link["operationId"])
    # From a new assessment to its completed result, a rescore and a new draft of its answers.
    assert {"saveAnswers", "completeAssessment", "getLatestResult", "getRevision", "editAnswers"} <= seen


def test_the_documents_names_numbers_and_titles_follow_the_apps_rules():
    document = openapi()["components"]
    parameters, schemas = document["parameters"], document["schemas"]
    assert parameters["Slug"]["schema"]["pattern"] == parameters["Key"]["schema"]["pattern"] == SLUG_PATTERN
    assert schemas["OptionKey"]["pattern"] == OPTION_PATTERN
    assert schemas["QuestionKey"]["pattern"] == Question.model_json_schema()["properties"]["key"]["pattern"]
    assert parameters["RevisionNumber"]["schema"]["maximum"] == 10**MAX_DIGITS - 1
    assert re.fullmatch(parameters["AssessmentId"]["schema"]["pattern"], new_public_id())
    title = schemas["CreateAssessmentRequest"]["properties"]["title"]
    assert title["maxLength"] == TITLE_MAX
    # Every control character and every kind of whitespace: refused exactly where the pattern says.
    allowed = re.compile(title["pattern"])
    for code in (*range(0xD800), *range(0xE000, 0x10000, 97), 0x1F600):
        text = f"a{chr(code)}b"
        assert (clean_title(text)[1] is None) == bool(allowed.search(text)), f"U+{code:04X}"


def test_fixed_shapes_forbid_unknown_members():
    """A member the app adds or drops without the document saying so fails validation."""
    for pointer, node in walk(openapi()["components"]["schemas"]):
        if isinstance(node, dict) and "properties" in node and not pointer.endswith("/properties"):
            if "Request" in pointer.split("/")[1] and node.get("additionalProperties") is not False:
                continue  # a request may tolerate members the server ignores
            assert node.get("additionalProperties") is False, pointer
            assert set(node["required"]) == set(node["properties"]), pointer


def test_every_write_documents_its_body_csrf_and_errors():
    for path, method in ENDPOINTS:
        operation = openapi()["paths"][path][method]
        statuses = set(operation["responses"])
        if method == "get":
            assert "requestBody" not in operation
            continue
        assert operation["requestBody"]["content"].keys() == {JSON_TYPE}, path
        # Only answers need a body: an action takes {} or none, POST /assessments/ none for "Untitled".
        assert operation["requestBody"].get("required", False) is (path == ANSWERS), path
        assert {"400", "413", "415"} <= statuses, path
        assert {"$ref": "#/components/parameters/CsrfToken"} in operation["parameters"], path
        for status in statuses & {"201"}:
            assert "Location" in operation["responses"][status]["headers"], path


# --- Catalog -----------------------------------------------------------------------------------


def test_the_catalog_answers_match_the_document(catalog):
    home = catalog.get("/").json
    frameworks = catalog.get("/frameworks/").json["frameworks"]
    criteria = catalog.get("/criteria/").json["criteria"]
    assert [f["slug"] for f in home["frameworks"]] == [f["slug"] for f in frameworks]
    assert {"django", "flask", "fastapi", "tornado", "pyramid"} <= {f["slug"] for f in frameworks}
    assert [c["key"] for c in home["criteria"]] == [c["key"] for c in criteria]
    for framework in frameworks:
        detail = catalog.get("/frameworks/{slug}", slug=framework["slug"]).json
        assert detail["url"] == framework["url"]
    hooked = []
    for criterion in criteria:
        detail = catalog.get("/criteria/{key}", key=criterion["key"]).json
        assert detail["url"] == criterion["url"] and detail["questions"]
        if detail["rated_by"] == "hook":
            hooked.append(criterion["key"])
            assert {r["score"] for r in detail["ratings"].values()} == {None}
    assert "team_experience" in hooked
    # The ratings of the framework pages leave hook-rated criteria out.
    assert not set(hooked) & set(catalog.get("/frameworks/{slug}", slug="django").json["ratings"])

    chosen = catalog.get("/frameworks/compare", query="?f=flask&f=django&f=flask").json
    assert [f["slug"] for f in chosen["frameworks"]] == ["flask", "django"]
    assert all(set(c["ratings"]) == {"flask", "django"} for c in chosen["criteria"])
    everyone = catalog.get("/frameworks/compare").json
    assert len(everyone["frameworks"]) == min(len(frameworks), 6)

    create = catalog.get("/assessments/").json["create"]
    assert create["method"] == "POST" and create["url"] == home["links"]["assessments"]


def test_catalog_errors_are_json(catalog):
    for path, params in (("/frameworks/{slug}", {"slug": "cobol"}), ("/criteria/{key}", {"key": "nope"})):
        errors = catalog.get(path, 404, **params).json["errors"]
        assert list(errors) == ["_request"]
    unknown = catalog.get("/frameworks/compare", 400, query="?f=django&f=cobol").json["errors"]
    assert unknown == {"_request": "f: unknown framework cobol"}
    many = "&".join(f"f={slug}" for slug in ["django", "flask", "fastapi", "tornado", "pyramid"] * 2)
    catalog.get("/frameworks/compare", 200, query="?" + many)  # duplicates count once
    bad = catalog.get("/", 400, query="?q=%FF").json["errors"]
    assert bad == {"_request": "The query string is not valid UTF-8."}


def test_undeclared_methods_are_405_with_allow(catalog):
    cases = [
        ("put", ASSESSMENT, {"id": MISSING_ID}, "DELETE, GET, HEAD"),
        ("patch", ASSESSMENT, {"id": MISSING_ID}, "DELETE, GET, HEAD"),
        ("get", ANSWERS, {"id": MISSING_ID}, "POST"),
        ("get", COMPLETE, {"id": MISSING_ID}, "POST"),
        ("delete", REVISION, {"id": MISSING_ID, "n": 1}, "GET, HEAD"),
        ("put", "/assessments/", {}, "GET, HEAD, POST"),
        ("post", "/frameworks/", {}, "GET, HEAD"),
        ("delete", "/criteria/{key}", {"key": "realtime"}, "GET, HEAD"),
    ]
    for method, path, params, allow in cases:
        response = catalog.call(method, path, 405, **params)
        assert response.headers["Allow"] == allow
        assert response.json["errors"]["_request"].startswith(f"{method.upper()} is not allowed here")


# --- Assessments: the whole flow -------------------------------------------------------------------


def test_a_client_program_runs_the_whole_flow_without_html(client):
    created = client.post("/assessments/", {"title": "  Web   shop  "}, status=201)
    ref = created.json["id"]
    assert created.headers["Location"] == created.json["url"]
    assert created.json["url"].endswith(f"/assessments/{ref}/")
    assert len(ref) >= 22  # at least 128 bits of randomness, URL-safe base64

    state = client.state(ref)
    assert (state["title"], state["status"], state["answers"], state["revisions"]) == (
        "Web shop",
        "draft",
        {},
        [],
    )
    assert state["missing"] and state["based_on"] is None

    # Page by page: answer what is visible, re-read the questionnaire for follow-ups.
    questionnaire = client.get(QUESTIONNAIRE, id=ref).json
    for page in questionnaire["pages"]:
        for _ in range(5):
            saved = client.state(ref)["answers"]
            todo = [
                q
                for q in client.questions(ref)
                if q["page"] == page["n"] and q["visible"] and q["key"] not in saved
            ]
            if not todo:
                break
            state = client.answer(ref, {q["key"]: as_answer(q, q["options"][-1]["key"]) for q in todo}).json
            assert {q["key"] for q in todo} <= set(state["answers"])
    state = client.state(ref)
    assert state["missing"] == []
    assert state["progress"]["answered"] == state["progress"]["visible"]
    follow_ups = [q for q in client.questions(ref) if q["condition"] and q["visible"]]
    assert follow_ups, "skip logic showed no follow-up question"

    completed = client.post(COMPLETE, id=ref)
    result = completed.json
    assert result["revision"] == 1
    assert completed.headers["Location"] == result["url"]
    assert result["url"].endswith(f"/assessments/{ref}/revisions/1")
    assert result["ranking"] and not result["no_preference"]
    assert [e["rank"] for e in result["ranking"]] == list(range(1, len(result["ranking"]) + 1))
    assert client.get(RESULT, id=ref).json == result
    assert client.get(REVISION, id=ref, n=1).json == result
    state = client.state(ref)
    assert state["status"] == "complete" and [r["n"] for r in state["revisions"]] == [1]
    put = client.call("put", ASSESSMENT, 405, {"title": "Renamed"}, id=ref)
    assert put.headers["Allow"] == "DELETE, GET, HEAD" and client.state(ref) == state

    rescored = client.post(RESCORE, status=201, id=ref)
    assert rescored.json["revision"] == 2 and rescored.headers["Location"] == rescored.json["url"]
    assert client.get(RESULT, id=ref).json == rescored.json
    compared = client.get(COMPARE, query="?with=1", id=ref, n=2).json
    assert (compared["old"], compared["new"]) == (1, 2)
    assert all(f["rank"][0] == f["rank"][1] for f in compared["frameworks"])

    edited = client.post(EDIT, status=200, id=ref)
    draft = client.state(ref)
    assert edited.headers["Location"] == edited.json["url"] == draft["url"] == state["url"]
    assert draft["answers"] == state["answers"] and draft["status"] == "complete"
    assert (draft["draft_revision"], draft["editing_from"]) == (3, 2)
    discarded = client.post(DISCARD, status=200, id=ref)
    assert discarded.json["draft_revision"] is None and client.state(ref) == {
        **state,
        "revisions": discarded.json["revisions"],
    }
    assert client.get(ASSESSMENT, id=ref).headers["Referrer-Policy"] == "same-origin"


def test_create_defaults_and_normalises_the_title(client):
    for title, expected in ((None, "Untitled assessment"), ("   ", "Untitled assessment"), ("a\n b", "a b")):
        created = client.create(title)
        assert created["status"] == "draft"
        assert client.state(created["id"])["title"] == expected
    created = client.post("/assessments/", {}, status=201).json
    assert client.state(created["id"])["title"] == "Untitled assessment"
    # Exactly 200 characters fit; whitespace is collapsed before counting.
    assert client.state(client.create("x" * 200)["id"])["title"] == "x" * 200
    assert client.state(client.create(" x" * 3 + "y" * 195 + "\t\n ")["id"])["title"] == "x x x" + "y" * 195


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("x" * 201, "The title is 201 characters long; at most 200 fit."),
        (["a list"], "The title must be text."),
        (42, "The title must be text."),
    ],
)
def test_a_bad_title_is_a_400_naming_the_field_and_creates_nothing(client, database, title, message):
    before = assessment_count(database)
    errors = client.post("/assessments/", {"title": title}, status=400).json["errors"]
    assert errors == {"title": message}
    assert assessment_count(database) == before


# --- Answers: validated as a whole -------------------------------------------------------------

SAVED = {"project_scale.size": "large", "team_experience.known": ["django", "flask"]}
VALID_CHANGE = {"project_scale.size": "small"}

BAD_ANSWERS = {
    "unknown question key": (
        {"answers": {**VALID_CHANGE, "nope.question": "yes"}},
        {"nope.question": "There is no such question."},
    ),
    "unknown option": (
        {"answers": {**VALID_CHANGE, "realtime.live": "sometimes"}},
        {"realtime.live": "'sometimes' is not one of the answers (no, some, important, core, unsure)."},
    ),
    "list for a single question": (
        {"answers": {"realtime.live": "core", "project_scale.size": ["small"]}},
        {"project_scale.size": "This question takes exactly one answer."},
    ),
    "string for a multi question": (
        {"answers": {**VALID_CHANGE, "team_experience.known": "django"}},
        {"team_experience.known": "This question takes a list of answers."},
    ),
    "empty list for a multi question": (
        {"answers": {**VALID_CHANGE, "team_experience.known": []}},
        {"team_experience.known": "Choose at least one answer, or clear the question."},
    ),
    "unsure where not allowed": (
        {"answers": {**VALID_CHANGE, "rapid_start.start": "unsure"}},
        {
            "rapid_start.start": "'unsure' is not one of the answers "
            "(complete, first_version, focused, prototype)."
        },
    ),
    "several problems at once": (
        {"answers": {**VALID_CHANGE, "nope.a": "x", "realtime.live": 3}},
        {"nope.a": "There is no such question.", "realtime.live": "This question takes exactly one answer."},
    ),
    "answers missing": ({"title": "x"}, {"_request": 'Send {"answers": {"<question key>": …}}.'}),
    "answers not an object": (
        {"answers": ["project_scale.size"]},
        {"_request": 'Send {"answers": {"<question key>": …}}.'},
    ),
    "an extra member": (
        {"answers": VALID_CHANGE, "complete": True},
        {"_request": 'Send {"answers": {"<question key>": …}}.'},
    ),
    "four priorities": (
        {
            "answers": {
                **VALID_CHANGE,
                "portal.priorities": ["realtime", "admin_ui", "api_first", "ml_serving"],
            }
        },
        {"portal.priorities": "Choose at most 3."},
    ),
    "a priority that is no criterion": (
        {"answers": {"portal.priorities": ["realtime", "speed"]}},
        {
            "portal.priorities": "'speed' is not one of the answers (project_scale, scope_growth, "
            "rapid_start, admin_ui, auth_permissions, data_model, content_structure, server_rendered, "
            "security_defaults, api_first, async_concurrency, realtime, ml_serving, team_experience, "
            "flexibility, maintenance, ecosystem, serverless)."
        },
    ),
    "a non-object body": ([VALID_CHANGE], {"_request": "The body must be a JSON object."}),
    "invalid JSON": (b'{"answers": {"project_scale.size": "small",}}', "The body is not valid JSON"),
    "an empty body": (b"", {"_request": 'Send {"answers": {"<question key>": …}}.'}),
    "invalid UTF-8": (
        b'{"answers": {"project_scale.size": "\xff"}}',
        {"_request": "The request body is not valid UTF-8."},
    ),
}


@pytest.mark.parametrize("case", list(BAD_ANSWERS))
def test_an_invalid_answers_request_is_a_400_naming_the_problem_and_saves_nothing(client, case):
    ref = client.create()["id"]
    client.answer(ref, SAVED)
    before = client.state(ref)
    body, expected = BAD_ANSWERS[case]
    if isinstance(body, bytes):
        errors = client.post(ANSWERS, raw=body, status=400, id=ref).json["errors"]
    else:
        errors = client.post(ANSWERS, body, status=400, id=ref).json["errors"]
    if isinstance(expected, str):
        assert list(errors) == ["_request"] and errors["_request"].startswith(expected)
    else:
        assert errors == expected
    assert client.state(ref) == before


def test_answers_merge_and_null_clears(client):
    ref = client.create()["id"]
    client.answer(ref, SAVED)
    state = client.answer(ref, {"project_scale.size": None, "realtime.live": "core"}).json
    assert state["answers"] == {"team_experience.known": ["django", "flask"], "realtime.live": "core"}
    # A multi answer is stored in the options' order; "unsure" counts as an answer.
    state = client.answer(ref, {"team_experience.known": ["flask", "django"], "realtime.live": "unsure"}).json
    assert state["answers"]["team_experience.known"] == ["django", "flask"]
    assert state["answers"]["realtime.live"] == "unsure"
    # Clearing an answer nobody gave is fine.
    assert client.answer(ref, {"admin_ui.records": None}).json["answers"] == state["answers"]


def test_skip_logic_shows_a_follow_up_only_while_its_trigger_opens_it(client):
    ref = client.create()["id"]

    def visible(key: str) -> bool:
        return next(q["visible"] for q in client.questions(ref) if q["key"] == key)

    assert not visible("admin_ui.records")
    opened = client.answer(ref, {"admin_ui.need": "yes"}).json["progress"]
    assert visible("admin_ui.records")
    closed = client.answer(ref, {"admin_ui.records": "many", "admin_ui.need": "no"}).json
    # The follow-up's answer is kept (DESIGN 6) but hidden: not shown, not counted.
    assert not visible("admin_ui.records") and closed["answers"]["admin_ui.records"] == "many"
    assert closed["progress"]["visible"] == opened["visible"] - 1
    assert closed["progress"]["answered"] == opened["answered"]


def test_other_body_types_are_415_and_change_nothing(client, database):
    ref = client.create()["id"]
    client.answer(ref, SAVED)
    before, count = client.state(ref), assessment_count(database)
    xml = b"<answers><project_scale.size>small</project_scale.size></answers>"
    for path in (ANSWERS, COMPLETE, "/assessments/"):
        response = client.post(path, raw=xml, content_type="text/xml", status=415, id=ref)
        assert response.json["errors"] == {
            "_request": "text/xml is not accepted here; send application/json or a form."
        }
    assert client.state(ref) == before
    assert assessment_count(database) == count


def test_a_body_over_the_limit_is_413_and_saves_nothing(make_app, database):
    client = Client(make_app(sqlalchemy__url=database, portal__max_body_bytes="2048"))
    ref = client.create()["id"]
    before = client.state(ref)
    padding = {"project_scale.size": "small", "notes": "x" * 4000}
    errors = client.post(ANSWERS, {"answers": padding}, status=413, id=ref).json["errors"]
    assert errors == {"_request": "The request body is larger than the limit of 2048 bytes."}
    assert client.state(ref) == before


# --- State conflicts -------------------------------------------------------------------------------


def test_completing_with_required_questions_open_is_a_409_naming_them(client):
    ref = client.create()["id"]
    client.answer(ref, {"project_scale.size": "large"})
    missing = client.state(ref)["missing"]
    assert missing and "project_scale.size" not in missing
    conflict = client.post(COMPLETE, status=409, id=ref).json
    assert conflict["missing"] == missing
    assert conflict["errors"] == {
        "_request": "Some required questions are not answered yet.",
        **{key: "This question is required." for key in missing},
    }
    state = client.state(ref)
    assert state["status"] == "draft" and state["revisions"] == []
    client.get(RESULT, 404, id=ref)


def test_a_completed_assessment_refuses_a_second_completion_and_new_answers(client):
    ref, result = client.completed()
    before = client.state(ref)
    again = client.post(COMPLETE, status=409, id=ref).json
    assert again == {"errors": {"_request": "This assessment is already complete."}, "missing": []}
    changed = client.answer(ref, {"project_scale.size": "small"}, status=409).json
    assert changed["errors"] == {
        "_request": "This assessment is complete; choose 'Edit answers' to change its answers."
    }
    refused = client.call("delete", ASSESSMENT, 409, {}, id=ref).json
    assert refused["errors"]["_request"] == "Only a draft can be deleted; a completed assessment is kept."
    assert client.state(ref) == before
    assert client.get(REVISION, id=ref, n=1).json == result


def test_rescoring_a_draft_is_a_409(client):
    ref = client.create()["id"]
    conflict = client.post(RESCORE, status=409, id=ref).json
    assert conflict["errors"] == {
        "_request": "Only a completed assessment can be re-scored; complete it first."
    }
    assert client.state(ref)["revisions"] == []


def test_a_draft_can_be_deleted(client):
    ref = client.create()["id"]
    response = client.call("delete", ASSESSMENT, 204, {}, id=ref)
    assert response.headers["X-Robots-Tag"] == "noindex"
    client.get(ASSESSMENT, 404, id=ref)


# --- Missing things -------------------------------------------------------------------------------


def test_a_missing_assessment_is_a_404_in_json(client):
    for path in (ASSESSMENT, QUESTIONNAIRE, RESULT, REVISION, COMPARE):
        errors = client.get(path, 404, query="?with=1" if path == COMPARE else "", id=MISSING_ID, n=1).json[
            "errors"
        ]
        # One message for every link that opens nothing: it names no path, so a 404 says
        # nothing about whether an assessment exists (tests/test_access.py compares bodies).
        assert errors == {"_request": UnknownLink().detail}
    for path in (ANSWERS, COMPLETE, RESCORE, EDIT, DISCARD):
        body = {"answers": {}} if path == ANSWERS else {}
        client.call("post", path, 404, body, id=MISSING_ID, n=1)
    client.call("delete", ASSESSMENT, 404, {}, id=MISSING_ID)
    # An id of the wrong length never reaches the database.
    client.get(ASSESSMENT, 404, id="short")


def test_a_missing_revision_is_a_404_in_json(client):
    ref, _ = client.completed()
    for n in (2, 999999):
        errors = client.get(REVISION, 404, id=ref, n=n).json["errors"]
        assert list(errors) == ["_request"]
    client.get(COMPARE, 404, query="?with=1", id=ref, n=2)
    client.get(COMPARE, 404, query="?with=2", id=ref, n=1)
    for query in ("", "?with=", "?with=one", "?with=-1"):
        errors = client.get(COMPARE, 400, query=query, id=ref, n=1).json["errors"]
        assert errors == {"_request": "with: give the number of another revision of this assessment."}
    draft = client.create()["id"]
    client.get(RESULT, 404, id=draft)
    client.get(REVISION, 404, id=draft, n=1)


# --- CSRF ---------------------------------------------------------------------------------------------


def test_a_json_post_with_the_session_cookie_needs_the_token_and_a_cookieless_one_does_not(client, database):
    app = client.app
    # Cookie-less JSON: no token needed.
    ref = client.create()["id"]
    assert SESSION_COOKIE not in app.cookies
    client.answer(ref, {"project_scale.size": "large"})

    # An HTML form starts a browser session; from now on the cookie travels with every request.
    form = app.get("/assessments/", headers={"Accept": "text/html"})
    assert SESSION_COOKIE in app.cookies
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)

    before, count = client.state(ref), assessment_count(database)
    refused = client.answer(ref, {"project_scale.size": "small"}, status=400).json["errors"]
    assert list(refused) == ["_request"] and "csrf" in refused["_request"].lower()
    client.post("/assessments/", {"title": "forged"}, status=400)
    client.post(ANSWERS, {"answers": {}}, status=400, headers={"X-CSRF-Token": "not-the-token"}, id=ref)
    assert client.state(ref) == before
    assert assessment_count(database) == count

    # With the session's token in the header the same request is accepted.
    accepted = client.post(
        ANSWERS, {"answers": {"project_scale.size": "small"}}, headers={"X-CSRF-Token": token}, id=ref
    )
    assert accepted.json["answers"]["project_scale.size"] == "small"

    # Dropping the cookie makes it an API request again.
    app.reset()
    assert (
        client.answer(ref, {"project_scale.size": "medium"}).json["answers"]["project_scale.size"] == "medium"
    )


def test_a_cookieless_form_or_text_body_is_still_csrf_checked(client, database):
    count = assessment_count(database)
    for content_type, raw in (
        ("application/x-www-form-urlencoded", b"title=forged"),
        ("text/plain", b'{"title": "forged"}'),
    ):
        response = client.post("/assessments/", raw=raw, content_type=content_type, status=400)
        assert "csrf" in response.json["errors"]["_request"].lower()
    assert assessment_count(database) == count


# --- Results, revisions and snapshots ----------------------------------------------------------------


def test_rescoring_adds_revision_2_and_the_comparison_reports_no_change(client):
    ref, first = client.completed()
    rescored = client.post(RESCORE, status=201, id=ref).json
    assert rescored["revision"] == 2 and rescored["dropped"] == rescored["dropped_options"] == []
    assert {k: v for k, v in rescored.items() if k not in ("revision", "url", "created")} == {
        k: v for k, v in first.items() if k not in ("revision", "url", "created")
    }
    assert [r["n"] for r in client.state(ref)["revisions"]] == [1, 2]

    compared = client.get(COMPARE, query="?with=1", id=ref, n=2).json
    assert compared["assessment"] == {"id": ref, "title": "Shop"}
    assert (compared["old"], compared["new"]) == (1, 2)
    for entry in compared["frameworks"]:
        assert entry["rank"][0] == entry["rank"][1] and entry["score"][0] == entry["score"][1]
    assert {e["framework"] for e in compared["frameworks"]} == {e["framework"] for e in first["ranking"]}
    nothing = {
        "criteria_added": [],
        "criteria_removed": [],
        "weights_changed": {},
        "versions_changed": {},
        "answers_changed": [],
        "dropped": [],
        "dropped_options": [],
    }
    assert {key: compared[key] for key in nothing} == nothing
    # Either direction works; revision 1 is untouched.
    assert client.get(COMPARE, query="?with=2", id=ref, n=1).json["old"] == 2
    assert client.get(REVISION, id=ref, n=1).json == first


def test_edit_drafts_the_next_revision_at_the_same_link(client):
    ref, first = client.completed()
    answers = client.state(ref)["answers"]
    opened = client.post(EDIT, status=200, id=ref).json
    assert opened["id"] == ref and opened["status"] == "complete" and opened["answers"] == answers
    assert (opened["draft_revision"], opened["editing_from"], opened["missing"]) == (2, 1, [])

    # The draft changes and completes as revision 2; revision 1 stays as it was.
    client.answer(ref, {"realtime.live": "no", "team_experience.known": None})
    second = client.post(COMPLETE, id=ref).json
    assert second["revision"] == 2
    state = client.state(ref)
    assert [(r["n"], r["edited_from"]) for r in state["revisions"]] == [(1, None), (2, 1)]
    assert state["answers"]["realtime.live"] == "no" and state["draft_revision"] is None
    assert client.get(REVISION, id=ref, n=1).json == first
    compared = client.get(COMPARE, query="?with=1", id=ref, n=2).json
    assert {c["question"] for c in compared["answers_changed"]} >= {"realtime.live"}


def test_result_and_revision_carry_the_snapshot(client):
    frameworks = client.get("/frameworks/").json["frameworks"]
    criteria = client.get("/criteria/").json["criteria"]
    ref, result = client.completed()
    for body in (result, client.get(RESULT, id=ref).json, client.get(REVISION, id=ref, n=1).json):
        assert body["snapshot"] == {
            "frameworks": {f["slug"]: f["version"] for f in frameworks},
            "criteria": {c["key"]: c["version"] for c in criteria},
            "weights": {c["key"]: c["weight"] for c in criteria},
        }


def test_a_revision_never_changes_and_revalidates_with_its_etag(client):
    ref, first = client.completed()
    response = client.get(REVISION, id=ref, n=1)
    etag = response.headers["ETag"]
    assert response.headers["Cache-Control"] == "private, no-cache"
    client.get(REVISION, 304, headers={"If-None-Match": etag}, id=ref, n=1)
    client.post(RESCORE, status=201, id=ref)
    client.post(EDIT, status=200, id=ref)
    again = client.get(REVISION, id=ref, n=1)
    assert again.json == first and again.headers["ETag"] == etag


ANSWER_STYLES = {
    # The first option of every question: mostly "no need".
    "first": lambda q: q["options"][0]["key"],
    # The last option: every criterion matters, a full ranking with reasons.
    "last": lambda q: q["options"][-1]["key"],
    # "Not sure" wherever allowed: listed as uncertain and lowering the confidence.
    "unsure": lambda q: "unsure" if q["allow_unsure"] else q["options"][len(q["options"]) // 2]["key"],
}


@pytest.mark.parametrize("style", list(ANSWER_STYLES))
def test_results_of_different_answers_match_the_document(client, style):
    ref, result = client.completed(choose=ANSWER_STYLES[style])
    assert client.get(RESULT, id=ref).json == result
    if result["no_preference"]:
        assert result["ranking"] == [] and result["what_if"] == [] and result["sensitivity"] == []
    else:
        assert {e["framework"] for e in result["ranking"]} == set(result["snapshot"]["frameworks"])
    if style == "unsure":
        unsure = {key for key, value in client.state(ref)["answers"].items() if value == "unsure"}
        assert unsure and set(result["uncertain"]) == unsure


# --- Answers follow Accept; 404s keep the view's message ------------------------------------------


def test_a_bodiless_action_asking_for_json_is_answered_in_json(client):
    ref = client.create()["id"]
    response = client.app.post(f"/assessments/{ref}/complete", headers=JSON, expect_errors=True)
    assert response.status_int == 409 and response.content_type == JSON_TYPE


def test_writes_without_a_body_are_answered_as_documented(client):
    """No body and no Content-Type where the document's requestBody is not required."""
    created = client.call("post", "/assessments/", 201).json
    ref = created["id"]
    assert client.state(ref)["title"] == "Untitled assessment"
    assert client.call("post", COMPLETE, 409, id=ref).json["missing"]
    client.fill_required(ref)
    assert client.call("post", COMPLETE, 200, id=ref).json["revision"] == 1
    assert client.call("post", RESCORE, 201, id=ref).json["revision"] == 2
    assert client.call("post", EDIT, 200, id=ref).json["draft_revision"] == 3
    assert client.call("post", DISCARD, 200, id=ref).json["draft_revision"] is None
    draft = client.create()["id"]
    client.call("delete", ASSESSMENT, 204, id=draft)
    client.get(ASSESSMENT, 404, id=draft)
    # The one write that needs a body refuses to go without.
    client.call("post", ANSWERS, 400, id=client.create()["id"])


def test_a_404_keeps_the_message_of_the_view(client):
    ref, _ = client.completed()
    errors = client.get(COMPARE, 404, query="?with=9", id=ref, n=1).json["errors"]
    assert errors == {"_request": "This assessment has no revision 9."}


# --- Accounts: claiming, a new link ---------------------------------------------------------------


def bearer_client(client, email: str = "ann@example.com") -> Client:
    """The same app, called with a client's API token (no cookie, so no CSRF token)."""
    import webtest

    from .accounts import add_user

    app = client.app
    user_id = add_user(app, email)
    token = api_token(app, user_id)
    return Client(webtest.TestApp(app.app, extra_environ={"HTTP_AUTHORIZATION": f"Bearer {token}"}))


def api_token(app, user_id: int) -> str:
    from pyramid.scripting import prepare

    from portal.auth import new_api_token
    from portal.models import User

    env = prepare(registry=app.app.registry)
    try:
        request = env["request"]
        request.method = "POST"
        with request.tm:
            return new_api_token(request, request.dbsession.get(User, user_id), "api test")
    finally:
        env["closer"]()


def test_claiming_and_a_new_link_answer_as_documented(client):
    ref = client.create()["id"]
    # Without an account, or for another client once claimed: the unknown link's 404.
    client.post(CLAIM, status=404, id=ref)
    ann = bearer_client(client)
    claimed = ann.post(CLAIM, status=200, id=ref).json
    assert claimed["id"] == ref
    assert ann.post(CLAIM, status=200, id=ref).json["id"] == ref
    bob = bearer_client(client, "bob@example.com")
    bob.post(CLAIM, status=404, id=ref)
    client.get(ASSESSMENT, status=404, id=ref)
    bob.post(NEW_LINK, status=404, id=ref)
    assert ann.get(NEW_LINK, status=200, id=ref).json["id"] == ref
    renewed = ann.post(NEW_LINK, status=200, id=ref).json
    assert renewed["id"] != ref
    ann.get(ASSESSMENT, status=404, id=ref)
    ann.get(ASSESSMENT, status=200, id=renewed["id"])
    # An anonymous one's link is its holder's to replace.
    other = client.create()["id"]
    assert client.post(NEW_LINK, status=200, id=other).json["id"] != other
    client.post(NEW_LINK, {"x": 1}, status=400, id=client.create()["id"])
