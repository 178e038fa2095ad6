"""docs/api.md "Authentication": the private link, or an API token as ``Authorization: Bearer``."""

from __future__ import annotations

import pytest

from portal.testing import JSON

from .accounts import new_token
from .protections import build_world


@pytest.fixture
def world(make_app):
    return build_world(make_app)


def token_of(world, who: str) -> str:
    return new_token(world.browser(who))


def bearer(token: str) -> dict[str, str]:
    return {**JSON, "Authorization": f"Bearer {token}"}


def test_a_token_opens_its_owners_assessment_and_nothing_in_a_url_counts(world):
    token = token_of(world, "client_a")
    program = world.browser()
    assert program.get(f"/assessments/{world.owned}/", headers=bearer(token)).json["status"] == "complete"
    # A token in the query string is not read: the owned link opens nothing.
    program.get(f"/assessments/{world.owned}/?token={token}", headers=JSON, status=404)
    program.get(f"/assessments/{world.owned}/?access_token={token}", headers=JSON, status=404)
    # A token request needs no CSRF token: it sends no cookie.
    program.post_json(f"/assessments/{world.owned}/edit", {}, headers=bearer(token), status=(200, 201))


def test_anonymous_json_on_a_protected_url_is_401_and_a_token_without_the_permission_403(world):
    program = world.browser()
    for path in ("/account", "/consultant/assessments/", "/admin/"):
        refused = program.get(path, headers=JSON, status=401)
        assert refused.headers["WWW-Authenticate"] == 'Bearer realm="portal"'
    client = token_of(world, "client_b")
    program.get("/consultant/assessments/", headers=bearer(client), status=403)
    # Someone else's assessment: the 404 of an unknown link.
    program.get(f"/assessments/{world.owned}/", headers=bearer(client), status=404)


def test_a_revoked_token_counts_as_anonymous_at_once(world):
    browser = world.browser("client_a")
    token = new_token(browser, "Soon revoked")
    program = world.browser()
    program.get(f"/assessments/{world.owned}/", headers=bearer(token), status=200)
    revoke = next(f for f in browser.get("/account").forms.values() if "revoke-token" in (f.action or ""))
    revoke.submit(status=303)
    program.get(f"/assessments/{world.owned}/", headers=bearer(token), status=404)
    program.get("/account", headers=bearer(token), status=401)
