from portal.testing import JSON


def test_serverless_is_listed_with_its_questions(make_app):
    app = make_app(frameworks="*", criteria="serverless")
    data = app.get("/criteria/serverless", headers=JSON).json
    assert data["title"] == "Serverless deployment"
    assert data["category"] == "Team, architecture and operations"
    assert [q["key"] for q in data["questions"]] == ["serverless.plan"]


def test_only_a_decided_serverless_platform_is_a_must(make_app):
    app = make_app(frameworks="*", criteria="serverless")
    (plan,) = app.get("/criteria/serverless", headers=JSON).json["questions"]
    options = {option["key"]: option for option in plan["options"]}
    assert [key for key, option in options.items() if option["must"]] == ["decided"]
    assert options["no"]["need"] == 0.0
    assert options["decided"]["need"] == 1.0
