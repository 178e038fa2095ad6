from types import MappingProxyType

from portal_criterion_team_experience.hooks import fit, need

from portal.plugins.schema import FrameworkProfile
from portal.testing import JSON


def profile(slug: str, title: str) -> FrameworkProfile:
    return FrameworkProfile.model_validate(
        {
            "slug": slug,
            "title": title,
            "kind": "micro",
            "homepage": f"https://example.org/{slug}/",
            "summary": f"{title} for tests.",
            "best_fit": ["tests"],
            "strengths": ["tests"],
            "use_cases": ["tests"],
        }
    )


def test_team_experience_is_listed_with_its_questions(make_app):
    app = make_app(frameworks="*", criteria="team_experience")
    data = app.get("/criteria/team_experience", headers=JSON).json
    assert data["title"] == "What the team already knows"
    assert data["rated_by"] == "hook"
    assert [q["key"] for q in data["questions"]] == ["team_experience.known", "team_experience.follow"]


def test_known_frameworks_are_the_enabled_frameworks(make_app):
    app = make_app(frameworks="*", criteria="team_experience")
    slugs = [f["slug"] for f in app.get("/frameworks", headers=JSON).json["frameworks"]]
    known = app.get("/criteria/team_experience", headers=JSON).json["questions"][0]
    assert known["kind"] == "multi"
    assert [o["key"] for o in known["options"]] == slugs
    assert all(o["need"] == 0.0 for o in known["options"])


def test_hook_need_is_zero_when_the_team_knows_no_framework():
    assert need(MappingProxyType({})) == 0.0
    assert need(MappingProxyType({"team_experience.follow": "a_lot"})) == 0.0
    assert need(MappingProxyType({"team_experience.known": [], "team_experience.follow": "a_lot"})) == 0.0


def test_hook_need_defers_to_the_follow_answer_when_a_framework_is_known():
    answers = MappingProxyType({"team_experience.known": ["flask"], "team_experience.follow": "a_lot"})
    assert need(answers) is None


def test_hook_fit_rates_known_frameworks_five_and_others_zero():
    answers = MappingProxyType({"team_experience.known": ["flask", "retired_framework"]})
    assert fit(profile("flask", "Flask"), answers) == 5.0
    assert fit(profile("django", "Django"), answers) == 0.0


def test_hook_fit_has_no_opinion_when_the_question_is_unanswered():
    assert fit(profile("flask", "Flask"), MappingProxyType({})) is None
    assert fit(profile("flask", "Flask"), MappingProxyType({"team_experience.follow": "somewhat"})) is None
