"""Security headers on every kind of response, and pages that need no inline script or style."""

from __future__ import annotations

import re

import pytest

from portal.headers import CONTENT_SECURITY_POLICY
from portal.testing import JSON

from .conftest import alembic_upgrade

EXPECTED = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def test_the_policy_allows_no_inline_script_or_style_and_no_framing():
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["default-src"] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def assert_secured(response, what: str) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, f"{what}: {name} is {response.headers.get(name)!r}"
        assert len(response.headers.getall(name)) == 1, f"{what}: {name} twice"


@pytest.fixture
def app(make_app, use_plugins, tmp_path):
    use_plugins("good")
    url = f"sqlite:///{tmp_path / 'headers.sqlite'}"
    alembic_upgrade(url)
    return make_app(frameworks="quokka wombat", criteria="latency hosting", sqlalchemy__url=url)


def completed(app) -> str:
    url = app.post_json("/assessments/", {"title": "Headers"}, headers=JSON).json["url"]
    questions = app.get(url + "questionnaire", headers=JSON).json["questions"]
    answers = {
        q["key"]: [q["options"][-1]["key"]] if q["kind"] == "multi" else q["options"][-1]["key"]
        for q in questions
        if q["options"]
    }
    app.post_json(url + "answers", {"answers": answers}, headers=JSON)
    app.post_json(url + "complete", {}, headers=JSON, status=200)
    return url


def test_every_kind_of_response_carries_the_security_headers(app):
    url = completed(app)
    revision = url + "revisions/1"
    cases = {
        # Before any cookie: webtest cannot match cookies to this URL once it holds some.
        "400 (invalid UTF-8)": app.get("/frameworks/%FF", status=400),
        # Also before the session cookie, which would make these CSRF-checked (400) first.
        "405": app.put("/frameworks/", status=405),
        "413": app.post("/assessments/", "x" * 300_000, content_type="application/json", status=413),
        "415": app.post("/assessments/", "x", content_type="application/xml", status=415),
        "HTML page": app.get("/"),
        "JSON": app.get("/frameworks/", headers=JSON),
        "stylesheet": app.get("/static/portal.css"),
        "script": app.get("/static/portal.js"),
        "assessment page": app.get(url),
        "revision page": app.get(revision),
        "revision page, cached": app.get(revision),
        "revision JSON": app.get(revision, headers=JSON),
        "report": app.get(revision + "/report.md"),
        "redirect": app.get(url + "result", status=303),
        "404 page": app.get("/nothing-here", status=404),
        "404 JSON": app.get("/nothing-here", headers=JSON, status=404),
        "500": app.get("/frameworks/quokka/explode", status=500),
        "304": app.get(revision, headers={"If-None-Match": app.get(revision).headers["ETag"]}, status=304),
    }
    for what, response in cases.items():
        assert_secured(response, what)


def test_the_debug_toolbar_pages_alone_run_without_the_policy(make_app, tmp_path):
    url = f"sqlite:///{tmp_path / 'toolbar.sqlite'}"
    alembic_upgrade(url)
    app = make_app(sqlalchemy__url=url, pyramid__includes="pyramid_debugtoolbar")
    local = {"REMOTE_ADDR": "127.0.0.1"}
    page = app.get("/", extra_environ=local)
    assert "pDebug" in page.text  # the toolbar did inject its button
    assert_secured(page, "page with the toolbar")
    toolbar = app.get("/_debug_toolbar/", extra_environ=local)
    assert "Content-Security-Policy" not in toolbar.headers
    assert toolbar.headers["X-Content-Type-Options"] == "nosniff"


INLINE_PROBLEMS = (
    ("an inline <script>", lambda soup: [s for s in soup.find_all("script") if not s.get("src")]),
    ("a <style> element", lambda soup: soup.find_all("style")),
    ("a style= attribute", lambda soup: soup.find_all(style=True)),
    (
        "an event-handler attribute",
        lambda soup: [t for t in soup.find_all(True) if any(a.lower().startswith("on") for a in t.attrs)],
    ),
    ("a javascript: URL", lambda soup: soup.find_all(href=re.compile(r"^\s*javascript:", re.I))),
)


def pages_of_a_journey(app):
    # The JSON steps first, while the client holds no session cookie (no CSRF token needed).
    url = completed(app)
    app.post_json(url + "rescore", {}, headers=JSON, status=201)
    yield app.get("/")
    for path in (
        "/frameworks/",
        "/frameworks/quokka",
        "/frameworks/compare",
        "/criteria/",
        "/criteria/latency",
    ):
        yield app.get(path)
    yield app.get("/how-scoring-works")
    page = app.get("/").forms[0].submit().follow()
    yield page
    yield page.forms[0].submit("go", value="next").follow()
    yield app.get(url)
    yield app.get(url + "?review=1")
    yield app.get(url + "revisions/1")
    yield app.get(url + "revisions/2/compare?with=1")
    yield app.get("/nothing-here", status=404)


@pytest.mark.parametrize("toolbar", [False, True])
def test_no_page_needs_inline_script_or_style(make_app, use_plugins, tmp_path, toolbar):
    use_plugins("good")
    url = f"sqlite:///{tmp_path / 'inline.sqlite'}"
    alembic_upgrade(url)
    extra = {"pyramid__includes": "pyramid_debugtoolbar"} if toolbar else {}
    app = make_app(frameworks="quokka wombat", criteria="latency hosting", sqlalchemy__url=url, **extra)
    app.extra_environ = {"REMOTE_ADDR": "127.0.0.1"}
    seen = 0
    for page in pages_of_a_journey(app):
        assert page.content_type == "text/html"
        for what, find in INLINE_PROBLEMS:
            assert not find(page.html), f"{page.request.path_qs} has {what}: {find(page.html)[:1]}"
        seen += 1
    assert seen >= 13
