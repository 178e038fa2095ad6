from portal.testing import JSON


def test_maintenance_is_listed_with_its_questions(make_app):
    app = make_app(frameworks="*", criteria="maintenance")
    data = app.get("/criteria/maintenance", headers=JSON).json
    assert data["title"] == "Long-term maintenance and stability"
    assert data["category"] == "Team, architecture and operations"
    assert [q["key"] for q in data["questions"]] == ["maintenance.lifetime", "maintenance.upkeep"]


def test_upkeep_is_not_asked_for_a_short_lived_system(make_app):
    app = make_app(frameworks="*", criteria="maintenance")
    lifetime, upkeep = app.get("/criteria/maintenance", headers=JSON).json["questions"]
    assert {o["key"]: o["need"] for o in lifetime["options"]}["months"] == 0.0
    assert upkeep["condition"]["question"] == "maintenance.lifetime"
    assert "months" not in upkeep["condition"]["in"]
