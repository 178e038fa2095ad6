from portal.testing import JSON


def test_flexibility_is_listed_with_its_questions(make_app):
    app = make_app(frameworks="*", criteria="flexibility")
    data = app.get("/criteria/flexibility", headers=JSON).json
    assert data["title"] == "Freedom to choose components"
    assert data["category"] == "Team, architecture and operations"
    assert [q["key"] for q in data["questions"]] == ["flexibility.components", "flexibility.existing"]


def test_every_question_can_say_it_does_not_matter_and_nothing_is_a_must(make_app):
    app = make_app(frameworks="*", criteria="flexibility")
    questions = app.get("/criteria/flexibility", headers=JSON).json["questions"]
    for question in questions:
        assert min(option["need"] for option in question["options"]) == 0.0
        assert not any(option["must"] for option in question["options"])
