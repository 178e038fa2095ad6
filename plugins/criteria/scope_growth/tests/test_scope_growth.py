from portal.testing import JSON


def test_scope_growth_is_listed_with_its_questions(make_app):
    app = make_app(frameworks="*", criteria="scope_growth")
    data = app.get("/criteria/scope_growth", headers=JSON).json
    assert data["title"] == "Growth and change over time"
    assert [q["key"] for q in data["questions"]] == [
        "scope_growth.likelihood",
        "scope_growth.restructure",
        "scope_growth.variants",
    ]


def test_follow_ups_are_skipped_when_the_scope_is_settled(make_app):
    app = make_app(frameworks="*", criteria="scope_growth")
    first, *follow_ups = app.get("/criteria/scope_growth", headers=JSON).json["questions"]
    assert first["required"] and first["allow_unsure"]
    for question in follow_ups:
        assert question["condition"]["question"] == "scope_growth.likelihood"
        assert "settled" not in question["condition"]["in"]
