from types import MappingProxyType

from portal_criterion_team_experience.hooks import fit, need

from portal.plugins.schema import FrameworkProfile
from portal.scoring import model_from_catalog, score
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


def test_team_experience_keeps_the_plugin_contract_rated_by_its_hook(plugin_contract):
    data = plugin_contract("team_experience")
    assert data["title"] == "What the team already knows"
    assert data["rated_by"] == "hook"
    assert [q["key"] for q in data["questions"]] == [
        "team_experience.known",
        "team_experience.expert",
        "team_experience.follow",
    ]


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


def test_hook_fit_grades_known_well_used_and_new_with_a_sentence_each():
    answers = MappingProxyType(
        {
            "team_experience.known": ["flask", "fastapi", "retired_framework"],
            "team_experience.expert": ["fastapi"],
        }
    )
    well, used, new = (fit(profile(s, s.title()), answers) for s in ("fastapi", "flask", "django"))
    assert well["score"] == 5.0 and "knows Fastapi well" in well["rationale"]
    assert (
        used["score"] == 3.0
        and used["rationale"] == "Your team has shipped a project with Flask, so its basics are familiar."
    )
    assert used["caveat"]
    assert (
        new["score"] == 0.0
        and new["rationale"] == "Nobody on your team has built a real project with Django yet."
    )


def test_an_expert_framework_counts_as_known_even_when_not_ticked_as_used():
    answers = MappingProxyType({"team_experience.expert": ["pyramid"], "team_experience.follow": "a_lot"})
    assert need(answers) is None
    assert fit(profile("pyramid", "Pyramid"), answers)["score"] == 5.0


def test_the_hook_rationale_is_what_the_result_explains(make_app):
    app = make_app(frameworks="*", criteria="team_experience realtime")
    model = model_from_catalog(app.app.registry.portal_catalog)
    answers = {"team_experience.known": ["flask"], "team_experience.follow": "a_lot", "realtime.live": "some"}
    flask = next(e for e in score(model, answers).ranking if e.framework == "flask")
    team = next(c for c in flask.contributions if c.criterion == "team_experience")
    assert (team.rating, team.source) == (3.0, "hook")
    reason = next(r for r in flask.reasons if r.criterion == "team_experience")
    assert reason.rationale == "Your team has shipped a project with Flask, so its basics are familiar."
    assert reason.caveat.startswith("Used once is not known well")


def test_hook_fit_has_no_opinion_when_the_question_is_unanswered():
    assert fit(profile("flask", "Flask"), MappingProxyType({})) is None
    assert fit(profile("flask", "Flask"), MappingProxyType({"team_experience.follow": "somewhat"})) is None
