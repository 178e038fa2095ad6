"""Who a request is: a signed-in browser's server-side session, or an API token.

A browser that signs in gets a fresh cookie session (a new cookie and a new CSRF
token: nothing planted before sign-in carries over) holding a random token; the
``auth_sessions`` table keeps only the token's SHA-256, the user's
``session_version`` when it began and when it was last seen. A session ends when
its row goes (sign-out), when the user's ``session_version`` is raised (a password
change or reset, deactivation), after ``portal.session.idle_seconds`` without a
request, or ``portal.session.absolute_seconds`` after sign-in. Every process reads
the same table, so any number of them can serve one user.

A JSON client sends ``Authorization: Bearer <token>`` instead; tokens are kept
hashed too, and a revoked one is refused on the next request.

Anonymous visitors keep the plain signed cookie (its CSRF token), so a GET by them
still writes nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update

from .models import ApiToken, AuthSession, User
from .models.assessment import utcnow
from .roles import Roles
from .security import SESSION_COOKIE

# Where the cookie session keeps the raw session token.
SESSION_TOKEN = "auth"  # noqa: S105 (a key name, not a secret)
IDLE_SECONDS = "portal.session.idle_seconds"
ABSOLUTE_SECONDS = "portal.session.absolute_seconds"
DEFAULT_IDLE_SECONDS = 2 * 3600
DEFAULT_ABSOLUTE_SECONDS = 12 * 3600
# last_seen (and a token's last_used) is written at most this often per session:
# idle expiry needs no finer clock, and most requests then write nothing.
TOUCH_SECONDS = 60
TOKEN_PREFIX = "ap_"  # noqa: S105 (a prefix, not a secret)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Identity:
    """The signed-in user as this request sees them (detached from any database session)."""

    user_id: int
    email: str
    display_name: str
    role: Roles
    # The row that signed this request in: a session's digest, or a token's id.
    session_id: str | None = None
    token_id: int | None = None

    @property
    def name(self) -> str:
        return self.display_name or self.email

    @property
    def principals(self) -> tuple[str, ...]:
        return (f"user:{self.user_id}", f"role:{self.role}")

    @classmethod
    def of(cls, user: User, **source) -> Identity:
        return cls(user.id, user.email, user.display_name, Roles(user.role), **source)


def lifetimes(settings) -> tuple[int, int]:
    """(idle, absolute) session lifetimes in seconds."""
    return (
        int(settings.get(IDLE_SECONDS, DEFAULT_IDLE_SECONDS)),
        int(settings.get(ABSOLUTE_SECONDS, DEFAULT_ABSOLUTE_SECONDS)),
    )


def start_session(request, user: User) -> None:
    """Sign ``user`` in on this browser: a new cookie session and a new server-side row."""
    request.session.invalidate()
    token = secrets.token_urlsafe(32)
    row = AuthSession(id=digest(token), user_id=user.id, session_version=user.session_version)
    request.dbsession.add(row)
    request.session[SESSION_TOKEN] = token


def end_session(request) -> None:
    """Sign this browser out: its row goes, so replaying the old cookie opens nothing."""
    token = _session_token(request)
    if token is not None:
        request.dbsession.execute(delete(AuthSession).where(AuthSession.id == digest(token)))
    request.session.invalidate()


def end_every_session(request, user: User, keep_this_one: bool = True) -> None:
    """Raise the user's session version: every session ends (this browser's gets a new one)."""
    user.session_version += 1
    request.dbsession.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
    if keep_this_one:
        start_session(request, user)


def deactivate(dbsession, user: User) -> None:
    """Stop an account signing in: its sessions end and its API tokens are revoked.

    Reactivating it (``user.active = True``) brings back neither: the user signs in again
    with their password and makes new tokens, so a token that leaked before stays dead.
    """
    user.active = False
    user.session_version += 1
    dbsession.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
    live = update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(None))
    dbsession.execute(live.values(revoked=utcnow()))


def new_api_token(request, user: User, name: str) -> str:
    """Make a token for ``user``; the caller shows it once, the table keeps its digest."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    request.dbsession.add(ApiToken(user_id=user.id, name=name, digest=digest(token)))
    return token


def _session_token(request) -> str | None:
    # Only a browser that has a cookie can be signed in; reading request.session
    # without one would start a session for nothing.
    if SESSION_COOKIE not in request.cookies:
        return None
    token = request.session.get(SESSION_TOKEN)
    return token if isinstance(token, str) else None


def _bearer_token(request) -> str | None:
    authorization = request.authorization
    if authorization is None or authorization.authtype.lower() != "bearer":
        return None
    return authorization.params if isinstance(authorization.params, str) else None


def identify(request) -> Identity | None:
    """The identity of a request (uncached: ``request.identity`` caches it)."""
    # Most requests carry neither credential (an anonymous link holder): answer that from
    # the raw headers, without parsing them. The cookie test may match what is not our
    # cookie; the parse below then decides.
    environ = request.environ
    if "HTTP_AUTHORIZATION" not in environ and SESSION_COOKIE not in environ.get("HTTP_COOKIE", ""):
        return None
    bearer = _bearer_token(request)
    if bearer is not None:
        return _from_token(request, bearer)
    token = _session_token(request)
    if token is None:
        return None
    return _from_session(request, digest(token))


def _from_session(request, session_id: str) -> Identity | None:
    query = select(AuthSession, User).join(User, User.id == AuthSession.user_id)
    found = request.dbsession.execute(query.where(AuthSession.id == session_id)).first()
    if found is None:
        return None
    session, user = found
    idle, absolute = lifetimes(request.registry.settings)
    now = utcnow()
    if (
        not user.active
        or session.session_version != user.session_version
        or now - session.last_seen > timedelta(seconds=idle)
        or now - session.created > timedelta(seconds=absolute)
    ):
        return None
    if now - session.last_seen > timedelta(seconds=TOUCH_SECONDS):
        _touch(request, update(AuthSession).where(AuthSession.id == session_id).values(last_seen=now))
    return Identity.of(user, session_id=session_id)


def _from_token(request, token: str) -> Identity | None:
    found = request.dbsession.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(ApiToken.digest == digest(token))
    ).first()
    if found is None:
        return None
    api_token, user = found
    if api_token.revoked is not None or not user.active:
        return None
    now = utcnow()
    if api_token.last_used is None or now - api_token.last_used > timedelta(seconds=TOUCH_SECONDS):
        _touch(request, update(ApiToken).where(ApiToken.id == api_token.id).values(last_used=now))
    return Identity.of(user, token_id=api_token.id)


def _touch(request, statement) -> None:
    """Record that a session or token was used.

    A request that may write does it in its own transaction. A read (GET) has a
    read-only transaction, so it writes on a connection of its own, committed at
    once: on SQLite in WAL mode that never waits for the read, on PostgreSQL the
    row is not locked by it.
    """
    from .models import READ_METHODS, mark_written

    if request.method not in READ_METHODS:
        request.dbsession.execute(statement)
        mark_written(request.dbsession)
        return
    with request.registry["dbengine"].begin() as connection:
        connection.execute(statement)
