"""``/sign-up``: a client opens an account, confirmed by a link sent to the address.

The answer to a sign-up is the same whether or not the address has an account (no
one learns who has one); the mail differs: a confirmation link for a new or still
unconfirmed account, "you already have an account" otherwise. Opening the link shows
a button (a GET changes nothing); pressing it confirms the address and signs in.
``portal.sign_up = off`` turns all of it off (404).
"""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.settings import asbool
from sqlalchemy import select

from .. import auth, mail, tokens
from ..models import User
from ..models.assessment import utcnow
from ..models.user import EMAIL_MAX, NAME_MAX, normalise_email
from ..passwords import MAX_LENGTH, WeakPassword, check_new_password, hash_password
from ..resources import Root
from ..roles import Roles
from ..security import Permissions
from ..validators import unstorable
from .errors import Missing
from .inputs import body
from .negotiation import action_view, html_view

SIGN_UP = "portal.sign_up"
FORM = r"^/sign-up/?$"
CONFIRM = r"^/sign-up/confirm$"
RESEND = r"^/sign-up/resend$"


# --- Shared by the account forms (sign-up, password reset, the account page) ---------------------


def field(data, name: str, limit: int = 1024) -> str:
    """A form field as text (missing or not text: empty), at most ``limit`` characters."""
    value = data.get(name)
    return value[:limit] if isinstance(value, str) else ""


def password_field(data, name: str) -> str:
    """A password as typed, read one character past the longest allowed: refused if longer, never cut."""
    return field(data, name, MAX_LENGTH + 1)


# A malformed address (also one holding a character no column stores).
NOT_AN_EMAIL = "Enter an email address such as name@example.com."


def email_problem(email: str) -> str | None:
    if not email:
        return "Enter your email address."
    local, _, domain = email.rpartition("@")
    if not local or "." not in domain or any(c.isspace() for c in email) or len(email) > EMAIL_MAX:
        return NOT_AN_EMAIL
    if unstorable(email):
        return NOT_AN_EMAIL
    return None


def password_problem(password: str) -> str | None:
    if not password:
        return "Choose a password."
    try:
        check_new_password(password)
    except WeakPassword as weak:
        return f"Choose another password: {weak}."
    return None


def page(template: str, request, values: dict, status: int = 200):
    response = render_to_response(template, values, request=request)
    response.status_int = status
    response.headers["Cache-Control"] = "no-store"
    return response


def find_user(request, email: str) -> User | None:
    return request.dbsession.scalar(select(User).where(User.email == normalise_email(email)))


# --- Sign-up ---------------------------------------------------------------------------------------


def sign_up_on(request) -> None:
    if not asbool(request.registry.settings.get(SIGN_UP, "on")):
        raise Missing("Sign-up is turned off on this portal: ask its administrator for an account.")


def confirmation_link(request, user: User) -> str:
    token = tokens.make(
        request.registry.settings["portal.secret"], tokens.CONFIRM, {"u": user.id, "e": user.email}
    )
    return f"{mail.portal_url(request)}/sign-up/confirm?token={token}"


def sign_up_form(email="", display_name="", errors=None, **extra) -> dict:
    return {"email": email, "display_name": display_name, "errors": errors or {}, **extra}


@html_view("sign_up.jinja2", context=Root, name="sign-up", path_info=FORM, permission=Permissions.SIGN_IN)
def sign_up_page(context, request):
    sign_up_on(request)
    return sign_up_form()


