"""Who may do what: permissions, the security policy, sessions and CSRF."""

from __future__ import annotations

import hashlib
import re
from enum import StrEnum

from pyramid.authorization import ACLHelper, Authenticated, Everyone
from pyramid.csrf import get_csrf_token
from pyramid.session import SignedCookieSessionFactory

from .settings import is_production

SESSION_COOKIE = "portal_session"


class Permissions(StrEnum):
    VIEW = "view"
    CREATE = "create"
    EDIT = "edit"
    ADMINISTER = "administer"


_ACL = ACLHelper()


class SecurityPolicy:
    """ACL-based; everyone is anonymous until accounts exist."""

    def identity(self, request):
        return None

    def authenticated_userid(self, request):
        return None

    def effective_principals(self, request) -> list[str]:
        principals = [Everyone]
        if self.identity(request) is not None:
            principals.append(Authenticated)
        return principals

    def permits(self, request, context, permission):
        return _ACL.permits(context, self.effective_principals(request), permission)

    def remember(self, request, userid, **kw):
        return []

    def forget(self, request, **kw):
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
PRIVATE_LINK_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex",
}


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
    for name, value in PRIVATE_LINK_HEADERS.items():
        response.headers.setdefault(name, value)


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
    # Forms render {{ request.csrf_token }}; asking for it starts a session.
    config.add_request_method(get_csrf_token, "csrf_token", reify=True)
    # Every view states its permission; this is the one for views that forget.
    config.set_default_permission(Permissions.VIEW)
