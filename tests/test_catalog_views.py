"""The catalog pages, as HTML and as JSON, for fixture plugins."""

from __future__ import annotations

import pytest

from portal.testing import JSON


@pytest.fixture
def app(use_plugins, make_app):
    use_plugins("good")
    return make_app(frameworks="quokka wombat", criteria="latency hosting")


def test_home_lists_what_is_installed(app):
    page = app.get("/")
    assert page.content_type == "text/html"
    assert "Choose a Python web framework" in page.text
    assert page.html.find("a", string="Quokka")["href"] == "http://localhost/frameworks/quokka"
    assert page.html.find("a", string="Response latency") is not None
    data = app.get("/", headers=JSON).json
    assert [f["slug"] for f in data["frameworks"]] == ["quokka", "wombat"]
    assert [c["key"] for c in data["criteria"]] == ["latency", "hosting"]


def test_home_with_nothing_installed_says_so(make_app):
    app = make_app(frameworks="", criteria="")
    page = app.get("/")
    assert "Nothing is installed yet" in page.text
    assert app.get("/frameworks/").html.find(class_="notice").text.strip().startswith("No framework")
    assert app.get("/criteria/", headers=JSON).json == {"criteria": []}


def test_framework_list_json_shape(app):
    data = app.get("/frameworks/", headers=JSON).json
    assert data["frameworks"][0] == {
        "slug": "quokka",
        "title": "Quokka",
        "kind": "micro",
        "summary": "Quokka is a fictional framework used by the portal's own tests.",
        "version": "1.2.0",
        "url": "http://localhost/frameworks/quokka",
    }


def test_framework_profile_json_resolves_each_rating_source(app):
    data = app.get("/frameworks/wombat", headers=JSON).json
    assert data["slug"] == "wombat" and data["version"] == "0.3.0"
    # Wombat does not rate latency itself: the criterion's default applies.
    latency = data["ratings"]["latency"]
    assert (latency["score"], latency["source"]) == (2, "criterion")
    assert latency["rationale"] == "Wombat digs before it answers."
    # Criteria rated by a hook are not part of a profile's stored ratings.
    assert "hosting" not in data["ratings"]
    quokka = app.get("/frameworks/quokka", headers=JSON).json["ratings"]["latency"]
    assert (quokka["score"], quokka["source"]) == (5, "profile")
    assert quokka["evidence"] == ["https://quokka.example.org/docs/speed"]


def test_framework_page_shows_ratings_with_rationale(app):
    page = app.get("/frameworks/quokka")
    row = page.html.find("table", class_="ratings").find("tbody").find("tr")
    assert "Response latency" in row.text and "Quokka answers fast" in row.text
    assert row.find(class_="score").text == "5.0"


def test_plugin_text_is_escaped(app):
    page = app.get("/frameworks/wombat")
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; digs &amp; burrows." in page.text
    assert "&lt;b&gt;markup&lt;/b&gt;" in page.text


def test_criterion_page_shows_questions_and_how_frameworks_rate(app):
    data = app.get("/criteria/latency", headers=JSON).json
    assert data["rubric"] == "0: slow 5: instant"
    assert [q["key"] for q in data["questions"]] == ["latency.sensitivity", "latency.budget"]
    assert data["questions"][1]["condition"] == {
        "question": "latency.sensitivity",
        "in": ["some", "critical"],
    }
    assert data["questions"][0]["options"][2]["must"] is True
    assert {slug: r["source"] for slug, r in data["ratings"].items()} == {
        "quokka": "profile",
        "wombat": "criterion",
    }
    page = app.get("/criteria/latency")
    assert "Asked only when the answer to" in page.text
    assert "Wombat digs before it answers." in page.text


def test_hook_rated_criterion_says_ratings_come_from_answers(app):
    data = app.get("/criteria/hosting", headers=JSON).json
    assert data["rated_by"] == "hook"
    assert {r["source"] for r in data["ratings"].values()} == {"hook"}


def test_compare_puts_frameworks_side_by_side(app):
    data = app.get("/frameworks/compare?f=wombat&f=quokka", headers=JSON).json
    assert [f["slug"] for f in data["frameworks"]] == ["wombat", "quokka"]
    assert data["criteria"][0]["ratings"]["quokka"]["score"] == 5
    bad = app.get("/frameworks/compare?f=kangaroo", headers=JSON, status=400).json
    assert bad == {"errors": {"_request": "f: unknown framework kangaroo"}}


def test_missing_slug_is_a_404_page_or_json(app):
    page = app.get("/frameworks/kangaroo", status=404)
    assert page.content_type == "text/html" and "There is nothing at /frameworks/kangaroo." in page.text
    data = app.get("/criteria/speed", headers=JSON, status=404).json
    assert data == {"errors": {"_request": "There is nothing at /criteria/speed."}}
    app.get("/frameworks/quokka/nothing-here", status=404)


def test_accept_the_portal_cannot_serve_gets_html(app):
    page = app.get("/frameworks/", headers={"Accept": "image/png"})
    assert page.content_type == "text/html"
    browser = app.get("/frameworks/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.content_type == "text/html"


@pytest.mark.parametrize(
    "path", ["/", "/frameworks/", "/frameworks/quokka", "/criteria/latency", "/frameworks/compare"]
)
def test_undeclared_methods_get_405_with_allow(app, path):
    response = app.post(path, headers=JSON, status=405)
    assert response.headers["Allow"] == "GET, HEAD"
    assert response.json == {"errors": {"_request": "POST is not allowed here; use GET, HEAD."}}
    page = app.delete(path, status=405)
    assert "DELETE is not allowed here" in page.text


def test_head_is_answered_like_get(app):
    response = app.head("/frameworks/quokka")
    assert response.status_int == 200 and response.body == b""
