"""Who may do what: permissions, the security policy, sessions and CSRF."""

from __future__ import annotations

import hashlib
import logging
import re
from enum import StrEnum

import pyramid.viewderivers
from pyramid.authorization import ACLHelper, Authenticated, Everyone
from pyramid.request import RequestLocalCache
from pyramid.session import SignedCookieSessionFactory
from pyramid.viewderivers import INGRESS

from .headers import set_headers
from .settings import is_production

SESSION_COOKIE = "portal_session"

log = logging.getLogger(__name__)


class Permissions(StrEnum):
    """What a view asks of its context's ACL (portal.resources grants them)."""

    VIEW = "view"
    # Start an assessment.
    CREATE = "create"
    # Answer, complete, edit or discard: whoever holds an anonymous link, or the owner.
    EDIT = "edit"
    # The owner's own: delete a completed assessment, replace its private link.
    OWN = "own"
    # Save an anonymous assessment to the signed-in client's account.
    CLAIM = "claim"
    # Sign in, sign up, ask for a password reset: anyone.
    SIGN_IN = "sign-in"
    # One's own account: its page, password, API tokens, deleting it.
    ACCOUNT = "account"
    # The consultant's workspace: read every assessment, and write notes and decisions.
    REVIEW = "review"
    ADVISE = "advise"
    # The admin area.
    ADMINISTER = "administer"


# The permissions a state-changing (POST, PUT, DELETE) view may ask for: never VIEW or REVIEW.
WRITE_PERMISSIONS = frozenset(Permissions) - {Permissions.VIEW, Permissions.REVIEW}


# The views that ask for no permission (NO_PERMISSION_REQUIRED, or none at all), by dotted
# name: each answers an error or a wrong method, or serves static files. Every other view
# declares a ``Permissions`` member (tests/test_view_permissions.py walks them all).
PUBLIC_VIEWS = frozenset(
    {
        # The 405 for a method no view of that context and name declares.
        "portal.views.negotiation.method_not_allowed",
        # Error pages: they show only the error, whoever asks.
        "portal.views.errors.not_found",
        "portal.views.errors.forbidden",
        "portal.views.errors.no_such_assessment",
        "portal.views.errors.bad_csrf_token",
        "portal.views.errors.throttled",
        "portal.views.errors.http_error",
        "portal.views.errors.database_unavailable",
        "portal.views.errors.server_error",
        # Pyramid's own fallbacks for an HTTP exception no view above answers.
        "pyramid.httpexceptions.default_exceptionresponse_view",
        # /static/: the stylesheet, scripts and images every page uses.
        "pyramid.static.static_view",
    }
)


_ACL = ACLHelper()


class SecurityPolicy:
    """ACLs over principals from a server-side session or an API token (``portal.auth``).

    Principals: ``system.Everyone``; once signed in also ``system.Authenticated``,
    ``user:<id>`` and ``role:<role>``.
    """

    def __init__(self):
        from .auth import identify  # portal.auth reads this module's SESSION_COOKIE

        self._identity = RequestLocalCache(identify)

    def identity(self, request):
        return self._identity.get_or_create(request)

    def authenticated_userid(self, request):
        identity = self.identity(request)
        return None if identity is None else identity.user_id

    def effective_principals(self, request) -> list[str]:
        identity = self.identity(request)
        if identity is None:
            return [Everyone]
        return [Everyone, Authenticated, *identity.principals]

    def permits(self, request, context, permission):
        allowed = _ACL.permits(context, self.effective_principals(request), permission)
        if not allowed:
            identity = self.identity(request)
            log.info(
                "permission %s denied on %s to %s",
                permission,
                mask_links(request.path_info),
                "anonymous" if identity is None else f"user {identity.user_id}",
            )
        return allowed

    def remember(self, request, userid, **kw):
        return []

    def forget(self, request, **kw):
        self._identity.clear(request)
        return []


def csrf_applies(request) -> bool:
    """Check CSRF for browsers: a session cookie or a form body.

    A cookie-less JSON request (the API, authorised by an assessment link or
    a token) cannot be forged by another site's form, so it needs no token.
    """
    if SESSION_COOKIE in request.cookies:
        return True
    return request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")


# An anonymous assessment is opened by its unguessable link alone: every answer
# under such a link keeps it out of shared caches and search indexes (and, as
# every response does, out of other sites' referrers: see portal.headers).
PRIVATE_LINK_HEADERS = (
    ("Cache-Control", "private, no-store"),
    ("X-Robots-Tag", "noindex"),
)


# Logs and the audit trail name an assessment without holding its link: logs by
# the link's first characters (36 of its 192 bits), the audit trail by a digest
# from which the link cannot be recovered but which the link's holder can compute.
LINK_SHOWN = 6
_LINK_IN_TEXT = re.compile(r"(/assessments/)([A-Za-z0-9_-]{16,64})")


def masked_link(public_id: str) -> str:
    return public_id[:LINK_SHOWN] + "…"


def mask_links(text: str) -> str:
    """``/assessments/<id>…`` wherever a path, URL or request line holds a private link."""
    return _LINK_IN_TEXT.sub(lambda match: match.group(1) + masked_link(match.group(2)), text)


def link_digest(public_id: str) -> str:
    """What the audit trail keeps of a link: 128 bits of its SHA-256."""
    return hashlib.sha256(public_id.encode("ascii")).hexdigest()[:32]


def keep_link_private(request, response) -> None:
    """A response callback; a view that chose its own Cache-Control keeps it."""
    set_headers(response, PRIVATE_LINK_HEADERS, replace=False)


def includeme(config) -> None:
    settings = config.get_settings()
    config.set_security_policy(SecurityPolicy())
    config.set_session_factory(
        SignedCookieSessionFactory(
            settings["portal.secret"],
            cookie_name=SESSION_COOKIE,
            secure=is_production(settings),
            httponly=True,
            samesite="Lax",
            timeout=None,
            max_age=None,
        )
    )
    config.set_default_csrf_options(require_csrf=True, callback=csrf_applies)
    # CSRF before permission (Warehouse's order): a forged request is refused as forged
    # (400) whoever's cookie it carries, and a permission check never runs on one. Pyramid's
    # own deriver, moved from under the permission check to over it.
    config.add_view_deriver(pyramid.viewderivers.csrf_view, "csrf_view", under=INGRESS, over="secured_view")
    # Every view states its permission; this is the one for views that forget.
    config.set_default_permission(Permissions.VIEW)
