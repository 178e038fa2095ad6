"""Views: each module registers its own with ``@view_config`` and is found by the scan."""

from __future__ import annotations

from types import MappingProxyType

from pyramid.path import AssetResolver
from pyramid.renderers import JSON
from pyramid.response import FileResponse
from pyramid.security import NO_PERMISSION_REQUIRED

from ..resources import Root
from ..security import Permissions
from .negotiation import GET, method_not_allowed

FAVICON = AssetResolver().resolve("portal:static/favicon.ico").abspath()
# Its address cannot change with it (browsers ask for /favicon.ico by name): a month, not forever.
FAVICON_MAX_AGE = 30 * 24 * 3600


def favicon(context, request):
    return FileResponse(
        FAVICON, request=request, content_type="image/vnd.microsoft.icon", cache_max_age=FAVICON_MAX_AGE
    )


def includeme(config) -> None:
    config.add_static_view("static", "portal:static", cache_max_age=3600)
    # Browsers ask for /favicon.ico whatever a page links to.
    config.add_view(
        favicon, context=Root, name="favicon.ico", request_method=GET, permission=Permissions.VIEW
    )
    config.add_view(method_not_allowed, context=Root, name="favicon.ico", permission=NO_PERMISSION_REQUIRED)
    # Registry objects hold read-only mappings and tuples; JSON sees dicts and lists.
    json_renderer = JSON()
    json_renderer.add_adapter(MappingProxyType, lambda value, request: dict(value))
    config.add_renderer("json", json_renderer)
    config.scan(".")
