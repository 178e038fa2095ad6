"""The portal's request class: the attributes every part of the portal reads from a request.

Pyramid's recommended ``config.add_request_method(..., reify=True)`` attaches a property by
making a new subclass of the request class on every request
(``InstancePropertyHelper.apply_properties``): ~20 µs here, a sixth of what a cached
revision page costs in process (docs/performance.md, "Accounts"). Declared on one request
class (``config.set_request_factory``), they cost nothing until read, and each request
still computes its own values (``reify`` keeps them on the instance).

``portal.main`` claims each name with ``config.add_request_method(None, name)``
(``use_portal_request``), Pyramid's way of taking part in its conflict resolution. Made at
the top of the include tree, the claims win over what an included add-on asks for under the
same name: pyramid_tm's own ``request.tm`` (included by ``portal.models``) gives way to the
class's, as would a plugin's ``request.dbsession``. A plugin may still add properties of
other names with ``add_request_method``; they work, at that per-request cost.
"""

from __future__ import annotations

from pyramid.csrf import get_csrf_token
from pyramid.decorator import reify
from pyramid.request import Request
from pyramid_mailer import get_mailer
from pyramid_tm import create_tm

from .models import request_dbsession


class PortalRequest(Request):
    @reify
    def tm(self):
        """The request's transaction manager (pyramid_tm's, explicit: see ``portal.models``)."""
        return create_tm(self)

    @reify
    def dbsession(self):
        """The request's database session, joined to ``tm`` (``portal.models``)."""
        return request_dbsession(self)

    @reify
    def csrf_token(self) -> str:
        """Forms render ``{{ request.csrf_token }}``; asking for it starts a session."""
        return get_csrf_token(self)

    @reify
    def mailer(self):
        """Outgoing mail: SMTP, or files in a folder (``portal.mail``)."""
        return get_mailer(self)

    @reify
    def catalog(self):
        """The frameworks and criteria the enabled plugins registered (``portal.plugins``)."""
        return self.registry.portal_catalog


# What portal.main claims for this class: every property above.
PROPERTIES = tuple(name for name, value in vars(PortalRequest).items() if isinstance(value, reify))


def use_portal_request(config) -> None:
    """Called with ``portal.main``'s own configurator, not included: only an action at the
    top of the include tree overrides one an included add-on made (pyramid_tm's ``tm``)."""
    config.set_request_factory(PortalRequest)
    for name in PROPERTIES:
        config.add_request_method(None, name)
