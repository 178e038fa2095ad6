"""Signed, expiring tokens for links sent by mail (confirming an address, resetting a password).

A token is ``<payload>.<signature>``, both URL-safe base64: the payload is JSON naming
what the link is for and until when it holds; the signature is an HMAC-SHA256 under
``portal.secret`` and the token's purpose, so a confirmation link never passes for a
reset link. Nothing is stored: a token proves itself.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time

CONFIRM = "confirm-email"
RESET = "reset-password"
# How long each kind of link works, in seconds.
LIFETIMES = {CONFIRM: 2 * 24 * 3600, RESET: 3600}
MAX_LENGTH = 1000


class BadToken(ValueError):
    """A token that is malformed, altered, for something else or expired (the message says which)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, purpose: str, payload: str) -> str:
    key = hashlib.sha256(f"{purpose}|{secret}".encode()).digest()
    return _b64(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest())


def make(secret: str, purpose: str, data: dict, now: float | None = None) -> str:
    issued = time.time() if now is None else now
    body = {**data, "exp": int(issued + LIFETIMES[purpose])}
    payload = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    return f"{payload}.{_signature(secret, purpose, payload)}"


def read(secret: str, purpose: str, token, now: float | None = None) -> dict:
    """The data a token carries, or ``BadToken``."""
    if not isinstance(token, str) or len(token) > MAX_LENGTH or token.count(".") != 1:
        raise BadToken("This link is incomplete: copy the whole link from the email.")
    payload, signature = token.split(".")
    if not hmac.compare_digest(signature, _signature(secret, purpose, payload)):
        raise BadToken("This link is not valid: copy the whole link from the email.")
    try:
        data = json.loads(_unb64(payload))
    except (binascii.Error, ValueError):
        raise BadToken("This link is not valid: copy the whole link from the email.") from None
    if not isinstance(data, dict) or not isinstance(data.get("exp"), int):
        raise BadToken("This link is not valid: copy the whole link from the email.")
    if (time.time() if now is None else now) > data["exp"]:
        raise BadToken("This link has expired.")
    return data


def password_stamp(password_hash: str) -> str:
    """What a reset link holds of the current password hash: a new password voids the link."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:24]
