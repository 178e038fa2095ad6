from portal.testing import JSON


def test_server_rendered_is_listed_with_its_questions(make_app):
    app = make_app(frameworks="*", criteria="server_rendered")
    data = app.get("/criteria/server_rendered", headers=JSON).json
    assert data["title"] == "Web pages and forms built on the server"
    assert [q["key"] for q in data["questions"]] == ["server_rendered.pages", "server_rendered.forms"]


def test_forms_are_asked_only_when_there_are_pages(make_app):
    app = make_app(frameworks="*", criteria="server_rendered")
    pages, forms = app.get("/criteria/server_rendered", headers=JSON).json["questions"]
    needs = {o["key"]: o["need"] for o in pages["options"]}
    assert needs == {"none": 0.0, "few": 0.3, "some": 0.6, "main": 1.0}
    assert forms["condition"]["question"] == "server_rendered.pages"
    assert forms["condition"]["in"] == ["few", "some", "main", "unsure"]
