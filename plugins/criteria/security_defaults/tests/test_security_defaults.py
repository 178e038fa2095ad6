from portal.testing import JSON


def test_security_defaults_is_listed_with_its_questions(make_app):
    app = make_app(frameworks="*", criteria="security_defaults")
    data = app.get("/criteria/security_defaults", headers=JSON).json
    assert data["title"] == "Built-in protection against common attacks"
    assert [q["key"] for q in data["questions"]] == ["security_defaults.exposure", "security_defaults.data"]


def test_sensitive_data_is_asked_only_for_real_deployments(make_app):
    app = make_app(frameworks="*", criteria="security_defaults")
    exposure, data = app.get("/criteria/security_defaults", headers=JSON).json["questions"]
    assert {o["key"]: o["need"] for o in exposure["options"]}["prototype"] == 0.0
    assert data["condition"] == {"question": "security_defaults.exposure", "in": ["internal", "public"]}
    assert data["allow_unsure"]
