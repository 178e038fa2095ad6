"""The bundled catalog (plugins/): every plugin loads, rates coherently and asks sound questions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.plugins.check import check
from portal.testing import JSON, app_settings, build_app

from .conftest import ROOT

FRAMEWORKS = sorted(p.name for p in (ROOT / "plugins" / "frameworks").iterdir() if p.is_dir())
CRITERIA = sorted(p.name for p in (ROOT / "plugins" / "criteria").iterdir() if p.is_dir())
SEED_SETTINGS = {"portal__frameworks": " ".join(FRAMEWORKS), "portal__criteria": " ".join(CRITERIA)}


@pytest.fixture(scope="module")
def catalog():
    return build_app(app_settings("sqlite://", **SEED_SETTINGS)).registry.portal_catalog


def test_the_seed_catalog_has_the_public_names():
    assert FRAMEWORKS == ["django", "fastapi", "flask", "pyramid", "tornado"]
    assert (
        sorted(
            [
                "project_scale",
                "scope_growth",
                "admin_ui",
                "auth_permissions",
                "data_model",
                "security_defaults",
                "api_first",
                "async_concurrency",
                "realtime",
                "flexibility",
                "rapid_start",
                "team_experience",
                "maintenance",
                "ml_serving",
                "serverless",
                "server_rendered",
                "content_structure",
                "ecosystem",
            ]
        )
        == CRITERIA
    )


def test_every_bundled_plugin_loads(catalog):
    assert sorted(catalog.frameworks) == FRAMEWORKS
    assert sorted(catalog.criteria) == CRITERIA
    for slug, framework in catalog.frameworks.items():
        assert framework.source.distribution == f"portal-framework-{slug}"
    for key, criterion in catalog.criteria.items():
        assert criterion.source.distribution == f"portal-criterion-{key}"


def test_portal_check_reports_nothing_for_the_bundled_catalog(tmp_path):
    settings = {"sqlalchemy.url": "sqlite://", "portal.frameworks": "*", "portal.criteria": "*"}
    report = check(settings, "development.ini")
    bundled = [p for p in report.problems if p.origin.startswith("portal-")]
    assert bundled == []


def test_every_profile_rates_every_criterion_rated_by_profiles(catalog):
    for framework in catalog.frameworks.values():
        for criterion in catalog.criteria.values():
            rating = framework.profile.ratings.get(criterion.key)
            if criterion.definition.rated_by == "profiles":
                assert rating is not None, (framework.slug, criterion.key)
                sentences = re.split(r"(?<=[.!?])\s+", rating.rationale.strip())
                assert 2 <= len(sentences) <= 4, (framework.slug, criterion.key, len(sentences))
                assert rating.evidence, (framework.slug, criterion.key)
            else:
                assert rating is None, f"{framework.slug} rates {criterion.key}, which its hook rates"


def test_only_team_experience_is_rated_by_a_hook(catalog):
    hooked = {key for key, c in catalog.criteria.items() if c.definition.rated_by == "hook"}
    assert hooked == {"team_experience"}
    criterion = catalog.criteria["team_experience"]
    assert criterion.fit is not None
    known = criterion.questions[0]
    assert [o.key for o in known.options] == list(catalog.frameworks)


def test_question_keys_are_unique_portal_wide(catalog):
    keys = [q.key for c in catalog.criteria.values() for q in c.questions]
    assert len(keys) == len(set(keys))


def test_conditions_name_an_earlier_question_of_the_same_criterion_and_real_options(catalog):
    for criterion in catalog.criteria.values():
        seen = {}
        for question in criterion.questions:
            if question.condition is not None:
                target = seen[question.condition.question]
                options = {o.key for o in target.options} | ({"unsure"} if target.allow_unsure else set())
                assert set(question.condition.allowed) <= options, question.key
            seen[question.key] = question


def test_every_question_offers_an_answer_that_does_not_matter(catalog):
    """A first question can say "not at all" (need 0); a follow-up can say "less" (a factor below 1)."""
    for criterion in catalog.criteria.values():
        for question in criterion.questions:
            if question.options_from is None and question.condition is None:
                assert 0.0 in [o.need for o in question.options], f"{question.key} has no need-0 answer"
            elif question.options_from is None:
                assert all(o.factor is not None for o in question.options), (
                    f"{question.key} mixes need and factor"
                )
                assert min(o.factor for o in question.options) < 1, f"{question.key} cannot say 'less'"
            assert len(question.options) >= 2 or question.options_from, question.key
            assert question.help, f"{question.key} has no help text"


def test_must_haves_are_rare(catalog):
    musts = [
        (q.key, o.key) for c in catalog.criteria.values() for q in c.questions for o in q.options if o.must
    ]
    assert 1 <= len(musts) <= 4, musts
    assert len({key.split(".")[0] for key, _ in musts}) == len(musts)


def test_ratings_follow_the_seed_guide(catalog):
    """The 'How to choose' sentences each have a criterion where their framework leads."""

    def top(key):
        scores = {slug: catalog.rating(slug, key).rating.score for slug in catalog.frameworks}
        best = max(scores.values())
        return {slug for slug, score in scores.items() if score == best}

    assert top("admin_ui") == {"django"}
    assert top("api_first") == {"fastapi"}
    assert top("realtime") == {"tornado"}
    assert top("rapid_start") == {"flask"}
    assert top("scope_growth") == {"pyramid"}


def test_catalog_pages_list_all_frameworks_and_criteria(make_app):
    app = make_app(**{k.replace("portal__", ""): v for k, v in SEED_SETTINGS.items()})
    listed = [f["slug"] for f in app.get("/frameworks/", headers=JSON).json["frameworks"]]
    assert sorted(listed) == FRAMEWORKS
    criteria = app.get("/criteria/", headers=JSON).json["criteria"]
    assert sorted(c["key"] for c in criteria) == CRITERIA
    page = app.get("/criteria/")
    for title in ("Real-time", "Admin"):
        assert title.lower() in page.text.lower()


def test_a_criterion_page_shows_how_each_framework_rates_with_the_rationale(make_app, catalog):
    app = make_app(**{k.replace("portal__", ""): v for k, v in SEED_SETTINGS.items()})
    data = app.get("/criteria/realtime", headers=JSON).json
    assert set(data["ratings"]) == set(FRAMEWORKS)
    for slug, rating in data["ratings"].items():
        stored = catalog.frameworks[slug].profile.ratings["realtime"]
        assert (rating["score"], rating["rationale"], rating["source"]) == (
            stored.score,
            stored.rationale,
            "profile",
        )
    page = app.get("/criteria/realtime")
    rows = page.html.find("table", class_="ratings").find("tbody").find_all("tr")
    assert len(rows) == len(FRAMEWORKS)
    tornado = next(row for row in rows if row.th.text == "Tornado")
    assert catalog.frameworks["tornado"].profile.ratings["realtime"].rationale[:60] in tornado.text


def test_the_guide_is_part_of_the_project():
    guide = Path(ROOT / "docs" / "python-frameworks-guide.txt").read_text()
    assert "How to Choose the Right Python Framework" in guide
