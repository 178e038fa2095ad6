from portal.testing import JSON


def test_ml_serving_is_listed_with_its_questions(make_app):
    app = make_app(frameworks="*", criteria="ml_serving")
    data = app.get("/criteria/ml_serving", headers=JSON).json
    assert data["title"] == "Serving machine-learning and AI model results"
    assert data["category"] == "APIs and performance"
    assert [q["key"] for q in data["questions"]] == ["ml_serving.role", "ml_serving.volume"]


def test_a_dedicated_prediction_service_makes_it_central(make_app):
    app = make_app(frameworks="*", criteria="ml_serving")
    role, volume = app.get("/criteria/ml_serving", headers=JSON).json["questions"]
    needs = {option["key"]: option["need"] for option in role["options"]}
    assert needs == {"no": 0.0, "feature": 0.5, "service": 1.0}
    assert volume["condition"] == {"question": "ml_serving.role", "in": ["feature", "service", "unsure"]}
