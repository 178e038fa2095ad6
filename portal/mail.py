"""Mail the portal sends (pyramid_mailer): confirming an address, resetting a password.

Where mail goes is a setting. ``mail.top_level_directory`` (development.ini and the
tests) writes each message as a file in that folder instead of sending it; otherwise
the ``mail.*`` settings of pyramid_mailer name an SMTP server (production.ini takes
them from MAIL_HOST, MAIL_PORT, MAIL_USERNAME, MAIL_PASSWORD, MAIL_TLS and
MAIL_SENDER: see docs/administrators.md).

A message goes only once the request's transaction has committed: a request that
fails sends nothing. Texts are plain and name the portal by its public address
(``portal.base_url``, else the address the request came to).
"""

from __future__ import annotations

import logging

from pyramid_mailer import mailer_factory_from_settings
from pyramid_mailer.interfaces import IMailer
from pyramid_mailer.mailer import DebugMailer
from pyramid_mailer.message import Message

from .settings import base_url
from .throttle import throttles

log = logging.getLogger(__name__)

DEFAULT_SENDER = "Advisory Portal <noreply@localhost>"
NAME = "Advisory Portal"


def portal_url(request) -> str:
    return base_url(request.registry.settings) or request.application_url


def send(request, recipient: str, subject: str, body: str) -> None:
    """Send one plain-text message, signed with the portal's name and address, when (and if)
    this request's transaction commits.

    Mails a visitor can ask for (sign-up, a new confirmation, a reset) are limited per client
    address (``portal.throttle.mail``): over the limit, ``Throttled`` answers 429 and sends nothing.
    """
    throttles(request.registry)["mail"].hit(request.dbsession, request.remote_addr or "")
    sender = request.registry.settings.get("mail.default_sender") or DEFAULT_SENDER
    signature = f"\n\n-- \n{NAME}\n{portal_url(request)}/\n"
    message = Message(subject=subject, sender=sender, recipients=[recipient], body=body + signature)
    mailer = request.registry.getUtility(IMailer)

    def after_commit(committed: bool) -> None:
        if not committed:
            return
        try:
            mailer.send_immediately(message)
        except Exception:  # the change is committed; a lost mail must not turn the answer into a 500
            log.exception("could not send the mail %r", subject)

    request.tm.get().addAfterCommitHook(after_commit)


def confirm_address(request, email: str, link: str) -> None:
    body = (
        f"Someone (we hope you) signed up to the {NAME} with this address.\n\n"
        f"To confirm it and sign in, open this link within 2 days:\n\n{link}\n\n"
        "If you did not sign up, ignore this message: no account is opened without it."
    )
    send(request, email, f"Confirm your email address for the {NAME}", body)


def already_registered(request, email: str) -> None:
    url = portal_url(request)
    body = (
        f"Someone (we hope you) tried to sign up to the {NAME} with this address, "
        "but you already have an account.\n\n"
        f"Sign in here:\n\n{url}/sign-in\n\n"
        f"If you have forgotten your password, choose a new one here:\n\n{url}/reset-password\n\n"
        "If it was not you, ignore this message: nothing has changed."
    )
    send(request, email, f"You already have an account on the {NAME}", body)


def reset_password(request, email: str, link: str) -> None:
    body = (
        f"Someone (we hope you) asked to choose a new password for your {NAME} account.\n\n"
        f"To choose one, open this link within an hour. It works once:\n\n{link}\n\n"
        "If you did not ask, ignore this message: your password stays as it is."
    )
    send(request, email, f"Choose a new password for the {NAME}", body)


def includeme(config) -> None:
    settings = config.get_settings()
    if settings.get("mail.top_level_directory"):
        mailer = DebugMailer.from_settings(settings)
    else:
        mailer = mailer_factory_from_settings(settings)
    config.registry.registerUtility(mailer, IMailer)  # request.mailer (portal.request)
