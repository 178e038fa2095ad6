"""``portal reset-password`` and ``portal sample-users``: account links and sample accounts.

As ``portal.accounts``: each command runs in its own transaction; a refusal is one
line on stderr and exit 2.
"""

from __future__ import annotations

import secrets
import sys

from sqlalchemy import func, select

from .models import User
from .models.assessment import utcnow
from .models.user import normalise_email
from .passwords import hash_password
from .roles import Roles
from .settings import base_url, is_production

# Where a link points when the settings name no public address (development.ini's port).
DEVELOPMENT_URL = "http://localhost:6543"
SAMPLE_DOMAIN = "example.com"


def _bootstrap(ini: str):
    from pyramid.paster import bootstrap

    from .request import PortalRequest

    try:
        return bootstrap(ini, request=PortalRequest.blank("/", method="POST"))
    except FileNotFoundError as error:
        print(f"portal: cannot read settings from {ini}: {error}", file=sys.stderr)
        return None


def reset_password(ini: str, email: str) -> int:
    """Print a one-time link that sets a new password (for an administrator to pass on)."""
    from .views.reset_password import reset_link

    env = _bootstrap(ini)
    if env is None:
        return 2
    try:
        with env["request"].tm:
            request = env["request"]
            settings = request.registry.settings
            user = request.dbsession.scalar(select(User).where(User.email == normalise_email(email)))
            if user is None or not user.active:
                what = "no user" if user is None else "no active user"
                print(
                    f"portal reset-password: {what} with the email {normalise_email(email)}", file=sys.stderr
                )
                return 2
            link = reset_link(settings["portal.secret"], base_url(settings) or DEVELOPMENT_URL, user)
            email = user.email
    finally:
        env["closer"]()
    print(f"A link that sets a new password for {email}; it works once, within an hour:")
    print(link)
    return 0


def sample_users(ini: str) -> int:
    """On a portal without users, one verified account per role with a random password, printed once."""
    env = _bootstrap(ini)
    if env is None:
        return 2
    made = []
    try:
        request = env["request"]
        settings = request.registry.settings
        if is_production(settings):
            print("portal sample-users: sample accounts are for development, not production", file=sys.stderr)
            return 2
        with request.tm:
            session = request.dbsession
            if session.scalar(select(func.count()).select_from(User)):
                return 0  # there are users: the samples were made (and shown) before, or are not wanted
            for role in Roles:
                password = secrets.token_urlsafe(15)
                email = f"{role.value}@{SAMPLE_DOMAIN}"
                session.add(
                    User(
                        email=email,
                        display_name=f"Sample {role.value}",
                        role=role.value,
                        password_hash=hash_password(settings, password),
                        email_verified=utcnow(),
                    )
                )
                made.append((role.value, email, password))
    finally:
        env["closer"]()
    lines = [f"  {role:<11} {email:<24} {password}" for role, email, password in made]
    print("\n".join(["Sample accounts (shown once):", *lines]))
    return 0
