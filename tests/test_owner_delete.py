"""An owner may delete a completed assessment of their own; an anonymous link holder may not."""

from __future__ import annotations

import pytest
import webtest

from portal.security import link_digest
from portal.testing import JSON

from .accounts import add_user, sign_in
from .owner_helpers import completed, events, json_headers, row


@pytest.fixture
def app(make_app):
    return make_app(migrate=True)


def test_an_owner_deletes_a_completed_assessment_after_confirming(app):
    ann = add_user(app, "ann@example.com")
    sign_in(app, "ann@example.com")
    url, public_id = completed(app)
    overview = app.get(url)
    assert overview.html.select_one(f'a[href="{url}delete"]').text.startswith("Delete the assessment")
    page = app.get(url + "delete")
    assert "Delete this assessment?" in page.text and "1 result" in page.text
    page.forms["delete"].submit(status=303)
    assert row(app, public_id) is None
    app.get(url, status=404)
    app.get(url + "revisions/1", status=404)
    assert (link_digest(public_id), "deleted", ann, {"revisions": 1}) in events(app)


def test_the_owner_may_delete_by_the_api_too(app):
    add_user(app, "ann@example.com")
    client = webtest.TestApp(app.app)
    sign_in(client, "ann@example.com")
    token = client.get("/account").forms["sign-out"]["csrf_token"].value
    url, public_id = completed(client)
    client.delete(url, headers={**JSON, "X-CSRF-Token": token}, status=204)
    assert row(app, public_id) is None


def test_an_anonymous_link_holder_still_cannot_delete_a_completed_one(app):
    url, public_id = completed(app)
    page = app.get(url + "delete")
    assert "cannot be deleted" in page.text and "Yes, delete" not in page.text
    assert not app.get(url).html.select(f'a[href="{url}delete"]')
    app.delete(url, headers=json_headers(app), status=409)
    # By the form too: the refusal says why, and nothing goes.
    token = page.html.select_one("input[name=csrf_token]")
    assert token is None
    form_token = app.get("/assessments/").html.select_one("input[name=csrf_token]")["value"]
    app.post(url + "delete", {"csrf_token": form_token}, status=409)
    assert row(app, public_id) is not None
    assert "deleted" not in [e[1] for e in events(app)]


def test_nobody_else_deletes_an_owners_completed_assessment(app):
    add_user(app, "ann@example.com")
    add_user(app, "bob@example.com")
    sign_in(app, "ann@example.com")
    url, public_id = completed(app)
    bob = webtest.TestApp(app.app)
    sign_in(bob, "bob@example.com")
    token = bob.get("/account").forms["sign-out"]["csrf_token"].value
    bob.post(url + "delete", {"csrf_token": token}, status=404)
    bob.get(url + "delete", status=404)
    assert row(app, public_id) is not None
