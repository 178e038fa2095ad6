"""Error answers: JSON for JSON requests, a friendly page otherwise, never a traceback."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from pyramid.exceptions import BadCSRFOrigin, BadCSRFToken
from pyramid.httpexceptions import HTTPError, HTTPException, HTTPNotFound, HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.response import Response
from pyramid.view import exception_view_config, forbidden_view_config, notfound_view_config
from pyramid_retry import is_error_retryable
from pyramid_tm import is_tm_active, maybe_tag_retryable
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ..assessments import NoSuchAssessment
from ..resources import AssessmentResource, UnknownLink
from ..security import mask_links
from ..throttle import Throttled, wait_words
from .negotiation import wants_json

log = logging.getLogger(__name__)

# Headers an error keeps from the exception that raised it.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def error_response(request, status: int, title: str, message: str, exc=None):
    if wants_json(request):
        response = Response(json_body={"errors": {"_request": message}}, status=status)
    else:
        response = render_to_response(
            "error.jinja2", {"status": status, "title": title, "message": message}, request=request
        )
        response.status_int = status
    if isinstance(exc, HTTPException):
        for name in KEPT_HEADERS:
            if name in exc.headers:
                response.headers[name] = exc.headers[name]
    response.headers["Cache-Control"] = "no-store"
    return response


class Missing(HTTPNotFound):
    """A 404 whose message says what is missing (Pyramid's own only knows the path)."""


@notfound_view_config()
def not_found(exc, request):
    known = isinstance(exc, Missing | UnknownLink)
    message = exc.detail if known else f"There is nothing at {request.path_info}."
    return error_response(request, 404, "Not found", message, exc)


@exception_view_config(NoSuchAssessment)
def no_such_assessment(exc, request):
    """Gone since traversal found it (deleted by a request that ran meanwhile)."""
    return not_found(UnknownLink(), request)


@exception_view_config(Throttled)
def throttled(exc, request):
    """Over a per-address limit that a view did not answer itself (mails asked for)."""
    message = f"Too many requests of this kind from your address: try again in {wait_words(exc.retry_after)}."
    response = error_response(request, 429, "Too many requests", message)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


@exception_view_config(BadCSRFToken)
@exception_view_config(BadCSRFOrigin)
def bad_csrf_token(exc, request):
    message = (
        "This form has expired or did not come from this site: reload the page and send it again. "
        "(Programs: send the X-CSRF-Token header, or no session cookie.)"
    )
    return error_response(request, 400, "Bad request", message, exc)


def _under_assessment_link(context) -> bool:
    while context is not None:
        if isinstance(context, AssessmentResource):
            return True
        context = getattr(context, "__parent__", None)
    return False


@forbidden_view_config()
def forbidden(exc, request):
    """Not allowed. Under an assessment's private link that is a 404 like any unknown
    link's; elsewhere an anonymous browser is sent to sign in, anyone else told no."""
    if _under_assessment_link(request.context):
        return not_found(UnknownLink(), request)
    if request.identity is None:
        if wants_json(request):
            response = error_response(
                request, 401, "Unauthorized", "Sign in, or send an API token as Authorization: Bearer."
            )
            response.headers["WWW-Authenticate"] = 'Bearer realm="portal"'
            return response
        if request.method in ("GET", "HEAD"):
            return HTTPSeeOther(request.application_url + "/sign-in?" + urlencode({"next": request.path_qs}))
        return error_response(request, 403, "Forbidden", "Sign in first, then send this again.", exc)
    return error_response(request, 403, "Forbidden", "Your account may not do that here.", exc)


@exception_view_config(HTTPError)
def http_error(exc, request):
    if isinstance(exc, HTTPNotFound):
        return not_found(exc, request)
    message = exc.detail or exc.explanation
    return error_response(request, exc.code, exc.title, message, exc)


# The database does not answer (stopped, restarting, unreachable, its pool exhausted,
# SQLite busy beyond its timeout): a friendly 503, and the portal recovers by itself.
UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
RETRY_AFTER_SECONDS = 10


@exception_view_config(UNAVAILABLE[0])
@exception_view_config(UNAVAILABLE[1])
@exception_view_config(UNAVAILABLE[2])
def database_unavailable(exc, request):
    # pyramid_tm marks a retryable error (a serialization failure, a deadlock) only when no
    # commit veto aborted first, and ours aborts every error response: mark it here, so
    # that pyramid_retry replays the request instead of sending this page.
    if is_tm_active(request):
        maybe_tag_retryable(request, (type(exc), exc, exc.__traceback__))
        if is_error_retryable(request, exc):
            log.info(
                "retrying %s %s after %s", request.method, mask_links(request.path_qs), type(exc).__name__
            )
            return error_response(request, 503, "Service unavailable", "Retrying.")
    log.warning(
        "database unavailable on %s %s: %s", request.method, mask_links(request.path_qs), type(exc).__name__
    )
    message = (
        "The portal cannot reach its database just now, so this request was not carried out. "
        "Whatever you saved before is kept: try again in a moment (a form you sent is still "
        "filled in when you go back)."
    )
    response = error_response(request, 503, "Service unavailable", message)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@exception_view_config(Exception)
def server_error(exc, request):
    log.exception("unhandled error on %s %s", request.method, mask_links(request.path_qs))
    message = "Something went wrong on our side and the request was not carried out. Please try again."
    return error_response(request, 500, "Server error", message)
