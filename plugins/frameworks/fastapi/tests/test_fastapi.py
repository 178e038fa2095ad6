"""The FastAPI profile is loaded, served as JSON and shown as an HTML page."""

from portal.testing import JSON


def test_fastapi_profile_is_served(make_app):
    app = make_app(frameworks="fastapi", criteria="*")
    data = app.get("/frameworks/fastapi", headers=JSON).json
    assert data["title"] == "FastAPI"
    assert data["kind"] == "async"
    assert data["homepage"] == "https://fastapi.tiangolo.com/"
    assert "API-first services" in data["best_fit"]
    # every enabled criterion rated by profiles is rated by this profile itself
    assert data["ratings"] and all(r["source"] == "profile" for r in data["ratings"].values())


def test_fastapi_page_shows_title_and_summary(make_app):
    app = make_app(frameworks="fastapi", criteria="*")
    page = app.get("/frameworks/fastapi")
    assert page.content_type == "text/html"
    assert "<h1>FastAPI</h1>" in page.text
    assert "FastAPI is a framework for building APIs" in page.text
