"""Arbitrary bodies thrown at the answer endpoint: never a 5xx, and a refusal saves nothing."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.testing import JSON

from .conftest import alembic_upgrade

KEYS = [
    "realtime.live",
    "realtime.connections",
    "team_experience.known",
    "project_scale.size",
    "nope.nothing",
]
OPTIONS = ["core", "no", "unsure", "thousands", "django", "flask", "large", "", "x" * 50]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.sampled_from(OPTIONS)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
answers = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=12), json_values, max_size=4)
bodies = st.one_of(
    st.builds(lambda a: {"answers": a}, answers),
    st.dictionaries(st.text(max_size=10), json_values, max_size=3),
    json_values,
)


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    import webtest

    from portal.testing import app_settings, build_app

    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.sqlite'}"
    alembic_upgrade(url)
    app = webtest.TestApp(build_app(app_settings(url)))
    assessment = app.post_json("/assessments/", {"title": "Fuzz"}, headers=JSON).json["url"]
    return app, assessment


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_json_answers_never_fail_and_refusals_change_nothing(portal, body):
    app, url = portal
    before = app.get(url, headers=JSON).json["answers"]
    response = app.post(
        url + "answers",
        json.dumps(body),
        headers={"Content-Type": "application/json", **JSON},
        expect_errors=True,
    )
    assert response.status_int < 500
    after = app.get(url, headers=JSON).json["answers"]
    if response.status_int == 200:
        expected = {**before, **body["answers"]}
        assert after == {k: v for k, v in expected.items() if v is not None}
    else:
        assert response.status_int == 400 and response.json["errors"]
        assert after == before


form_fields = st.lists(
    st.tuples(
        st.sampled_from(["page", "shown", "go", *KEYS]) | st.text(max_size=10),
        st.sampled_from(["1", "2", "next", *OPTIONS, *KEYS]) | st.text(max_size=10),
    ),
    max_size=8,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=form_fields)
def test_form_posts_never_fail_and_refusals_change_nothing(portal, fields):
    app, url = portal
    before = app.get(url, headers=JSON).json["answers"]
    # Without the CSRF token every form post is refused, whatever it holds.
    response = app.post(url + "answers", fields, expect_errors=True)
    assert response.status_int < 500
    assert response.status_int == 400
    assert app.get(url, headers=JSON).json["answers"] == before
    # With the token, the form is judged on its content.
    token = app.get(url + "questionnaire?page=1").forms[0]["csrf_token"].value
    response = app.post(url + "answers", [("csrf_token", token), *fields], expect_errors=True)
    assert response.status_int < 500
    if response.status_int != 303:
        assert app.get(url, headers=JSON).json["answers"] == before
