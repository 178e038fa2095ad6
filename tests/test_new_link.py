"""A new private link: the old one opens nothing (not even from the render cache), the trail says so."""

from __future__ import annotations

import pytest
import webtest

from portal.security import link_digest
from portal.testing import JSON

from .accounts import add_user, sign_in
from .owner_helpers import completed, events, new_assessment, row


@pytest.fixture
def app(make_app):
    return make_app(migrate=True)


def test_a_new_link_replaces_the_old_one_whose_cached_pages_are_gone(app):
    old_url, old_id = completed(app)
    # Rendered and kept by the render cache under the old link.
    for suffix, headers in (("revisions/1", {}), ("revisions/1", JSON), ("revisions/1/report.md", {})):
        app.get(old_url + suffix, headers=headers, status=200)
    page = app.get(old_url + "new-link")
    assert "stops working" in page.text
    done = page.forms["new-link"].submit(status=303)
    new_url = done.location.removesuffix("?new_link=1")
    new_id = new_url.rstrip("/").rsplit("/", 1)[1]
    assert new_id != old_id and row(app, old_id) is None and row(app, new_id).title == "Shop"
    overview = done.follow()
    assert "has a new private link" in overview.text
    assert overview.html.select_one("#private-link")["value"] == new_url
    unknown = app.get("/assessments/" + "y" * 32 + "/", status=404)
    for suffix in ("", "revisions/1", "revisions/1/report.md", "questionnaire"):
        gone = app.get(old_url + suffix, status=404)
        assert gone.html.select_one("main").text == unknown.html.select_one("main").text
    app.get(old_url + "revisions/1", headers=JSON, status=404)
    fresh = app.get(new_url + "revisions/1")
    assert new_id in fresh.text and old_id not in fresh.text
    assert app.get(new_url + "revisions/1", headers=JSON).json["url"] == new_url + "revisions/1"
    (replaced,) = [e for e in events(app) if e[1] == "link-replaced"]
    assert replaced == (link_digest(old_id), "link-replaced", None, {"new_link": link_digest(new_id)})
    assert not [e for e in events(app) if old_id in str(e) or new_id in str(e)]


def test_by_json_the_answer_is_the_state_at_the_new_link(app):
    old_url, old_id = new_assessment(app)
    answer = app.post_json(old_url + "new-link", {}, headers=JSON, status=200)
    assert answer.json["id"] != old_id and answer.location == answer.json["url"]
    app.get(old_url, headers=JSON, status=404)
    app.get(answer.json["url"], headers=JSON, status=200)


def test_an_owned_assessments_link_is_its_owners_to_replace(app):
    ann = add_user(app, "ann@example.com")
    add_user(app, "bob@example.com")
    sign_in(app, "ann@example.com")
    url, public_id = new_assessment(app)
    assert row(app, public_id).owner_id == ann
    bob = webtest.TestApp(app.app)
    sign_in(bob, "bob@example.com")
    bob.get(url + "new-link", status=404)
    token = bob.get("/account").forms["sign-out"]["csrf_token"].value
    bob.post(url + "new-link", {"csrf_token": token}, status=404)
    assert row(app, public_id) is not None
    done = app.get(url + "new-link").forms["new-link"].submit(status=303)
    new_id = done.location.removesuffix("/?new_link=1").rsplit("/", 1)[1]
    assert row(app, new_id).owner_id == ann
    (replaced,) = [e for e in events(app) if e[1] == "link-replaced"]
    assert replaced[2] == ann
    assert new_id in app.get("/account").text or "Shop" in app.get("/account").text
