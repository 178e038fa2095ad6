from portal.testing import JSON


def test_admin_ui_is_listed_with_its_questions(make_app):
    app = make_app(frameworks="*", criteria="admin_ui")
    data = app.get("/criteria/admin_ui", headers=JSON).json
    assert data["title"] == "Admin screens for staff"
    assert [q["key"] for q in data["questions"]] == ["admin_ui.need", "admin_ui.records"]


def test_only_contractual_admin_screens_are_a_must_have(make_app):
    app = make_app(frameworks="*", criteria="admin_ui")
    questions = app.get("/criteria/admin_ui", headers=JSON).json["questions"]
    musts = [(q["key"], o["key"]) for q in questions for o in q["options"] if o["must"]]
    assert musts == [("admin_ui.need", "required")]
    # How many kinds of records is asked whenever admin screens are wanted now, required ones too.
    assert questions[1]["condition"] == {"question": "admin_ui.need", "in": ["yes", "required"]}
