"""``portal create-user``, ``set-role``, ``deactivate`` and ``reactivate``: accounts from the command line.

Each command runs in its own transaction; a refusal is one line on stderr and exit 2.
"""

from __future__ import annotations

import getpass
import os
import sys

from sqlalchemy import select

from .auth import deactivate
from .models import User
from .models.assessment import utcnow
from .models.user import normalise_email
from .passwords import WeakPassword, check_new_password, hash_password
from .roles import Roles

PASSWORD_VARIABLE = "PORTAL_PASSWORD"  # noqa: S105 (the variable's name, not a password)


class Refused(Exception):
    """A one-line reason the command did nothing."""


def role(text: str) -> Roles:
    try:
        return Roles(text)
    except ValueError:
        raise Refused(f"unknown role {text!r}: choose one of {', '.join(Roles)}") from None


def read_password() -> str:
    """From the terminal (asked twice), else from PORTAL_PASSWORD."""
    if not sys.stdin.isatty():
        if PASSWORD_VARIABLE not in os.environ:
            raise Refused(f"no terminal to ask for the password: set {PASSWORD_VARIABLE}")
        return os.environ[PASSWORD_VARIABLE]
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != password:
        raise Refused("the two passwords differ")
    return password


def run(ini: str, command: str, email: str, **options) -> int:
    from pyramid.paster import bootstrap

    from .request import PortalRequest

    try:
        # Checked before the database is touched: a refusal changes nothing.
        if command == "create-user":
            options["role"] = role(options["role"])
            password = read_password()
            check_new_password(password)
        elif command == "set-role":
            options["role"] = role(options["role"])
        env = bootstrap(ini, request=PortalRequest.blank("/", method="POST"))
    except (Refused, WeakPassword) as error:
        print(f"portal {command}: {error}", file=sys.stderr)
        return 2
    except FileNotFoundError as error:
        print(f"portal: cannot read settings from {ini}: {error}", file=sys.stderr)
        return 2
    request = env["request"]
    try:
        with request.tm:
            session = request.dbsession
            user = session.scalar(select(User).where(User.email == normalise_email(email)))
            if command == "create-user":
                if user is not None:
                    raise Refused(f"a user with the email {normalise_email(email)} exists already")
                session.add(
                    User(
                        email=normalise_email(email),
                        display_name=options.get("name") or "",
                        role=options["role"].value,
                        password_hash=hash_password(request.registry.settings, password),
                        # An administrator vouches for the address.
                        email_verified=utcnow(),
                    )
                )
                message = f"created {options['role']} {normalise_email(email)}"
            elif user is None:
                raise Refused(f"no user with the email {normalise_email(email)}")
            elif command == "set-role":
                user.role = options["role"].value
                message = f"{user.email} is now {user.role}"
            elif command == "reactivate":
                # It signs in again with its password; the sessions it had stay ended.
                user.active = True
                message = f"reactivated {user.email}"
            else:
                deactivate(session, user)
                message = f"deactivated {user.email}"
    except Refused as error:
        print(f"portal {command}: {error}", file=sys.stderr)
        return 2
    finally:
        env["closer"]()
    print(message)
    return 0
