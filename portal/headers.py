"""Security headers on every response the portal makes: pages, JSON, static files, errors.

A tween (as Warehouse has), first in the chain, so nothing answers without them.
The pages' own script and styles are static files: the policy allows no inline
script, no event-handler attributes and no ``style=`` attributes. Only the debug
toolbar's own pages (development only) run without the policy: they are built
from inline script.
"""

from __future__ import annotations

from pyramid.tweens import INGRESS

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # For browsers that predate frame-ancestors.
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Other sites never see a private link; the portal's own forms keep their Origin,
    # which Pyramid's HTTPS origin check needs (no-referrer makes it "null").
    "Referrer-Policy": "same-origin",
}
TOOLBAR_PREFIX = "/_debug_toolbar/"


def security_headers_tween_factory(handler, registry):
    headers = tuple(SECURITY_HEADERS.items())
    toolbar = tuple((name, value) for name, value in headers if name != "Content-Security-Policy")

    def security_headers_tween(request):
        response = handler(request)
        # The raw WSGI path: decoding it could fail (invalid UTF-8 is answered below us).
        chosen = toolbar if request.environ.get("PATH_INFO", "").startswith(TOOLBAR_PREFIX) else headers
        response.headers.update(chosen)
        return response

    return security_headers_tween


def includeme(config) -> None:
    config.add_tween("portal.headers.security_headers_tween_factory", under=INGRESS)
