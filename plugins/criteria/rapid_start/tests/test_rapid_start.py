from portal.testing import JSON


def test_rapid_start_is_listed_with_its_questions(make_app):
    app = make_app(frameworks="*", criteria="rapid_start")
    data = app.get("/criteria/rapid_start", headers=JSON).json
    assert data["title"] == "Small, quick start"
    assert [q["key"] for q in data["questions"]] == ["rapid_start.start", "rapid_start.deadline"]


def test_a_prototype_needs_a_quick_start_and_a_complete_product_does_not(make_app):
    app = make_app(frameworks="*", criteria="rapid_start")
    start, deadline = app.get("/criteria/rapid_start", headers=JSON).json["questions"]
    needs = {o["key"]: o["need"] for o in start["options"]}
    assert needs["prototype"] == 1.0 and needs["complete"] == 0.0
    assert deadline["condition"] == {"question": "rapid_start.start", "in": ["first_version", "focused"]}
