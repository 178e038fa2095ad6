"""``/reset-password``: a new password through a one-time link sent by mail.

Asking always gets the same answer (no one learns who has an account); the link
goes only to an address with an active account. The link carries a stamp of the
password hash it was made for (``tokens.password_stamp``), so it works once: the new
password voids it, and so does any later change. It holds an hour. Setting the new
password ends every session of the account and signs this browser in afresh.
"""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther

from .. import auth, mail, tokens
from ..models import User
from ..models.assessment import utcnow
from ..models.user import EMAIL_MAX
from ..passwords import hash_password
from ..resources import Root
from ..security import Permissions
from ..signin import log
from .inputs import body
from .negotiation import action_view, html_view
from .sign_up import email_problem, field, find_user, page, password_field, password_problem

FORM = r"^/reset-password/?$"
SET = r"^/reset-password/set$"


def reset_link(secret: str, portal_url: str, user: User) -> str:
    """A link that sets a new password for ``user`` (also ``portal reset-password``)."""
    data = {"u": user.id, "p": tokens.password_stamp(user.password_hash)}
    return f"{portal_url}/reset-password/set?token={tokens.make(secret, tokens.RESET, data)}"


@html_view(
    "reset_password.jinja2",
    context=Root,
    name="reset-password",
    path_info=FORM,
    permission=Permissions.SIGN_IN,
)
def reset_page(context, request):
    return {"email": "", "errors": {}, "sent": False}


@action_view(context=Root, name="reset-password", path_info=FORM, permission=Permissions.SIGN_IN)
def ask_for_reset(context, request):
    _kind, data = body(request)
    email = field(data, "email", EMAIL_MAX + 1).strip()
    if problem := email_problem(email):
        return page("reset_password.jinja2", request, {"email": email, "errors": {"email": problem}}, 400)
    user = find_user(request, email)
    if user is not None and user.active:
        secret = request.registry.settings["portal.secret"]
        mail.reset_password(request, user.email, reset_link(secret, mail.portal_url(request), user))
        log.info("password reset link mailed to user %s", user.id)
    return page("reset_password.jinja2", request, {"email": email, "errors": {}, "sent": True})


def resetting(request, token) -> tuple[User | None, str | None]:
    """(the user the link is for, None) or (None, why it does not work)."""
    again = " Ask for a new link below."
    try:
        data = tokens.read(request.registry.settings["portal.secret"], tokens.RESET, token)
    except tokens.BadToken as bad:
        return None, f"{bad}{again}"
    user = request.dbsession.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or not user.active:
        return None, f"This link opens no account.{again}"
    if data.get("p") != tokens.password_stamp(user.password_hash):
        return None, f"This link has been used already, or the password was changed since it was sent.{again}"
    return user, None


def set_form(token: str = "", errors=None, problem=None) -> dict:
    return {"token": token, "errors": errors or {}, "problem": problem}


@html_view(
    "reset_password_set.jinja2",
    context=Root,
    name="reset-password",
    path_info=SET,
    permission=Permissions.SIGN_IN,
)
def set_page(context, request):
    token = request.GET.get("token", "")
    _user, problem = resetting(request, token)
    if problem is not None:
        return page("reset_password_set.jinja2", request, set_form(problem=problem), 400)
    # The link's token is in this page's address: keep it out of caches.
    request.response.headers["Cache-Control"] = "no-store"
    return set_form(token)


@action_view(context=Root, name="reset-password", path_info=SET, permission=Permissions.SIGN_IN)
def set_password(context, request):
    _kind, data = body(request)
    token = field(data, "token", tokens.MAX_LENGTH + 1)
    user, problem = resetting(request, token)
    if problem is not None:
        return page("reset_password_set.jinja2", request, set_form(problem=problem), 400)
    password = password_field(data, "password")
    if problem := password_problem(password):
        return page("reset_password_set.jinja2", request, set_form(token, {"password": problem}), 400)
    user.password_hash = hash_password(request.registry.settings, password)
    # The link proved the address is the user's.
    if user.email_verified is None:
        user.email_verified = utcnow()
    auth.end_every_session(request, user, keep_this_one=True)
    log.info("password reset for user %s", user.id)
    return HTTPSeeOther(request.application_url + "/account?changed=password")


@action_view(
    request_method=("GET", "HEAD", "POST"),
    context=Root,
    name="reset-password",
    permission=Permissions.SIGN_IN,
)
def nothing_here(context, request):
    """``/reset-password/<anything else>``: a 404 as anywhere else."""
    raise HTTPNotFound()
