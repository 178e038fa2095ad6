from portal.testing import JSON


def test_project_scale_is_listed_with_its_questions(make_app):
    app = make_app(frameworks="*", criteria="project_scale")
    data = app.get("/criteria/project_scale", headers=JSON).json
    assert data["title"] == "Size of the application"
    assert [q["key"] for q in data["questions"]] == ["project_scale.size", "project_scale.teams"]


def test_small_projects_do_not_need_scale_and_teams_is_a_follow_up(make_app):
    app = make_app(frameworks="*", criteria="project_scale")
    size, teams = app.get("/criteria/project_scale", headers=JSON).json["questions"]
    needs = {o["key"]: o["need"] for o in size["options"]}
    assert needs["small"] == 0.0 and needs["large"] == 1.0
    assert teams["condition"] == {"question": "project_scale.size", "in": ["medium", "large", "unsure"]}
