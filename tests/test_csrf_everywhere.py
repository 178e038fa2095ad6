"""Every state-changing request of a signed-in browser needs its own session's CSRF token.

The URLs come from the introspector (every view answering POST, PUT, DELETE or
PATCH) and from the URL contract of issue 13; an administrator is signed in, so
only the token stands between each request and its effect. Without a token, or
with another session's, the answer is 400 and no table gains or loses a row.
"""

from __future__ import annotations

import pytest

from portal.testing import JSON

from .protections import build_world, row_counts

WRITE_METHODS = ("POST", "PUT", "DELETE", "PATCH")
REFUSED = "This form has expired or did not come from this site"

# The state-changing URLs of the contract, whether or not their views are registered yet.
CONTRACT = [
    ("POST", "/sign-in"),
    ("POST", "/sign-out"),
    ("POST", "/sign-up"),
    ("POST", "/sign-up/confirm"),
    ("POST", "/reset-password"),
    ("POST", "/reset-password/set"),
    ("POST", "/account/password"),
    ("POST", "/account/tokens"),
    ("POST", "/account/revoke-token"),
    ("POST", "/account/delete"),
    ("POST", "/assessments/"),
    ("POST", "/assessments/{owned}/claim"),
    ("POST", "/assessments/{anonymous}/claim"),
    ("POST", "/assessments/{owned}/new-link"),
    ("POST", "/assessments/{owned}/delete"),
    ("POST", "/assessments/{anonymous}/delete"),
    ("DELETE", "/assessments/{owned}/"),
    ("POST", "/assessments/{owned}/answers"),
    ("POST", "/assessments/{owned}/edit"),
    ("POST", "/assessments/{owned}/rescore"),
    ("POST", "/consultant/assessments/{owned_row}/notes"),
    ("POST", "/consultant/assessments/{owned_row}/decision"),
    ("POST", "/admin/users/{client_b}/role"),
    ("POST", "/admin/users/{client_b}/deactivate"),
    ("POST", "/admin/users/{client_b}/reactivate"),
]

# Where each context's views answer (``{name}`` is the view name).
PLACES = {
    "Root": ["/{name}"],
    "Account": ["/account/{name}"],
    "AssessmentContainer": ["/assessments/{name}"],
    "AssessmentResource": ["/assessments/{owned}/{name}", "/assessments/{anonymous}/{name}"],
    "RevisionContainer": ["/assessments/{owned}/revisions/{name}"],
    "RevisionResource": ["/assessments/{owned}/revisions/1/{name}"],
    "Workspace": ["/consultant/{name}"],
    "WorkspaceAssessments": ["/consultant/assessments/{name}"],
    "WorkspaceAssessment": ["/consultant/assessments/{owned_row}/{name}"],
    "WorkspaceRevision": ["/consultant/assessments/{owned_row}/revisions/1/{name}"],
    "AdminArea": ["/admin/{name}"],
    "AdminUsers": ["/admin/users/{name}"],
    "AdminUser": ["/admin/users/{client_b}/{name}"],
}


def state_changing_urls(world) -> list[tuple[str, str]]:
    values = {
        "owned": world.owned,
        "anonymous": world.anonymous,
        "owned_row": world.owned_row,
        "client_b": world.users["client_b"],
    }
    found = set()
    unplaced = []
    for entry in world.app.app.registry.introspector.get_category("views"):
        view = entry["introspectable"]
        methods = view["request_methods"]
        if methods is None or view["exception_only"]:
            continue  # the 405 fallbacks (any method) and error pages change nothing
        methods = (methods,) if isinstance(methods, str) else methods
        context = getattr(view["context"], "__name__", str(view["context"]))
        for method in set(methods) & set(WRITE_METHODS):
            if context not in PLACES:
                unplaced.append(f"{method} {context}/{view['name']}")
                continue
            for place in PLACES[context]:
                found.add((method, place.format(name=view["name"], **values).replace("//", "/")))
    assert not unplaced, f"add these views' contexts to PLACES: {unplaced}"
    found |= {(method, path.format(**values)) for method, path in CONTRACT}
    return sorted(found)


