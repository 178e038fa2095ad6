"""One view, two representations: HTML for browsers, JSON for ``Accept: application/json``.

A view decorated with :func:`page_view` returns the JSON form as a dict; the
template renders the same dict, so both representations say the same thing.
Any ``Accept`` the portal cannot serve falls back to HTML. A method the view
does not declare is answered with 405 and ``Allow`` by :func:`method_not_allowed`.
"""

from __future__ import annotations

import venusian
from pyramid.httpexceptions import HTTPMethodNotAllowed
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

HTML = "text/html"
JSON = "application/json"


def wants_json(request) -> bool:
    """JSON for a JSON request body or an Accept that prefers JSON over HTML."""
    if request.content_type == JSON:
        return True
    if not request.accept:
        return False
    offers = request.accept.acceptable_offers([HTML, JSON])
    return bool(offers) and offers[0][0] == JSON


GET = ("GET", "HEAD")
AS_JSON = ({"accept": JSON, "renderer": "json"},)


def _as_html(template: str) -> tuple[dict, ...]:
    # With and without an accept predicate: HTML also answers any Accept we cannot serve.
    return ({"accept": HTML, "renderer": template}, {"renderer": template})


def _registrar(variants: tuple[dict, ...], request_method, predicates):
    def attach(wrapped):
        for extra in variants:
            # _depth: venusian must see the module that applies the decorator, not this one.
            wrapped = view_config(request_method=request_method, _depth=1, **predicates, **extra)(wrapped)
        venusian.attach(wrapped, _method_fallback(predicates), category="pyramid")
        return wrapped

    return attach


def page_view(template: str, request_method=GET, **predicates):
    """Register the decorated function for HTML (also the fallback) and for JSON."""
    return _registrar((*AS_JSON, *_as_html(template)), request_method, predicates)


def html_view(template: str, request_method=GET, **predicates):
    """The HTML half only, where the page needs more than the JSON form holds."""
    return _registrar(_as_html(template), request_method, predicates)


def json_view(request_method=GET, **predicates):
    """The JSON half only."""
    return _registrar(AS_JSON, request_method, predicates)


def action_view(request_method="POST", **predicates):
    """A state change that answers with its own Response (a redirect, a page or JSON)."""
    return _registrar(({},), request_method, predicates)


def _method_fallback(predicates):
    """A scan callback adding one 405 view per (context, view name)."""
    context, name = predicates.get("context"), predicates.get("name", "")

    def callback(scanner, _name, _ob):
        config = scanner.config
        seen = config.registry.setdefault("portal.method_fallbacks", set())
        if (context, name) in seen:
            return
        seen.add((context, name))
        config.add_view(method_not_allowed, context=context, name=name, permission=NO_PERMISSION_REQUIRED)

    return callback


def method_not_allowed(context, request):
    """Matches only when no view for this context and name accepts the method."""
    allowed = sorted(_declared_methods(request.registry).get((type(context), request.view_name), ()))
    raise HTTPMethodNotAllowed(
        f"{request.method} is not allowed here; use {', '.join(allowed)}.",
        headers={"Allow": ", ".join(allowed)},
    )


def _declared_methods(registry) -> dict:
    cached = registry.get("portal.declared_methods")
    if cached is None:
        cached = {}
        for intr in registry.introspector.get_category("views"):
            view = intr["introspectable"]
            methods = view["request_methods"]
            if view["callable"] is method_not_allowed or methods is None:
                continue
            methods = (methods,) if isinstance(methods, str) else methods
            cached.setdefault((view["context"], view["name"]), set()).update(methods)
        registry["portal.declared_methods"] = cached
    return cached
