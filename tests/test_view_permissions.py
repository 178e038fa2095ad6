"""Every registered view, walked through Pyramid's introspector, declares a permission or is public.

A view given no permission would get the default one (VIEW) silently; the walk
reads the permission each view *declared* (the ``permissions`` introspectable
related to it), so forgetting one fails here instead.
"""

from __future__ import annotations

import pytest
from pyramid.config import Configurator
from pyramid.security import NO_PERMISSION_REQUIRED

from portal.security import PUBLIC_VIEWS, WRITE_PERMISSIONS, Permissions

WRITE_METHODS = {"POST", "PUT", "DELETE", "PATCH"}


def dotted(view) -> str:
    target = view if callable(view) and hasattr(view, "__qualname__") else type(view)
    original = getattr(target, "__wrapped__", target)
    return f"{original.__module__}.{original.__qualname__}"


def views(registry) -> list[dict]:
    """One row per registered view: what it is, where, for which methods, with which permission."""
    rows = []
    for entry in registry.introspector.get_category("views"):
        view = entry["introspectable"]
        related = entry["related"]
        declared = [r["value"] for r in related if r.category_name == "permissions"]
        methods = view["request_methods"]
        methods = (methods,) if isinstance(methods, str) else methods
        context = view["context"]
        rows.append(
            {
                "view": dotted(view["callable"]),
                "where": f"{getattr(context, '__name__', context)}/{view['name']}",
                "methods": None if methods is None else set(methods),
                "permission": declared[0] if declared else None,
                "exception_only": view["exception_only"],
            }
        )
    return rows


def problems(registry) -> list[str]:
    found = []
    for row in views(registry):
        label = f"{row['view']} at {row['where']} ({', '.join(sorted(row['methods'] or ['any method']))})"
        public = row["permission"] in (None, NO_PERMISSION_REQUIRED)
        if public:
            if row["view"] not in PUBLIC_VIEWS:
                found.append(f"{label} declares no permission and is not in portal.security.PUBLIC_VIEWS")
            continue
        if row["permission"] not in set(Permissions):
            found.append(f"{label} asks for {row['permission']!r}, which is not a Permissions member")
            continue
        writes = row["methods"] is None or bool(row["methods"] & WRITE_METHODS)
        if writes and row["permission"] not in WRITE_PERMISSIONS:
            found.append(f"{label} changes state but asks only for {row['permission']}")
    return found


@pytest.fixture
def registry(make_app):
    return make_app(migrate=True).app.registry


def test_every_view_declares_a_permission_or_is_public_and_every_write_a_write_permission(registry):
    assert problems(registry) == []


def test_the_walk_sees_the_views_and_their_declared_permissions(registry):
    rows = views(registry)
    assert len(rows) > 50
    by_view = {(row["view"], tuple(sorted(row["methods"] or ()))): row for row in rows}
    assert by_view[("portal.views.sign_in.sign_in", ("POST",))]["permission"] == Permissions.SIGN_IN
    assert by_view[("portal.views.assessments.create", ("POST",))]["permission"] == Permissions.CREATE
    assert by_view[("portal.views.health.healthz", ("GET", "HEAD"))]["permission"] == Permissions.VIEW


def test_the_public_list_names_only_views_that_exist_and_ask_for_nothing(registry):
    rows = views(registry)
    public = {row["view"] for row in rows if row["permission"] in (None, NO_PERMISSION_REQUIRED)}
    assert public == PUBLIC_VIEWS
    # Public views answer errors, a wrong method, or static files: none is a page of its own.
    for row in rows:
        if row["view"] in PUBLIC_VIEWS and not row["exception_only"]:
            assert row["view"] in {
                "portal.views.negotiation.method_not_allowed",
                "pyramid.static.static_view",
                "pyramid.httpexceptions.default_exceptionresponse_view",
            }, row


def _forgetful(context, request):
    return {}


def test_a_view_without_a_permission_or_with_a_read_permission_on_post_is_found():
    config = Configurator()
    config.add_view(_forgetful, name="forgot", renderer="json")
    config.add_view(_forgetful, name="reads", request_method="POST", permission=Permissions.VIEW)
    config.add_view(_forgetful, name="reviews", request_method="DELETE", permission=Permissions.REVIEW)
    config.add_view(_forgetful, name="made-up", permission="peek")
    config.add_view(_forgetful, name="fine", request_method="POST", permission=Permissions.EDIT)
    config.commit()
    found = problems(config.registry)
    assert len(found) == 4, found
    assert any("/forgot" in line and "PUBLIC_VIEWS" in line for line in found)
    assert any("/reads" in line and "changes state" in line for line in found)
    assert any("/reviews" in line and "changes state" in line for line in found)
    assert any("/made-up" in line and "not a Permissions member" in line for line in found)
