"""The request's attributes live on one request class (portal.request), built once, not per request."""

from __future__ import annotations

from pyramid.config import Configurator
from pyramid.interfaces import IRequestExtensions, IRequestFactory
from sqlalchemy import text

from portal.request import PROPERTIES, PortalRequest, use_portal_request

from .conftest import ROOT


def test_the_router_makes_every_request_of_the_one_class_with_its_own_values(make_app):
    app = make_app(migrate=True)
    router = app.app
    # Nothing left for Pyramid to attach per request (it would build a class each time).
    extensions = router.registry.queryUtility(IRequestExtensions)
    assert extensions is None or not extensions.descriptors

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "SERVER_NAME": "localhost", "SERVER_PORT": "80"}
    first, second = (router.request_context(dict(environ)).begin() for _ in range(2))
    assert type(first) is type(second) is PortalRequest
    # Each request computes its own: reify keeps the value on the instance.
    assert first.tm is first.tm
    assert first.tm is not second.tm
    assert first.catalog is router.registry.portal_catalog
    assert first.mailer is second.mailer  # the registered mailer
    with first.tm:
        assert first.dbsession is first.dbsession
        assert first.dbsession.scalar(text("SELECT 1")) == 1

    # A page through it: the form's token is the session's.
    page = app.get("/sign-in")
    assert page.forms["sign-in"]["csrf_token"].value


def test_the_plugin_authors_guide_names_every_property_of_the_class():
    guide = (ROOT / "docs" / "plugin-authors.md").read_text()
    line = next(line for line in guide.splitlines() if "portal.request.PortalRequest" in line)
    paragraph = guide[guide.index(line) - 200 : guide.index(line) + 200]
    assert PROPERTIES and all(f"`{name}`" in paragraph for name in PROPERTIES), paragraph


def addon_claiming_every_name(config):
    for name in PROPERTIES:
        config.add_request_method(lambda request: "not the portal's", name, reify=True)


def test_an_add_on_asking_for_a_claimed_name_gives_way_as_pyramid_tm_does():
    config = Configurator(settings={})
    use_portal_request(config)
    config.include("pyramid_tm")
    config.include(addon_claiming_every_name)
    config.commit()  # no conflict: the claims are made at the top of the include tree
    extensions = config.registry.queryUtility(IRequestExtensions)
    assert extensions is None or not set(PROPERTIES) & set(extensions.descriptors)
    assert config.registry.queryUtility(IRequestFactory) is PortalRequest
