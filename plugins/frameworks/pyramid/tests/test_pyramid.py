"""The Pyramid profile is loaded, served as JSON and shown as an HTML page."""

from portal.testing import JSON


def test_pyramid_profile_is_served(make_app):
    app = make_app(frameworks="pyramid", criteria="*")
    data = app.get("/frameworks/pyramid", headers=JSON).json
    assert data["title"] == "Pyramid"
    assert data["kind"] == "flexible"
    assert data["homepage"] == "https://trypyramid.com/"
    assert "Projects that may start small and grow into complex systems" in data["best_fit"]
    # every enabled criterion rated by profiles is rated by this profile itself
    assert data["ratings"] and all(r["source"] == "profile" for r in data["ratings"].values())


def test_pyramid_page_shows_title_and_summary(make_app):
    app = make_app(frameworks="pyramid", criteria="*")
    page = app.get("/frameworks/pyramid")
    assert page.content_type == "text/html"
    assert "<h1>Pyramid</h1>" in page.text
    assert "Pyramid is a Python web framework" in page.text
