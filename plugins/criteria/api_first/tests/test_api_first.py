from portal.testing import JSON


def test_api_first_is_listed_with_its_questions(make_app):
    app = make_app(frameworks="*", criteria="api_first")
    data = app.get("/criteria/api_first", headers=JSON).json
    assert data["title"] == "API-first development"
    assert data["category"] == "APIs and performance"
    assert [q["key"] for q in data["questions"]] == ["api_first.consumers", "api_first.documentation"]


def test_documentation_is_asked_only_when_there_is_an_api(make_app):
    app = make_app(frameworks="*", criteria="api_first")
    consumers, documentation = app.get("/criteria/api_first", headers=JSON).json["questions"]
    assert documentation["condition"] == {"question": "api_first.consumers", "in": ["some", "major", "core"]}
    needs = {option["key"]: option["need"] for option in consumers["options"]}
    assert needs["no"] == 0.0
    assert needs["core"] == 1.0
