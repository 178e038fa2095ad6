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
from datetime import timedelta
from functools import cache
from types import SimpleNamespace
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
from portal.views.workspace import NOTE_MAX, REASON_MAX, _answered_revision, text_field
from portal.workspace import CLIENT_MAX, PAGE_SIZE, STATUSES, parse_filters, today

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

# The consultant workspace: assessments by row id, for a consultant's or administrator's API token.
OVERVIEW = "/consultant/"
WORKSPACE = "/consultant/assessments/"
WORKSPACE_ASSESSMENT = "/consultant/assessments/{row}/"
WORKSPACE_EXPORT = "/consultant/assessments/{row}/export.json"
NOTES = "/consultant/assessments/{row}/notes"
DECISION = "/consultant/assessments/{row}/decision"
WORKSPACE_OPERATIONS = {
    (OVERVIEW, "get"),
    (WORKSPACE, "get"),
    (WORKSPACE_ASSESSMENT, "get"),
    (WORKSPACE_EXPORT, "get"),
    (NOTES, "post"),
    (DECISION, "post"),
}
MISSING_ROW = 999999


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
    *WORKSPACE_OPERATIONS,
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
        # Only answers, a note and a decision need a body: an action takes {} or none,
        # POST /assessments/ none for "Untitled".
        assert operation["requestBody"].get("required", False) is (path in (ANSWERS, NOTES, DECISION)), path
        assert {"400", "413", "415"} <= statuses, path
        assert {"$ref": "#/components/parameters/CsrfToken"} in operation["parameters"], path
        for status in statuses & {"201"}:
            # A note or a decision has no URL of its own: its 201 says what was saved, no Location.
            has_location = "Location" in operation["responses"][status]["headers"]
            assert has_location is (path not in (NOTES, DECISION)), path


