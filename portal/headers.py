"""Security headers on every response the portal makes: pages, JSON, static files, errors.

A tween (as Warehouse has), first in the chain, so nothing answers without them.
The pages' own script and styles are static files: the policy allows no inline
script, no event-handler attributes and no ``style=`` attributes. Only the debug
toolbar's own pages (development only) run without the policy: they are built
from inline script.
"""

from __future__ import annotations

from functools import cache

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


@cache
def _lower_names(headers: tuple[tuple[str, str], ...]) -> frozenset[str]:
    return frozenset(name.lower() for name, _ in headers)


def set_headers(response, headers: tuple[tuple[str, str], ...], replace: bool = True) -> None:
    """Set ``headers`` on ``response``, replacing (or, with ``replace=False``, keeping) any
    the response has already, in one pass over its header list.

    ``response.headers.update`` or ``setdefault`` scans every header once per header set:
    most of what these headers cost on a cached page.
    """
    names = _lower_names(headers)
    headerlist = response.headerlist
    present = {name.lower() for name, _ in headerlist} & names
    if present and replace:
        headerlist[:] = [item for item in headerlist if item[0].lower() not in present]
    elif present:
        headers = tuple(item for item in headers if item[0].lower() not in present)
    headerlist.extend(headers)


def security_headers_tween_factory(handler, registry):
    headers = tuple(SECURITY_HEADERS.items())
    toolbar = tuple((name, value) for name, value in headers if name != "Content-Security-Policy")

    def security_headers_tween(request):
        response = handler(request)
        # The raw WSGI path: decoding it could fail (invalid UTF-8 is answered below us).
        chosen = toolbar if request.environ.get("PATH_INFO", "").startswith(TOOLBAR_PREFIX) else headers
        set_headers(response, chosen)
        return response

    return security_headers_tween


def includeme(config) -> None:
    config.add_tween("portal.headers.security_headers_tween_factory", under=INGRESS)
