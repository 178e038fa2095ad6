"""The Tornado profile is loaded, served as JSON and shown as an HTML page."""

from portal.testing import JSON


def test_tornado_profile_is_served(make_app):
    app = make_app(frameworks="tornado", criteria="*")
    data = app.get("/frameworks/tornado", headers=JSON).json
    assert data["title"] == "Tornado"
    assert data["kind"] == "async"
    assert data["homepage"] == "https://www.tornadoweb.org/"
    assert "Chat and messaging applications" in data["use_cases"]
    # every enabled criterion rated by profiles is rated by this profile itself
    assert data["ratings"] and all(r["source"] == "profile" for r in data["ratings"].values())


def test_tornado_page_shows_title_and_summary(make_app):
    app = make_app(frameworks="tornado", criteria="*")
    page = app.get("/frameworks/tornado")
    assert page.content_type == "text/html"
    assert "<h1>Tornado</h1>" in page.text
    assert "Tornado is both a Python web framework" in page.text
