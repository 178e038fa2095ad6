"""Small validators for what clients send: whole numbers in paths and queries, storable text.

One rule each, used everywhere: ``str.isdigit`` would accept "²", Arabic-Indic or
full-width digits and 5,000-digit strings, which ``int()`` then rejects or turns
into an alias of another URL.
"""

from __future__ import annotations

import re

MAX_DIGITS = 6
_POSITIVE = re.compile(rf"[1-9][0-9]{{0,{MAX_DIGITS - 1}}}", re.ASCII)
# What no column can hold (NUL: PostgreSQL text; lone surrogates: any UTF-8) and the
# other control characters, which have no place in a one-line field.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def positive_int(text: str | None) -> int | None:
    """1, 2, … written in ASCII digits without a leading zero, at most MAX_DIGITS long; else None."""
    if text is None or not _POSITIVE.fullmatch(text):
        return None
    return int(text)


def unstorable(text: str) -> str | None:
    """A sentence naming the first character a text field refuses, or None when all is well."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    return f"contains a character that cannot be stored (U+{ord(found.group()):04X}); remove it"
