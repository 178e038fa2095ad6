"""The Django profile is loaded, served as JSON and shown as an HTML page."""

from portal.testing import JSON


def test_django_profile_is_served(make_app):
    app = make_app(frameworks="django", criteria="*")
    data = app.get("/frameworks/django", headers=JSON).json
    assert data["title"] == "Django"
    assert data["kind"] == "full-stack"
    assert data["homepage"] == "https://www.djangoproject.com/"
    assert "Admin-heavy systems" in data["best_fit"]
    # every enabled criterion rated by profiles is rated by this profile itself
    assert data["ratings"] and all(r["source"] == "profile" for r in data["ratings"].values())


def test_django_page_shows_title_and_summary(make_app):
    app = make_app(frameworks="django", criteria="*")
    page = app.get("/frameworks/django")
    assert page.content_type == "text/html"
    assert "<h1>Django</h1>" in page.text
    assert "Django is a mature full-stack Python framework" in page.text
