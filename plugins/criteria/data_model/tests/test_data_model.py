from portal.testing import JSON


def test_data_model_is_listed_with_its_questions(make_app):
    app = make_app(frameworks="*", criteria="data_model")
    data = app.get("/criteria/data_model", headers=JSON).json
    assert data["title"] == "Stored data and database"
    assert [q["key"] for q in data["questions"]] == ["data_model.records", "data_model.changes"]


def test_changes_are_asked_only_when_data_is_kept(make_app):
    app = make_app(frameworks="*", criteria="data_model")
    records, changes = app.get("/criteria/data_model", headers=JSON).json["questions"]
    assert {o["key"]: o["need"] for o in records["options"]}["none"] == 0.0
    assert "none" not in changes["condition"]["in"]
    assert "unsure" in changes["condition"]["in"]
