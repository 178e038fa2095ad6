"""The Flask profile is loaded, served as JSON and shown as an HTML page."""

from portal.testing import JSON


def test_flask_profile_is_served(make_app):
    app = make_app(frameworks="flask", criteria="*")
    data = app.get("/frameworks/flask", headers=JSON).json
    assert data["title"] == "Flask"
    assert data["kind"] == "micro"
    assert data["homepage"] == "https://flask.palletsprojects.com/"
    assert "Simple APIs" in data["best_fit"]
    # every enabled criterion rated by profiles is rated by this profile itself
    assert data["ratings"] and all(r["source"] == "profile" for r in data["ratings"].values())


def test_flask_page_shows_title_and_summary(make_app):
    app = make_app(frameworks="flask", criteria="*")
    page = app.get("/frameworks/flask")
    assert page.content_type == "text/html"
    assert "<h1>Flask</h1>" in page.text
    assert "Flask is a lightweight Python web framework" in page.text
