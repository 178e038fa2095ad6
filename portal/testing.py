"""Pytest fixtures for the core's tests and for plugin authors (a ``pytest11`` plugin).

Plugin authors install them with the core's ``testing`` extra,
``pip install "advisory-portal[testing]"``. One line holds a plugin to the whole
contract (it loads, serves its JSON and HTML pages, rates or is rated by every
enabled plugin, and its golden cases hold):

    def test_contract(plugin_contract):
        assert plugin_contract("sanic")["kind"] == "async"  # returns the plugin's JSON

and ``make_app`` builds a real portal with only the plugins a test names:

    def test_listed(make_app):
        app = make_app(frameworks="django", criteria="*")
        assert app.get("/frameworks/django", headers=JSON).json["title"] == "Django"
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

EXTRA = 'pip install "advisory-portal[testing]"'

try:
    import pytest
except ModuleNotFoundError as error:  # imported outside pytest, without the extra
    raise ModuleNotFoundError(f"portal.testing needs pytest and webtest: {EXTRA}", name=error.name) from error

JSON = {"Accept": "application/json"}
TEST_SECRET = "development-only-test-secret-0123456789abcdef"  # noqa: S105 (tests only)


def app_settings(database_url: str, **overrides: str) -> dict[str, str]:
    """Settings for a test portal; keyword names use ``__`` for dots."""
    settings = {
        "sqlalchemy.url": database_url,
        "portal.secret": TEST_SECRET,
        "portal.frameworks": "*",
        "portal.criteria": "*",
        "retry.attempts": "1",
        # Tests create many assessments from one address; the throttle's own tests set a limit.
        "portal.throttle.create": "off",
        "portal.throttle.mail": "off",
        # Cheap argon2id hashes keep the tests fast (production uses the library's defaults).
        "portal.argon2.time_cost": "1",
        "portal.argon2.memory_cost": "64",
        "portal.argon2.parallelism": "1",
        # Mail is written to files, never sent (make_app gives each test its own folder).
        "mail.top_level_directory": str(Path(tempfile.gettempdir()) / "portal-test-mail"),
    }
    settings.update({name.replace("__", "."): value for name, value in overrides.items()})
    return settings


def build_app(settings: dict[str, str]):
    from portal import main

    return main({"__file__": "test.ini"}, **settings)


@pytest.fixture
def make_app(tmp_path):
    """``make_app(frameworks=..., criteria=..., migrate=False, **settings)`` → a ``webtest.TestApp``.

    ``frameworks`` / ``criteria`` take the setting's syntax: ``*`` or names. The
    database is a fresh SQLite file unless ``sqlalchemy__url`` names another;
    ``migrate=True`` builds its schema first: the core's tables and every enabled
    plugin's (``portal db upgrade``).
    """
    webtest = _webtest()

    def factory(frameworks: str = "*", criteria: str = "*", migrate: bool = False, **overrides: str):
        url = f"sqlite:///{tmp_path / 'portal.sqlite'}"
        overrides.setdefault("portal__frameworks", frameworks)
        overrides.setdefault("portal__criteria", criteria)
        overrides.setdefault("mail__top_level_directory", str(tmp_path / "mail"))
        settings = app_settings(url, **overrides)
        if migrate:
            from portal.models.migrations import upgrade_database

            upgrade_database(settings)
        return webtest.TestApp(build_app(settings))

    return factory


@pytest.fixture
def plugin_contract(make_app):
    """``plugin_contract("sanic")``: :func:`assert_plugin_contract` on a migrated portal; returns its JSON.

    Every installed plugin is enabled unless ``frameworks`` / ``criteria`` say
    otherwise (golden cases rank against the other frameworks); further keywords
    are settings, as for ``make_app``.
    """

    def run(name: str, frameworks: str = "*", criteria: str = "*", **settings: str) -> dict:
        return assert_plugin_contract(make_app(frameworks, criteria, migrate=True, **settings), name)

    return run


def _webtest():
    try:
        import webtest
    except ModuleNotFoundError as error:
        if error.name != "webtest":
            raise
        pytest.fail(
            f"portal.testing's make_app needs webtest, which the testing extra brings: {EXTRA}", False
        )
    return webtest


# --- The plugin contract ------------------------------------------------------------------------


def assert_plugin_contract(app, name: str) -> dict:
    """Fail, listing every broken promise, unless the enabled plugin ``name`` keeps the contract.

    A framework: listed, its JSON and HTML page at ``/frameworks/<slug>``, a
    rating for every enabled criterion rated by profiles. A criterion: listed, its
    JSON and HTML page at ``/criteria/<key>``, its questions in a new assessment's
    questionnaire (JSON and HTML; ``app`` needs a migrated database), a rating from
    every enabled framework. Either: its golden cases hold under the default weights.
    Returns the plugin's JSON, for the assertions only its own tests can make.
    """
    catalog = app.app.registry.portal_catalog
    if name in catalog.frameworks:
        plugin, path, check = catalog.frameworks[name], f"/frameworks/{name}", _framework_problems
        cases = plugin.profile.golden
    elif name in catalog.criteria:
        plugin, path, check = catalog.criteria[name], f"/criteria/{name}", _criterion_problems
        cases = plugin.definition.golden
    else:
        enabled = ", ".join([*catalog.frameworks, *catalog.criteria]) or "none"
        pytest.fail(
            f"{name!r} is not an enabled framework or criterion of this portal (enabled: {enabled})", False
        )
    response = app.get(path, headers=JSON, expect_errors=True)
    data = response.json if response.status_int == 200 else {}
    problems = (
        check(app, catalog, name, path, data) if data else [f"GET {path} (JSON) answered {response.status}"]
    )
    problems += _golden_problems(catalog, cases)
    if problems:
        source = plugin.source
        lines = "\n".join(f"  - {problem}" for problem in problems)
        pytest.fail(
            f"{name} ({source.distribution} {source.version}) breaks the plugin contract:\n{lines}", False
        )
    return data


def _framework_problems(app, catalog, slug: str, path: str, data: dict) -> list[str]:
    framework = catalog.frameworks[slug]
    problems = _listed(app, "/frameworks/", "frameworks", "slug", slug)
    problems += _identity(data, "slug", slug, framework.title, framework.source.version, path)
    for key, criterion in catalog.criteria.items():
        if criterion.definition.rated_by != "profiles":
            continue  # a hook rates from the client's answers
        rating = data.get("ratings", {}).get(key, {})
        if rating.get("source") not in ("profile", "criterion"):
            problems.append(
                f"does not rate the enabled criterion {key!r}: add [ratings.{key}] to its profile"
            )
    problems += _page(app, path, framework.title, [framework.profile.summary])
    return problems


def _criterion_problems(app, catalog, key: str, path: str, data: dict) -> list[str]:
    criterion = catalog.criteria[key]
    problems = _listed(app, "/criteria/", "criteria", "key", key)
    problems += _identity(data, "key", key, criterion.title, criterion.source.version, path)
    expected = [q.key for q in criterion.questions]
    shown = [q["key"] for q in data.get("questions", [])]
    if shown != expected:
        problems.append(f"GET {path} lists the questions {shown}, not {expected}")
    ratings = data.get("ratings", {})
    for slug in catalog.frameworks:
        if ratings.get(slug, {}).get("source", "unrated") == "unrated":
            problems.append(
                f"is not rated by the enabled framework {slug!r}: add {slug} = {{ score = …, rationale = … }}"
                f" under [ratings], or [ratings.{key}] to that profile"
            )
    texts = [q.text for q in criterion.questions]
    problems += _page(app, path, criterion.title, texts)
    problems += _questionnaire(app, key, expected, texts)
    return problems


def _listed(app, path: str, field: str, name_field: str, name: str) -> list[str]:
    names = [entry[name_field] for entry in app.get(path, headers=JSON).json[field]]
    return [] if name in names else [f"is not listed by GET {path}"]


def _identity(data: dict, field: str, name: str, title: str, version: str, path: str) -> list[str]:
    problems = []
    for what, expected in ((field, name), ("title", title), ("version", version)):
        if data.get(what) != expected:
            problems.append(f"GET {path} gives {what} {data.get(what)!r}, not {expected!r}")
    return problems


def _page(app, path: str, title: str, texts: list[str]) -> list[str]:
    from markupsafe import escape

    page = app.get(path, expect_errors=True)
    if page.status_int != 200 or page.content_type != "text/html":
        return [f"GET {path} (HTML) answered {page.status} {page.content_type}"]
    problems = []
    if not re.search(rf"<h1[^>]*>\s*{re.escape(str(escape(title)))}\s*</h1>", page.text):
        problems.append(f"the page {path} has no heading {title!r}")
    problems += [
        f"the page {path} does not show {text!r}" for text in texts if str(escape(text)) not in page.text
    ]
    return problems


def _questionnaire(app, key: str, expected: list[str], texts: list[str]) -> list[str]:
    from markupsafe import escape

    created = app.post_json("/assessments/", {"title": "Plugin contract"}, headers=JSON, expect_errors=True)
    if created.status_int != 201:
        return [f"no assessment to show its questions in ({created.status}): make the app with migrate=True"]
    link = created.json["url"]
    questions = app.get(link + "questionnaire", headers=JSON).json["questions"]
    own = [q for q in questions if q["criterion"] == key]
    if [q["key"] for q in own] != expected:
        return [f"the questionnaire asks {[q['key'] for q in own]}, not {expected}"]
    problems = []
    for question, text in zip(own, texts, strict=True):
        page = app.get(f"{link}questionnaire?page={question['page']}")
        if str(escape(text)) not in page.text:
            problems.append(f"questionnaire page {question['page']} does not show {text!r}")
    return problems


def _golden_problems(catalog, cases) -> list[str]:
    """Each golden case, scored on this portal's enabled plugins with the default weights."""
    from portal.scoring import PRIORITIES, model_from_catalog, score

    asked = {q.key for c in catalog.criteria.values() for q in c.questions} | {PRIORITIES}
    weights = {key: c.definition.default_weight for key, c in catalog.criteria.items()}
    model = model_from_catalog(catalog, weights=weights)
    problems = []
    for case in cases:
        missing = [k for k in case.answers if k not in asked]
        absent = [s for s in (case.first, case.second) if s and s not in catalog.frameworks]
        if missing or absent:
            what = f"question {missing[0]!r}" if missing else f"framework {absent[0]!r}"
            problems.append(f"golden case {case.name!r} needs the {what}, which this portal does not enable")
            continue
        ranking = score(model, case.plain_answers()).ranking
        if not ranking or ranking[0].framework not in (case.first, case.second):
            expected = case.first + (f" (or {case.second})" if case.second else "")
            got = ", ".join(f"{e.framework} {e.score:.1f}" for e in ranking[:3]) or "nothing ranked"
            problems.append(
                f"golden case {case.name!r} no longer holds: expected {expected} first, got {got}"
            )
    return problems
