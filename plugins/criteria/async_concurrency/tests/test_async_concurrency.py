from portal.testing import JSON


def test_async_concurrency_is_listed_with_its_questions(make_app):
    app = make_app(frameworks="*", criteria="async_concurrency")
    data = app.get("/criteria/async_concurrency", headers=JSON).json
    assert data["title"] == "Many simultaneous requests and slow outside calls"
    assert data["category"] == "APIs and performance"
    assert [q["key"] for q in data["questions"]] == ["async_concurrency.load", "async_concurrency.waiting"]


def test_waiting_is_skipped_for_a_lightly_used_system(make_app):
    app = make_app(frameworks="*", criteria="async_concurrency")
    load, waiting = app.get("/criteria/async_concurrency", headers=JSON).json["questions"]
    assert load["required"] is True and load["allow_unsure"] is True
    assert "handful" not in waiting["condition"]["in"]
    assert "unsure" in waiting["condition"]["in"]
    assert {o["key"]: o["need"] for o in load["options"]}["handful"] == 0.0
