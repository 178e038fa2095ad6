"""``/sign-in`` and ``/sign-out``."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther

from .. import auth, signin
from ..models.user import EMAIL_MAX
from ..resources import Root
from ..security import Permissions
from ..throttle import Throttled, wait_words
from ..validators import unstorable
from .inputs import body
from .negotiation import action_view, html_view
from .sign_up import NOT_AN_EMAIL, field, page, password_field


def sign_in_form(email: str = "", next_path: str | None = None, errors=None) -> dict:
    return {"email": email, "next": next_path or "", "errors": errors or {}}


@html_view("sign_in.jinja2", context=Root, name="sign-in", permission=Permissions.SIGN_IN)
def sign_in_page(context, request):
    return sign_in_form(next_path=signin.safe_next(request.GET.get("next")))


@action_view(context=Root, name="sign-in", permission=Permissions.SIGN_IN)
def sign_in(context, request):
    _kind, data = body(request)
    email = field(data, "email", EMAIL_MAX).strip()
    password = password_field(data, "password")
    next_path = signin.safe_next(data.get("next"))
    errors = {}
    if not email:
        errors["email"] = "Enter the email address of your account."
    elif unstorable(email):
        errors["email"] = NOT_AN_EMAIL
    if not password:
        errors["password"] = "Enter your password."  # noqa: S105 (a message)
    if errors:
        return _refused(request, email, next_path, errors, 400)
    try:
        signin.check_throttles(request, email)
        user = signin.authenticate(request, email, password)
    except Throttled as refused:
        message = (
            "Too many failed sign-ins from your address for this account: "
            f"try again in {wait_words(refused.retry_after)}."
        )
        response = _refused(request, email, next_path, {"_request": message}, 429)
        response.headers["Retry-After"] = str(refused.retry_after)
        return response
    except signin.SignInRefused:
        message = "That email and password do not match an account. Check both and try again."
        return _refused(request, email, next_path, {"password": message}, 400)
    except signin.NotVerified:
        message = (
            "Confirm your email address first: open the link we sent you when you signed up, "
            'or ask for a new one under "No confirmation mail?" on the sign-up page.'
        )
        return _refused(request, email, next_path, {"email": message}, 400)
    auth.start_session(request, user)
    return HTTPSeeOther(signin.landing(request, user, next_path))


def _refused(request, email, next_path, errors, status):
    return page("sign_in.jinja2", request, sign_in_form(email, next_path, errors), status)


@action_view(context=Root, name="sign-out", permission=Permissions.SIGN_IN)
def sign_out(context, request):
    if request.identity is not None:
        signin.log.info("sign-out of user %s", request.identity.user_id)
    auth.end_session(request)
    return HTTPSeeOther(request.application_url + "/sign-in?signed_out=1")
