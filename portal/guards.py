"""A tween that refuses malformed requests before anything else reads them.

Pyramid would answer invalid UTF-8 in a path, or a form body WebOb cannot parse
(``multipart/form-data`` without a boundary), with a 500 and read a body of any
size; here each becomes a clear 4xx. The tween sits first in the chain (other
tweens, such as the debug toolbar's, parse the query string), so it renders the
error through the exception views itself.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from pyramid.httpexceptions import HTTPBadRequest, HTTPException, HTTPRequestEntityTooLarge

from .settings import max_body_bytes

TEXT_BODIES = ("application/x-www-form-urlencoded", "application/json", "text/plain")
FORM_BODIES = ("application/x-www-form-urlencoded", "multipart/form-data")


def request_guard_tween_factory(handler, registry):
    limit = max_body_bytes(registry.settings)

    def request_guard_tween(request):
        try:
            _check_size(request, limit)
            _check_utf8(request)
            _check_form(request)
        except HTTPException:
            return request.invoke_exception_view()
        return handler(request)

    return request_guard_tween


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