@action_view(context=Root, name="sign-up", path_info=FORM, permission=Permissions.SIGN_IN)
def sign_up(context, request):
    sign_up_on(request)
    _kind, data = body(request)
    email = field(data, "email", EMAIL_MAX + 1).strip()
    display_name = field(data, "display_name", NAME_MAX + 1).strip()
    password = password_field(data, "password")
    errors = {}
    if problem := email_problem(email):
        errors["email"] = problem
    if len(display_name) > NAME_MAX:
        errors["display_name"] = f"Shorten your name to at most {NAME_MAX} characters."
    elif problem := unstorable(display_name):
        errors["display_name"] = f"Your name {problem}."
    if problem := password_problem(password):
        errors["password"] = problem
    if errors:
        return page("sign_up.jinja2", request, sign_up_form(email, display_name, errors), 400)
    # Hashed whatever happens next, so the time taken does not tell who has an account.
    hashed = hash_password(request.registry.settings, password)
    user = find_user(request, email)
    if user is None:
        user = User(
            email=normalise_email(email),
            display_name=display_name,
            role=Roles.CLIENT.value,
            password_hash=hashed,
            email_verified=None,
        )
        request.dbsession.add(user)
        request.dbsession.flush()
        mail.confirm_address(request, user.email, confirmation_link(request, user))
    elif user.email_verified is None and user.active:
        # Not confirmed yet: the same account, its link again (its password stays the first one).
        mail.confirm_address(request, user.email, confirmation_link(request, user))
    elif user.active:
        mail.already_registered(request, user.email)
    return page("sign_up_sent.jinja2", request, {"email": normalise_email(email)})


@action_view(context=Root, name="sign-up", path_info=RESEND, permission=Permissions.SIGN_IN)
def resend_confirmation(context, request):
    """Send the confirmation link again; the same answer whoever asks."""
    sign_up_on(request)
    _kind, data = body(request)
    email = field(data, "email", EMAIL_MAX + 1).strip()
    if problem := email_problem(email):
        values = sign_up_form(resend_email=email, resend_errors={"resend_email": problem})
        return page("sign_up.jinja2", request, values, 400)
    user = find_user(request, email)
    if user is not None and user.email_verified is None and user.active:
        mail.confirm_address(request, user.email, confirmation_link(request, user))
    return page("sign_up_sent.jinja2", request, {"email": normalise_email(email)})


def confirming(request, token) -> tuple[User | None, str | None]:
    """(the user the link confirms, None) or (None, what is wrong with it)."""
    try:
        data = tokens.read(request.registry.settings["portal.secret"], tokens.CONFIRM, token)
    except tokens.BadToken as bad:
        return None, f"{bad} You can ask for a new confirmation link below."
    user = request.dbsession.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or user.email != data.get("e") or not user.active:
        return None, "This link opens no account. Sign up again, or ask for a new confirmation link below."
    if user.email_verified is not None:
        return None, "This address is confirmed already: sign in with your password."
    return user, None


@html_view(
    "sign_up_confirm.jinja2", context=Root, name="sign-up", path_info=CONFIRM, permission=Permissions.SIGN_IN
)
def confirm_page(context, request):
    sign_up_on(request)
    token = request.GET.get("token", "")
    user, problem = confirming(request, token)
    if problem is not None:
        return page("sign_up_confirm.jinja2", request, {"problem": problem, "token": ""}, 400)
    # The link's token is in this page's address: keep it out of caches.
    request.response.headers["Cache-Control"] = "no-store"
    return {"problem": None, "token": token, "email": user.email}


@action_view(context=Root, name="sign-up", path_info=CONFIRM, permission=Permissions.SIGN_IN)
def confirm(context, request):
    sign_up_on(request)
    _kind, data = body(request)
    user, problem = confirming(request, data.get("token"))
    if problem is not None:
        return page("sign_up_confirm.jinja2", request, {"problem": problem, "token": ""}, 400)
    user.email_verified = utcnow()
    auth.start_session(request, user)
    return HTTPSeeOther(request.application_url + "/account?welcome=1")


@action_view(
    request_method=("GET", "HEAD", "POST"), context=Root, name="sign-up", permission=Permissions.SIGN_IN
)
def nothing_here(context, request):
    """``/sign-up/<anything else>``: a 404 as anywhere else."""
    raise HTTPNotFound()
