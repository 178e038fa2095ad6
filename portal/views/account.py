"""``/account``: the signed-in user's own page: password, API tokens, deleting the account.

Only a browser session manages an account: a request signed in by an API token may
read, never change the password, make tokens or delete the account (403), so a
leaked token cannot take the account over.
"""

from __future__ import annotations

from pyramid.httpexceptions import HTTPBadRequest, HTTPForbidden, HTTPNotFound, HTTPSeeOther
from sqlalchemy import delete, func, select

from .. import auth
from ..models import ApiToken, Assessment, User
from ..models.assessment import utcnow
from ..passwords import hash_password, verify_password
from ..resources import Account
from ..security import Permissions
from ..signin import log
from ..validators import positive_int, unstorable
from .inputs import body
from .negotiation import action_view, html_view
from .sign_up import field, page, password_field, password_problem

TOKEN_NAME_MAX = 100


def own_assessments(request) -> list[Assessment]:
    query = (
        select(Assessment)
        .where(Assessment.owner_id == request.identity.user_id)
        .order_by(Assessment.updated.desc())
    )
    return list(request.dbsession.scalars(query))


def own_tokens(request) -> list[ApiToken]:
    query = (
        select(ApiToken)
        .where(ApiToken.user_id == request.identity.user_id, ApiToken.revoked.is_(None))
        .order_by(ApiToken.created.desc(), ApiToken.id.desc())
    )
    return list(request.dbsession.scalars(query))


def account_values(request, **extra) -> dict:
    values = {
        "who": request.identity,
        "assessments": own_assessments(request),
        "tokens": own_tokens(request),
        "errors": {},
        "token_name": "",
        "new_token": None,
        "notice": None,
    }
    return {**values, **extra}


def the_user(request) -> User:
    """The signed-in user's row, for a change made through the browser session only."""
    if request.identity.token_id is not None:
        raise HTTPForbidden("An API token cannot change the account: sign in with a browser.")
    return request.dbsession.get(User, request.identity.user_id)


NOTICES = {
    "password": "Your password is changed. Every other browser signed in to your account is signed out.",
    "revoked": "The token is revoked: programs using it are refused from now on.",
}


@html_view("account.jinja2", context=Account, permission=Permissions.ACCOUNT)
def account_page(context, request):
    notice = NOTICES.get(request.GET.get("changed", ""))
    if request.GET.get("welcome"):
        notice = "Your email address is confirmed: welcome."
    return account_values(request, notice=notice)


@action_view(context=Account, name="password", permission=Permissions.ACCOUNT)
def change_password(context, request):
    user = the_user(request)
    _kind, data = body(request)
    current, new = password_field(data, "current_password"), password_field(data, "new_password")
    errors = {}
    if not verify_password(request.registry.settings, user.password_hash, current):
        errors["current_password"] = "That is not your current password."  # noqa: S105 (a message)
    if problem := password_problem(new):
        errors["new_password"] = problem
    elif new == current:
        errors["new_password"] = "Choose a password other than your current one."  # noqa: S105 (a message)
    if errors:
        return page("account.jinja2", request, account_values(request, errors=errors), 400)
    user.password_hash = hash_password(request.registry.settings, new)
    auth.end_every_session(request, user, keep_this_one=True)
    log.info("password changed by user %s", user.id)
    return HTTPSeeOther(request.application_url + "/account?changed=password")


@action_view(context=Account, name="tokens", permission=Permissions.ACCOUNT)
def create_token(context, request):
    user = the_user(request)
    _kind, data = body(request)
    name = field(data, "name", TOKEN_NAME_MAX + 1).strip()
    problem = None
    if not name:
        problem = "Name the token after the program that will use it."
    elif len(name) > TOKEN_NAME_MAX:
        problem = f"Shorten the name to at most {TOKEN_NAME_MAX} characters."
    elif found := unstorable(name):
        problem = f"The name {found}."
    if problem:
        values = account_values(request, errors={"token_name": problem}, token_name=name)
        return page("account.jinja2", request, values, 400)
    token = auth.new_api_token(request, user, name)
    request.dbsession.flush()
    log.info("API token made by user %s", user.id)
    # Shown on this page and never again: only its digest is kept.
    values = account_values(request, new_token={"name": name, "token": token})
    return page("account.jinja2", request, values)


@action_view(context=Account, name="revoke-token", permission=Permissions.ACCOUNT)
def revoke_token(context, request):
    user = the_user(request)
    _kind, data = body(request)
    raw = data.get("token_id")
    # A form sends text; JSON may send the number itself.
    token_id = positive_int(str(raw)) if isinstance(raw, str | int) else None
    if token_id is None:
        raise HTTPBadRequest("token_id: name the token to revoke by its number.")
    token = request.dbsession.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked is not None:
        raise HTTPNotFound()
    token.revoked = utcnow()
    log.info("API token %s revoked by user %s", token.id, user.id)
    return HTTPSeeOther(request.application_url + "/account?changed=revoked")


def delete_values(request, errors=None) -> dict:
    owner = request.identity.user_id
    owned = select(func.count()).select_from(Assessment).where(Assessment.owner_id == owner)
    return {"who": request.identity, "count": request.dbsession.scalar(owned), "errors": errors or {}}


@html_view("account_delete.jinja2", context=Account, name="delete", permission=Permissions.ACCOUNT)
def delete_page(context, request):
    return delete_values(request)


@action_view(context=Account, name="delete", permission=Permissions.ACCOUNT)
def delete_account(context, request):
    user = the_user(request)
    _kind, data = body(request)
    if not verify_password(request.registry.settings, user.password_hash, password_field(data, "password")):
        values = delete_values(request, {"password": "That is not your password."})
        return page("account_delete.jinja2", request, values, 400)
    user_id = user.id
    request.dbsession.expunge(user)
    # The database does the rest: assessments, sessions and tokens cascade; notes and
    # decisions the user wrote keep their author's name (author_id is set to NULL).
    request.dbsession.execute(delete(User).where(User.id == user_id))
    request.session.invalidate()
    log.info("account of user %s deleted", user_id)
    return page("account_deleted.jinja2", request, {})