@pytest.fixture
def world(make_app):
    return build_world(make_app)


def send(browser, method: str, path: str, token: str | None = None):
    params = {"title": "Changed", "body": "A note", "role": "admin", "name": "t", "email": "x@example.com"}
    if token is not None:
        params["csrf_token"] = token
    if method == "POST":
        return browser.post(path, params, expect_errors=True)
    return browser.request(path, method=method, body=b"", expect_errors=True)


def own_token(browser) -> str:
    return browser.get("/account").forms["sign-out"]["csrf_token"].value


def test_every_state_changing_url_refuses_a_missing_or_foreign_token_and_changes_nothing(world):
    urls = state_changing_urls(world)
    assert len(urls) >= len(CONTRACT)
    admin = world.browser("admin")
    foreign = own_token(world.browser("client_b"))
    assert foreign != own_token(admin)
    before = row_counts(world.url)
    wrong = []
    for method, path in urls:
        for label, token in (("no token", None), ("another session's token", foreign)):
            response = send(admin, method, path, token)
            if response.status_int != 400 or REFUSED not in response.text:
                wrong.append(f"{method} {path} with {label}: {response.status} {response.text[:120]!r}")
    assert not wrong, "\n".join(wrong)
    assert row_counts(world.url) == before
    # Still signed in: nothing above signed the administrator out.
    assert admin.get("/account").status_int == 200


def test_csrf_is_checked_before_permission(world):
    """Warehouse's order: a forged request is refused as forged, whoever's cookie it carries.

    A signed-in client lacks the workspace's and the admin area's permissions: without a token
    every such request is the same 400 as anyone's, and only with the session's own token
    does it reach the permission check (403).
    """
    client = world.browser("client_b")
    token = own_token(client)
    staff_only = [(m, p) for m, p in state_changing_urls(world) if p.startswith(("/admin/", "/consultant/"))]
    assert len(staff_only) >= 5
    before = row_counts(world.url)
    wrong = []
    for method, path in staff_only:
        forged, genuine = send(client, method, path), send(client, method, path, token)
        if forged.status_int != 400 or REFUSED not in forged.text or genuine.status_int != 403:
            wrong.append(f"{method} {path}: {forged.status} without a token, {genuine.status} with one")
    assert not wrong, "\n".join(wrong)
    assert row_counts(world.url) == before


def test_a_form_without_a_session_cookie_needs_a_token_too(world):
    browser = world.browser()
    before = row_counts(world.url)
    response = browser.post("/assessments/", {"title": "Forged"}, expect_errors=True)
    assert response.status_int == 400 and REFUSED in response.text
    assert row_counts(world.url) == before


def test_a_cookie_carrying_json_request_needs_the_x_csrf_token_header(world):
    client = world.browser("client_a")
    path = f"/assessments/{world.owned}/edit"
    foreign = own_token(world.browser("client_b"))
    before = row_counts(world.url)
    refused = client.post_json(path, {}, headers=JSON, expect_errors=True)
    assert refused.status_int == 400
    assert "X-CSRF-Token" in refused.json["errors"]["_request"]
    other = client.post_json(path, {}, headers={**JSON, "X-CSRF-Token": foreign}, expect_errors=True)
    assert other.status_int == 400
    assert row_counts(world.url) == before
    # With the session's own token in the header the same request goes through.
    accepted = client.post_json(path, {}, headers={**JSON, "X-CSRF-Token": own_token(client)})
    assert accepted.status_int in (200, 201, 303)
    assert row_counts(world.url) != before


def test_a_json_request_without_a_cookie_needs_no_token(world):
    # The API: authorised by the private link alone, which another site's page cannot send.
    created = world.browser().post_json("/assessments/", {"title": "By the API"}, headers=JSON)
    assert created.status_int == 201
