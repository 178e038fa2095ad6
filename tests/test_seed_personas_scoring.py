"""The seed guide's "How to choose" sentences come out of the scoring (DESIGN 9).

Each persona is a client matching one sentence of the guide, answering the
bundled catalog's questions the way such a client plausibly would: strong
answers where the sentence speaks, and "does not matter" (need 0) or a
modest answer elsewhere.
"""

from __future__ import annotations

import pytest

from portal.scoring import Model, model_from_catalog, score
from portal.testing import app_settings, build_app

MIN_MARGIN = 3.0  # score points between the seed's framework and the runner-up

# Every required question answered with its need-0 option: nothing matters yet.
INDIFFERENT = {
    "project_scale.size": "small",
    "scope_growth.likelihood": "settled",
    "rapid_start.start": "complete",
    "admin_ui.need": "no",
    "auth_permissions.login": "no",
    "data_model.records": "none",
    "server_rendered.pages": "none",
    "security_defaults.exposure": "prototype",
    "api_first.consumers": "no",
    "async_concurrency.load": "handful",
    "realtime.live": "no",
    "ml_serving.role": "no",
    "flexibility.components": "builtin",
    "maintenance.lifetime": "months",
    "serverless.plan": "no",
}

PERSONAS = {
    # "a complete web application with admin screens, authentication, database-backed
    # workflows, and a strong built-in structure"
    "django": {
        "admin_ui.need": "yes",
        "admin_ui.records": "many",
        "auth_permissions.login": "customers",
        "auth_permissions.roles": "roles",
        "data_model.records": "complex",
        "data_model.changes": "sometimes",
        "server_rendered.pages": "some",
        "server_rendered.forms": "simple",
        "project_scale.size": "medium",
        "project_scale.teams": "team",
        "security_defaults.exposure": "public",
        "security_defaults.data": "personal",
        "maintenance.lifetime": "few_years",
        "maintenance.upkeep": "team",
    },
    # "a lightweight starting point and are comfortable selecting supporting tools yourself"
    "flask": {
        "rapid_start.start": "focused",
        "rapid_start.deadline": "weeks",
        "flexibility.components": "most",
        "flexibility.existing": "none",
        "server_rendered.pages": "few",
        "server_rendered.forms": "simple",
        "api_first.consumers": "some",
        "api_first.documentation": "internal",
        "data_model.records": "simple",
        "data_model.changes": "rarely",
    },
    # "the core product is an API and you need validation, automatic documentation,
    # and async-friendly design"
    "fastapi": {
        "api_first.consumers": "core",
        "api_first.documentation": "partners",
        "async_concurrency.load": "hundreds",
        "async_concurrency.waiting": "often",
        "data_model.records": "simple",
        "data_model.changes": "rarely",
        "security_defaults.exposure": "internal",
        "security_defaults.data": "none",
        "maintenance.lifetime": "few_years",
        "maintenance.upkeep": "team",
    },
    # "the application depends on real-time communication or many long-lived connections"
    "tornado": {
        "realtime.live": "core",
        "realtime.connections": "thousands",
        "async_concurrency.load": "thousands",
        "async_concurrency.waiting": "sometimes",
        "maintenance.lifetime": "few_years",
        "maintenance.upkeep": "team",
    },
    # "flexibility for a project that may grow in scope and architecture over time"
    "pyramid": {
        "scope_growth.likelihood": "phases",
        "scope_growth.restructure": "yes",
        "scope_growth.variants": "small",
        "flexibility.components": "most",
        "flexibility.existing": "one",
        "project_scale.size": "medium",
        "project_scale.teams": "few",
        "rapid_start.start": "first_version",
        "rapid_start.deadline": "months",
        "maintenance.lifetime": "many_years",
        "maintenance.upkeep": "team",
    },
}

# The criteria each sentence names: all of them, or any one of them, must be among the top reasons.
NAMED = {
    "django": ("all", {"admin_ui", "auth_permissions", "data_model"}),
    "flask": ("any", {"rapid_start", "flexibility"}),
    "fastapi": ("all", {"api_first"}),
    "tornado": ("all", {"realtime"}),
    "pyramid": ("any", {"scope_growth", "flexibility"}),
}


@pytest.fixture(scope="module")
def seed_model() -> Model:
    return model_from_catalog(build_app(app_settings("sqlite://")).registry.portal_catalog)


def test_every_persona_answers_real_questions_and_options(seed_model):
    for persona in PERSONAS.values():
        for key, option in {**INDIFFERENT, **persona}.items():
            assert option in seed_model.questions[key].choices, (key, option)


@pytest.mark.parametrize("framework", sorted(PERSONAS))
def test_the_seed_framework_ranks_first_by_a_clear_margin(seed_model, framework):
    result = score(seed_model, {**INDIFFERENT, **PERSONAS[framework]})
    first, second = result.ranking[:2]
    assert first.framework == framework
    assert first.warnings == ()
    assert first.score - second.score >= MIN_MARGIN


@pytest.mark.parametrize("framework", sorted(PERSONAS))
def test_the_top_reasons_are_what_the_sentence_names(seed_model, framework):
    winner = score(seed_model, {**INDIFFERENT, **PERSONAS[framework]}).ranking[0]
    reasons = {reason.criterion for reason in winner.reasons}
    mode, named = NAMED[framework]
    assert named <= reasons if mode == "all" else named & reasons, reasons
    assert all(reason.rationale for reason in winner.reasons)


@pytest.mark.parametrize("framework", sorted(PERSONAS))
def test_each_persona_through_the_json_api(make_app, database_url, framework):
    """The same clients, as a program would answer: page by page, then complete."""
    from portal.testing import JSON

    from .conftest import alembic_upgrade

    alembic_upgrade(database_url)
    app = make_app(sqlalchemy__url=database_url)
    url = app.post_json("/assessments/", {"title": f"{framework} persona"}, headers=JSON, status=201).json[
        "url"
    ]
    answers = {**INDIFFERENT, **PERSONAS[framework]}
    questionnaire = app.get(url + "questionnaire", headers=JSON).json
    for page in questionnaire["pages"]:
        keys = {q["key"] for q in questionnaire["questions"] if q["page"] == page["n"]}
        page_answers = {key: value for key, value in answers.items() if key in keys}
        app.post_json(url + "answers", {"answers": page_answers}, headers=JSON, status=200)
    result = app.post_json(url + "complete", {}, headers=JSON, status=200).json
    first, second = result["ranking"][:2]
    assert first["framework"] == framework
    assert first["score"] - second["score"] >= MIN_MARGIN
    reasons = {reason["criterion"] for reason in first["reasons"]}
    mode, named = NAMED[framework]
    assert named <= reasons if mode == "all" else named & reasons, reasons
    assert app.get(url + "result", headers=JSON).json["ranking"][0]["framework"] == framework
