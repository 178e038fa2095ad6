"""A tween that refuses malformed requests before anything else reads them.

Pyramid would answer invalid UTF-8 in a path, or a form body WebOb cannot parse
(``multipart/form-data`` without a boundary), with a 500 and read a body of any
size; here each becomes a clear 4xx. With a configured public address
(``portal.base_url``) a request for another host is refused, and every absolute
URL the portal makes (links, redirects, the HTTPS origin check) comes from that
address, never from what a client or proxy put in ``Host``. The tween sits first
in the chain (other tweens, such as the debug toolbar's, parse the query string),
so it renders the error through the exception views itself.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes, urlsplit

from pyramid.httpexceptions import HTTPBadRequest, HTTPException, HTTPRequestEntityTooLarge

from .settings import base_url, max_body_bytes

TEXT_BODIES = ("application/x-www-form-urlencoded", "application/json", "text/plain")
FORM_BODIES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Load balancers and monitors ask these by whatever address they use.
ANY_HOST_PATHS = ("/healthz", "/readyz")
DEFAULT_PORTS = {"http": 80, "https": 443}


def request_guard_tween_factory(handler, registry):
    limit = max_body_bytes(registry.settings)
    address = base_url(registry.settings)
    public = _PublicAddress(address) if address else None

    def request_guard_tween(request):
        try:
            if public is not None:
                public.apply(request)
            _check_size(request, limit)
            _check_utf8(request)
            _check_form(request)
        except HTTPException:
            return request.invoke_exception_view()
        return handler(request)

    return request_guard_tween


class _PublicAddress:
    def __init__(self, url: str):
        parts = urlsplit(url)
        self.url, self.scheme = url, parts.scheme
        self.port = parts.port or DEFAULT_PORTS[parts.scheme]
        self.name = parts.hostname
        self.host = (
            parts.hostname if self.port == DEFAULT_PORTS[parts.scheme] else f"{parts.hostname}:{self.port}"
        )

    def apply(self, request) -> None:
        environ = request.environ
        if environ.get("PATH_INFO") in ANY_HOST_PATHS:
            return
        given = environ.get("HTTP_HOST", "")
        # The refusal's own page links to the public address too, never to the Host given.
        environ["wsgi.url_scheme"] = self.scheme
        environ["HTTP_HOST"] = self.host
        environ["SERVER_NAME"], environ["SERVER_PORT"] = self.name, str(self.port)
        if not self._is_ours(given):
            raise HTTPBadRequest(f"This portal answers only at {self.url}.")

    def _is_ours(self, host: str) -> bool:
        try:
            parts = urlsplit("//" + host)
            return parts.hostname == self.name and (parts.port or self.port) == self.port
        except ValueError:  # a port that is not a number
            return False


def _check_size(request, limit: int) -> None:
    length = request.content_length
    if length is None and request.is_body_readable:
        # No declared length (chunked): read one byte past the limit at most.
        body = request.body_file.read(limit + 1)
        request.body = body
        length = len(body)
    if length is not None and length > limit:
        raise HTTPRequestEntityTooLarge(f"The request body is larger than the limit of {limit} bytes.")


def _check_utf8(request) -> None:
    environ = request.environ
    # WSGI hands over the (already unquoted) path and the raw query string as
    # latin-1 decoded bytes.
    _require_utf8(_wsgi_bytes(environ.get("PATH_INFO", "")), "path")
    _require_utf8(unquote_to_bytes(_wsgi_bytes(environ.get("QUERY_STRING", ""))), "query string")
    if request.content_type in TEXT_BODIES and request.content_length:
        body = request.body
        if request.content_type == "application/x-www-form-urlencoded":
            body = unquote_to_bytes(body)
        _require_utf8(body, "request body")


def _check_form(request) -> None:
    if request.content_type not in FORM_BODIES:
        return
    try:
        request.POST  # noqa: B018 (parsed once here; WebOb keeps the result)
    except ValueError:
        # Nothing may parse this body again, the error page included.
        request.content_type = "application/octet-stream"
        raise HTTPBadRequest("The form body is malformed (a multipart body needs its boundary).") from None


def _wsgi_bytes(value: str) -> bytes:
    return value.encode("latin-1", "replace")


def _require_utf8(data: bytes, where: str) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPBadRequest(f"The {where} is not valid UTF-8.") from None


def includeme(config) -> None:
    # Under the security headers, so the errors it answers carry them too.
    config.add_tween(
        "portal.guards.request_guard_tween_factory", under="portal.headers.security_headers_tween_factory"
    )