def test_the_workspace_and_only_the_workspace_asks_for_an_api_token():
    document = openapi()
    assert "security" not in document  # no default: the catalog and private links need no credentials
    scheme = document["components"]["securitySchemes"]["apiToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path, method in ENDPOINTS:
        operation = document["paths"][path][method]
        if (path, method) not in WORKSPACE_OPERATIONS:
            assert "security" not in operation and "401" not in operation["responses"], path
            continue
        assert path.startswith("/consultant/") and operation["tags"] == ["workspace"], path
        assert operation["security"] == [{"apiToken": []}], path
        assert operation["responses"]["401"] == {"$ref": "#/components/responses/Unauthorized"}, path
        assert operation["responses"]["403"] == {"$ref": "#/components/responses/Forbidden"}, path
        if "{row}" in path:
            assert ("path", "row") in parameters_of(path, method), path
            assert operation["responses"]["404"] == {"$ref": "#/components/responses/NoSuchRow"}, path
    _, unauthorized = follow("/components/responses/Unauthorized")
    assert unauthorized["headers"]["WWW-Authenticate"] == {"$ref": "#/components/headers/WWWAuthenticate"}
    assert resolve("/components/headers/WWWAuthenticate")["required"] is True


def test_the_workspace_parameters_and_texts_follow_the_apps_rules():
    components = openapi()["components"]
    assert components["parameters"]["Row"]["schema"]["maximum"] == 10**MAX_DIGITS - 1
    filters = {p["name"]: p["schema"] for p in openapi()["paths"][WORKSPACE]["get"]["parameters"]}
    assert filters["status"]["enum"] == ["", *STATUSES]  # empty: any, as the page's form sends it
    assert filters["page"]["maximum"] == 10**MAX_DIGITS - 1
    assert filters["client"]["maxLength"] == CLIENT_MAX
    assert components["schemas"]["WorkspaceList"]["properties"]["assessments"]["maxItems"] == PAGE_SIZE
    client = re.compile(filters["client"]["pattern"])
    for code in (*range(0xD800), *range(0xE000, 0x10000, 97), 0xFEFF, 0x1F600):
        character = chr(code)
        for typed in (f"a{character}b", character, f"{character}a{character}"):
            _, errors = parse_filters({"client": typed}, {})
            assert ("client" not in errors) == bool(client.search(typed)), f"client U+{code:04X} in {typed!r}"
    # A note and a decision's reason: exactly the text text_field takes, every character tried.
    schemas = components["schemas"]
    for schema, name, limit in (
        (schemas["NoteRequest"], "body", NOTE_MAX),
        (schemas["DecisionRequest"], "reason", REASON_MAX),
    ):
        text = schema["properties"][name]
        assert text["maxLength"] == limit and name in schema["required"]
        allowed = re.compile(text["pattern"])
        for code in (*range(0xD800), *range(0xE000, 0x10000, 97), 0xFEFF, 0x1F600):
            character = chr(code)
            for typed in (f"a{character}b", character, f" {character}\n"):
                problem = text_field({name: typed}, name, "Text", limit, "write something.")[1]
                assert (problem is None) == bool(allowed.search(typed)), f"{name} U+{code:04X} in {typed!r}"
        for length, fits in ((limit, True), (limit + 1, False)):
            assert (
                text_field({name: "x" * length}, name, "Text", limit, "write something.")[1] is None
            ) is fits
    # A decision's revision as text (the page's form sends it so): its digits, whitespace around them.
    number, empty, text, none = schemas["DecisionRequest"]["properties"]["revision"]["anyOf"]
    assert (number["maximum"], empty, none) == (10**MAX_DIGITS - 1, {"const": ""}, {"type": "null"})
    digits = re.compile(text["pattern"])
    # (An assessment with revisions 1 to 999, so that every number typed below is one of them:
    # the syntax is what is compared, not which revisions exist.)
    many = SimpleNamespace(revisions=[SimpleNamespace(number=n) for n in range(1, 1000)])
    for code in (*range(0x3100), 0xFEFF, 0x1F600):
        for typed in (f"{chr(code)}2{chr(code)}", f"2{chr(code)}", chr(code)):
            accepted = _answered_revision(many, {"revision": typed})[1] is None
            assert accepted == bool(digits.search(typed)), f"revision U+{code:04X} in {typed!r}"
    # Empty or null: the latest.
    assert _answered_revision(many, {"revision": ""}) == _answered_revision(many, {}) == (999, None)


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


# --- The consultant workspace: row ids, an API token ---------------------------------------------

RESULT_ENVELOPE = ("revision", "url", "created", "dropped", "dropped_options", "snapshot")


def account_client(client, email: str, role: str):
    """(a JSON client sending the account's API token, the signed-in browser that made the token).

    The token is made as a person does: signed in, on the account page (tests/accounts.py).
    """
    import webtest

    from .accounts import add_user, new_token, sign_in

    app = client.app.app
    add_user(client.app, email, role=role)
    browser = webtest.TestApp(app)
    sign_in(browser, email)
    token = new_token(browser, "workspace")
    return Client(webtest.TestApp(app, extra_environ={"HTTP_AUTHORIZATION": f"Bearer {token}"})), browser


def listed_by_title(consultant: Client, query: str = "") -> dict[str, dict[str, Any]]:
    return {item["title"]: item for item in consultant.get(WORKSPACE, query=query).json["assessments"]}


def expected_answers(client: Client, ref: str) -> list[dict[str, str]]:
    """The saved answers in words, in questionnaire order, as the workspace shows them."""
    answers = client.state(ref)["answers"]
    expected = []
    for question in client.questions(ref):
        if question["key"] in answers:
            labels = {option["key"]: option["label"] for option in question["options"]}
            value = answers[question["key"]]
            words = ", ".join(labels[v] for v in (value if isinstance(value, list) else [value]))
            expected.append({"question": question["text"], "answer": words})
    return expected


def test_a_consultants_token_reads_the_workspace_as_documented(client):
    cora, _ = account_client(client, "cora@example.com", "consultant")
    ada, _ = account_client(client, "ada@example.com", "client")
    shop_ref, shop_result = client.completed("Shop")
    owned_ref = ada.create("Ada's app")["id"]  # started with her token: hers from the start
    sketch_ref = client.create("Sketch")["id"]

    listing = cora.get(WORKSPACE)
    body = listing.json
    assert listing.headers["Cache-Control"] == "no-store"
    assert (body["total"], body["page"], body["pages"], body["next"], body["previous"]) == (
        3,
        1,
        1,
        None,
        None,
    )
    # The last updated first; no answer of the workspace holds a private link.
    assert [item["title"] for item in body["assessments"]] == ["Sketch", "Ada's app", "Shop"]
    for ref in (shop_ref, owned_ref, sketch_ref):
        assert ref not in listing.text
    by_title = {item["title"]: item for item in body["assessments"]}
    shop, sketch = by_title["Shop"], by_title["Sketch"]
    first = shop_result["ranking"][0]
    assert shop == {
        "id": shop["id"],
        "url": f"http://localhost/consultant/assessments/{shop['id']}/",
        "title": "Shop",
        "client": "Anonymous",
        "status": "complete",
        "created": shop["created"],
        "updated": shop["updated"],
        "revision": 1,
        "recommended": first["framework"],
        "score": first["score"],
        "confidence": shop_result["confidence"]["level"],
        "decision": None,
        "decided_on": None,
    }
    assert shop["created"] <= shop["updated"] == shop_result["created"]
    assert by_title["Ada's app"]["client"] == "Ada (ada@example.com)"
    assert sketch["status"] == "draft"
    assert [sketch[k] for k in ("revision", "recommended", "score", "confidence")] == [None] * 4

    # One assessment: the list's fields and its answers, ranking and revisions.
    detail = cora.get(WORKSPACE_ASSESSMENT, row=shop["id"])
    shown = detail.json
    assert shop_ref not in detail.text
    assert {key: shown[key] for key in shop} == shop
    assert shown["answers"] == expected_answers(client, shop_ref)
    assert shown["ranking"] == [
        {key: entry[key] for key in ("rank", "framework", "title", "score")}
        for entry in shop_result["ranking"]
    ]
    assert shown["revisions"] == [
        {"n": 1, "created": shop_result["created"], "url": shop["url"] + "revisions/1"}
    ]
    assert (shown["notes"], shown["decisions"]) == ([], [])
    draft = cora.get(WORKSPACE_ASSESSMENT, row=sketch["id"]).json
    assert (draft["answers"], draft["ranking"], draft["revisions"], draft["decision"]) == ([], [], [], None)

    # The export: the same and every revision's result as stored, as an attachment.
    export = cora.get(WORKSPACE_EXPORT, row=shop["id"])
    assert export.headers["Content-Disposition"] == 'attachment; filename="shop.json"'
    assert shop_ref not in export.text
    exported = export.json
    assert {key: value for key, value in exported.items() if key != "results"} == shown
    stored = {key: value for key, value in shop_result.items() if key not in RESULT_ENVELOPE}
    assert exported["results"] == [{"n": 1, "created": shop_result["created"], "result": stored}]
    assert cora.get(WORKSPACE_EXPORT, row=sketch["id"]).json["results"] == []
    owned = cora.get(WORKSPACE_EXPORT, row=by_title["Ada's app"]["id"])
    assert owned.headers["Content-Disposition"] == 'attachment; filename="ada-s-app.json"'

    # The overview counts the completed one.
    overview = cora.get(OVERVIEW).json
    assert (overview["completed"], overview["decided"], overview["followed"], overview["differed"]) == (
        1,
        0,
        0,
        0,
    )
    assert [(f["framework"], f["count"], f["share"]) for f in overview["first"]] == [
        (first["framework"], 1, 100)
    ]
    # A token request sets no cookie: the program never needs a CSRF token.
    assert not cora.app.cookies


def test_the_workspace_list_filters_and_pages_as_documented(client):
    cora, _ = account_client(client, "cora@example.com", "consultant")
    ada, _ = account_client(client, "ada@example.com", "client")
    _, shop = client.completed("Shop")
    ada.create("Ada's app")
    for n in range(PAGE_SIZE):
        client.create(f"Draft {n}")
    recommended = shop["ranking"][0]["framework"]
    day = today().isoformat()

    assert set(listed_by_title(cora, "?status=complete")) == {"Shop"}
    assert set(listed_by_title(cora, f"?framework={recommended}&status=")) == {"Shop"}
    assert set(listed_by_title(cora, "?client=ADA")) == {"Ada's app"}
    assert "Ada's app" not in listed_by_title(cora, "?client=anonymous&status=complete")
    assert set(listed_by_title(cora, f"?since={day}&until={day}&client=+ada+")) == {"Ada's app"}
    assert cora.get(WORKSPACE, query="?until=2000-01-01").json["total"] == 0

    first = cora.get(WORKSPACE).json
    assert (first["total"], first["pages"], len(first["assessments"])) == (PAGE_SIZE + 2, 2, PAGE_SIZE)
    assert first["previous"] is None and first["next"] == "http://localhost/consultant/assessments/?page=2"
    second = cora.get(WORKSPACE, query="?page=2").json
    assert (second["page"], second["next"], second["previous"]) == (
        2,
        None,
        "http://localhost/consultant/assessments/",
    )
    assert {item["title"] for item in second["assessments"]} == {"Shop", "Ada's app"}
    drafts = cora.get(WORKSPACE, query="?status=draft&page=1").json
    assert drafts["total"] == PAGE_SIZE + 1 and drafts["next"].endswith("?status=draft&page=2")


BAD_FILTERS = [
    ("?status=open", "status"),
    ("?framework=cobol", "framework"),
    ("?framework=Django", "framework"),
    ("?client=a%00b", "client"),
    ("?client=" + "x" * (CLIENT_MAX + 1), "client"),
    ("?since=2026-13-01", "since"),
    ("?since=yesterday", "since"),
    ("?until=2026-1-1", "until"),
    ("?since=2026-02-01&until=2026-01-31", "until"),
    ("?page=0", "page"),
    ("?page=01", "page"),
    ("?page=two", "page"),
    ("?page=2", "page"),  # past the last page with these filters
]


@pytest.mark.parametrize(("query", "field"), BAD_FILTERS)
def test_a_bad_workspace_filter_is_a_400_naming_it(client, query, field):
    cora, _ = account_client(client, "cora@example.com", "consultant")
    client.completed("Shop")
    assert list(cora.get(WORKSPACE, 400, query=query).json["errors"]) == [field]


def test_every_bad_workspace_filter_is_named_at_once_and_a_bad_query_string_is_the_requests(client):
    cora, _ = account_client(client, "cora@example.com", "consultant")
    errors = cora.get(WORKSPACE, 400, query="?status=open&framework=cobol&since=x&page=0").json["errors"]
    assert set(errors) == {"status", "framework", "since", "page"}
    assert cora.get(WORKSPACE, 400, query="?client=%FF").json["errors"] == {
        "_request": "The query string is not valid UTF-8."
    }
    for path, row in ((WORKSPACE_ASSESSMENT, MISSING_ROW), (OVERVIEW, None)):
        cora.get(path, 400, query="?x=%FF", row=row)


def test_notes_and_decisions_are_saved_as_documented(client):
    cora, _ = account_client(client, "cora@example.com", "consultant")
    ref, result = client.completed("Shop")
    row = listed_by_title(cora)["Shop"]["id"]
    recommended, other = result["ranking"][0]["framework"], result["ranking"][1]["framework"]
    earlier, day = (today() - timedelta(days=3)).isoformat(), today().isoformat()

    text = "Met the team.\n\n*Two* Django projects shipped.\t"
    note = cora.post(NOTES, {"body": text, "ignored": True}, status=201, row=row)
    assert note.json == {"author": "Cora", "body": text}
    assert "Location" not in note.headers
    made = cora.post(
        DECISION,
        {"framework": recommended, "reason": "  It ranks first.\n", "decided_on": earlier},
        status=201,
        row=row,
    ).json
    assert made == {
        "version": 1,
        "framework": recommended,
        "reason": "It ranks first.",
        "decided_on": earlier,
        "revision": 1,  # left out: the latest
        "author": "Cora",
        "created": made["created"],
    }
    changed = cora.post(
        DECISION,
        {"framework": other, "reason": "The team knows it.", "decided_on": day, "revision": 1},
        status=201,
        row=row,
    ).json
    assert (changed["version"], changed["revision"], changed["framework"]) == (2, 1, other)

    shown = cora.get(WORKSPACE_ASSESSMENT, row=row).json
    assert shown["notes"] == [{"author": "Cora", "created": shown["notes"][0]["created"], "body": text}]
    assert shown["decision"] == {**changed, "follows_recommendation": False}
    assert shown["decisions"] == [changed, made]
    assert (shown["decision"]["framework"], shown["decided_on"]) == (other, day)
    item = listed_by_title(cora)["Shop"]
    assert (item["decision"], item["decided_on"]) == (other, day)
    assert cora.get(WORKSPACE_EXPORT, row=row).json["decisions"] == [changed, made]
    overview = cora.get(OVERVIEW).json
    assert (overview["decided"], overview["followed"], overview["differed"]) == (1, 0, 1)

    # After a re-score, a decision names the revision it answers (digits as text, as the form sends them).
    client.post(RESCORE, status=201, id=ref)
    latest = cora.post(
        DECISION,
        {"framework": recommended, "reason": "Still first.", "decided_on": day, "revision": " 2 "},
        status=201,
        row=row,
    ).json
    assert (latest["version"], latest["revision"]) == (3, 2)
    assert cora.get(WORKSPACE_ASSESSMENT, row=row).json["decision"]["follows_recommendation"] is True

    # A decision on a draft answers no revision, and cannot name one.
    sketch = client.create("Sketch")["id"]
    draft_row = listed_by_title(cora)["Sketch"]["id"]
    for version, unnamed in enumerate((None, ""), start=1):
        on_draft = cora.post(
            DECISION,
            {"framework": other, "reason": "Decided before.", "decided_on": day, "revision": unnamed},
            status=201,
            row=draft_row,
        ).json
        assert (on_draft["version"], on_draft["revision"]) == (version, None)
    shown = cora.get(WORKSPACE_ASSESSMENT, row=draft_row).json
    assert shown["decision"] == {**on_draft, "follows_recommendation": None}
    assert sketch not in json.dumps(shown)
    refused = cora.post(
        DECISION,
        {"framework": other, "reason": "x", "decided_on": day, "revision": 1},
        status=400,
        row=draft_row,
    ).json
    assert list(refused["errors"]) == ["revision"]


def test_an_administrators_token_opens_the_workspace_too(client):
    root, _ = account_client(client, "root@example.com", "admin")
    client.completed("Shop")
    row = listed_by_title(root)["Shop"]["id"]
    assert root.post(NOTES, {"body": "Checked."}, status=201, row=row).json["author"] == "Root"
    assert root.get(WORKSPACE_ASSESSMENT, row=row).json["notes"][0]["body"] == "Checked."


def tomorrow() -> str:
    return (today() + timedelta(days=1)).isoformat()


BAD_NOTES = [
    ({}, "body"),
    ({"body": ""}, "body"),
    ({"body": " \n\t "}, "body"),
    ({"body": 5}, "body"),
    ({"body": ["a note"]}, "body"),
    ({"body": "x" * (NOTE_MAX + 1)}, "body"),
    ({"body": "a\u0000b"}, "body"),
    ({"body": "a\u000bb"}, "body"),
]
GOOD_DECISION = {"framework": "django", "reason": "The team knows it.", "decided_on": "2026-01-31"}
BAD_DECISIONS = [
    ({}, {"framework", "reason", "decided_on"}),
    ({**GOOD_DECISION, "framework": "cobol"}, {"framework"}),
    ({**GOOD_DECISION, "framework": 3}, {"framework"}),
    ({**GOOD_DECISION, "reason": "  "}, {"reason"}),
    ({**GOOD_DECISION, "reason": "x" * (REASON_MAX + 1)}, {"reason"}),
    ({**GOOD_DECISION, "reason": "bell \u0007"}, {"reason"}),
    ({**GOOD_DECISION, "decided_on": "31.01.2026"}, {"decided_on"}),
    ({**GOOD_DECISION, "decided_on": None}, {"decided_on"}),
    ({**GOOD_DECISION, "decided_on": "tomorrow"}, {"decided_on"}),
    ({**GOOD_DECISION, "revision": 2}, {"revision"}),
    ({**GOOD_DECISION, "revision": "one"}, {"revision"}),
    ({**GOOD_DECISION, "revision": "  "}, {"revision"}),
    ({**GOOD_DECISION, "revision": True}, {"revision"}),
    ({**GOOD_DECISION, "revision": 1.5}, {"revision"}),
    (
        {"framework": "cobol", "reason": 1, "decided_on": "2026-02-30", "revision": 0},
        {"framework", "reason", "decided_on", "revision"},
    ),
]


@pytest.mark.parametrize(("body", "field"), BAD_NOTES)
def test_a_bad_note_is_a_400_naming_the_field_and_saves_nothing(client, body, field):
    cora, _ = account_client(client, "cora@example.com", "consultant")
    client.completed("Shop")
    row = listed_by_title(cora)["Shop"]["id"]
    assert list(cora.post(NOTES, body, status=400, row=row).json["errors"]) == [field]
    assert cora.get(WORKSPACE_ASSESSMENT, row=row).json["notes"] == []


@pytest.mark.parametrize(("body", "fields"), BAD_DECISIONS)
def test_a_bad_decision_is_a_400_naming_the_fields_and_saves_nothing(client, body, fields):
    cora, _ = account_client(client, "cora@example.com", "consultant")
    client.completed("Shop")
    row = listed_by_title(cora)["Shop"]["id"]
    if body.get("decided_on") == "tomorrow":
        body = {**body, "decided_on": tomorrow()}
    assert set(cora.post(DECISION, body, status=400, row=row).json["errors"]) == fields
    shown = cora.get(WORKSPACE_ASSESSMENT, row=row).json
    assert (shown["decision"], shown["decisions"]) == (None, [])


def test_a_workspace_write_that_is_not_a_json_object_is_refused_as_documented(client):
    cora, _ = account_client(client, "cora@example.com", "consultant")
    client.completed("Shop")
    row = listed_by_title(cora)["Shop"]["id"]
    for path in (NOTES, DECISION):
        for raw, message in (
            (b"[1]", "The body must be a JSON object."),
            (b'{"body": ', "The body is not valid JSON"),
            (b'{"body": "\xff"}', "The request body is not valid UTF-8."),
        ):
            errors = cora.post(path, raw=raw, status=400, row=row).json["errors"]
            assert list(errors) == ["_request"] and errors["_request"].startswith(message)
        xml = cora.post(path, raw=b"<note>hi</note>", content_type="text/xml", status=415, row=row).json
        assert xml["errors"] == {
            "_request": "text/xml is not accepted here; send application/json or a form."
        }
        padded = {"body": "x" * 300_000}
        cora.post(path, padded, status=413, row=row)
    shown = cora.get(WORKSPACE_ASSESSMENT, row=row).json
    assert (shown["notes"], shown["decisions"]) == ([], [])


def test_a_row_that_does_not_exist_is_a_404_for_the_workspace(client):
    cora, _ = account_client(client, "cora@example.com", "consultant")
    draft = client.create("Gone")["id"]
    row = listed_by_title(cora)["Gone"]["id"]
    client.call("delete", ASSESSMENT, 204, id=draft)
    for missing in (row, MISSING_ROW, "abc", 0):
        for path in (WORKSPACE_ASSESSMENT, WORKSPACE_EXPORT):
            errors = cora.get(path, 404, row=missing).json["errors"]
            assert list(errors) == ["_request"]
        cora.post(NOTES, {"body": "Lost."}, status=404, row=missing)
        cora.post(DECISION, GOOD_DECISION, status=404, row=missing)


def test_the_workspace_without_credentials_is_a_401_and_for_a_client_a_403(client):
    import webtest

    cora, _ = account_client(client, "cora@example.com", "consultant")
    ada, _ = account_client(client, "ada@example.com", "client")
    client.completed("Shop")
    row = listed_by_title(cora)["Shop"]["id"]
    requests = [
        ("get", OVERVIEW, None),
        ("get", WORKSPACE, None),
        ("get", WORKSPACE_ASSESSMENT, None),
        ("get", WORKSPACE_EXPORT, None),
        ("post", NOTES, {"body": "Sneaky."}),
        ("post", DECISION, GOOD_DECISION),
    ]
    unknown = Client(
        webtest.TestApp(client.app.app, extra_environ={"HTTP_AUTHORIZATION": "Bearer ap_unknown"})
    )
    sign_in_first = {"errors": {"_request": "Sign in, or send an API token as Authorization: Bearer."}}
    for method, path, body in requests:
        # A row that does not exist answers the same: nobody learns which rows exist.
        for where in ({"row": row}, {"row": MISSING_ROW}):
            for anonymous in (client, unknown):
                refused = anonymous.call(method, path, 401, body, **where)
                assert refused.headers["WWW-Authenticate"] == 'Bearer realm="portal"'
                assert refused.json == sign_in_first
            assert ada.call(method, path, 403, body, **where).json == {
                "errors": {"_request": "Your account may not do that here."}
            }
    # The token in a URL counts for nothing; revoked, it counts as no token at once.
    token = ada.app.extra_environ["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    client.get(WORKSPACE, 401, query=f"?token={token}")
    cora_token = cora.app.extra_environ["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    client.get(WORKSPACE, 401, query=f"?access_token={cora_token}")
    shown = cora.get(WORKSPACE_ASSESSMENT, row=row).json
    assert (shown["notes"], shown["decisions"]) == ([], [])


def test_a_revoked_consultant_token_is_a_401_at_once(client):
    cora, browser = account_client(client, "cora@example.com", "consultant")
    cora.get(WORKSPACE)
    revoke = next(f for f in browser.get("/account").forms.values() if "revoke-token" in (f.action or ""))
    revoke.submit(status=303)
    assert cora.get(WORKSPACE, 401).headers["WWW-Authenticate"] == 'Bearer realm="portal"'


def test_a_signed_in_consultants_session_opens_the_workspace_and_its_posts_need_the_csrf_token(client):
    _, browser = account_client(client, "cora@example.com", "consultant")
    client.completed("Shop")
    session = Client(browser)  # the signed-in browser's cookie, asking for JSON
    row = listed_by_title(session)["Shop"]["id"]
    forged = session.post(NOTES, {"body": "Forged?"}, status=400, row=row).json["errors"]
    assert list(forged) == ["_request"] and "csrf" in forged["_request"].lower()
    csrf = browser.get("/account").forms["sign-out"]["csrf_token"].value
    session.post(NOTES, {"body": "Signed in."}, status=201, headers={"X-CSRF-Token": csrf}, row=row)
    assert [n["body"] for n in session.get(WORKSPACE_ASSESSMENT, row=row).json["notes"]] == ["Signed in."]
