from portal.testing import JSON


def test_realtime_is_listed_with_its_questions(make_app):
    app = make_app(frameworks="*", criteria="realtime")
    data = app.get("/criteria/realtime", headers=JSON).json
    assert data["title"] == "Real-time features and long-lived connections"
    assert data["category"] == "APIs and performance"
    assert [q["key"] for q in data["questions"]] == ["realtime.live", "realtime.connections"]


def test_only_live_connections_at_the_heart_of_the_product_is_a_must(make_app):
    app = make_app(frameworks="*", criteria="realtime")
    questions = app.get("/criteria/realtime", headers=JSON).json["questions"]
    musts = [(q["key"], o["key"]) for q in questions for o in q["options"] if o["must"]]
    assert musts == [("realtime.live", "core")]
    assert questions[1]["condition"]["question"] == "realtime.live"
    assert "no" not in questions[1]["condition"]["in"]
