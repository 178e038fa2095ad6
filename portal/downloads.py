"""Downloads of a revision: the Content-Disposition that names the file.

The name comes from the assessment's title, which a client typed: it is reduced to
words joined by hyphens, so no quote, semicolon or line break can reach the header.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

NAME_LENGTH = 60  # characters of the title kept in a file name
FALLBACK = "assessment"


def _words(text: str) -> str:
    """Letters and digits, runs of anything else as one hyphen, lower case."""
    return re.sub(r"[\W_]+", "-", text.lower()).strip("-")[:NAME_LENGTH].strip("-")


def attachment(title: str, number: int, suffix: str) -> str:
    """``attachment; filename="live-chat-rebuild-revision-2.md"`` (RFC 6266).

    Old clients read the ASCII ``filename``; a title with other letters also gets
    ``filename*`` (RFC 5987), which every current browser prefers.
    """
    tail = f"-revision-{number}.{suffix}"
    # NFKD splits "é" into "e" and an accent, so the ASCII name keeps the letter.
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    ascii_name = (_words(ascii_title) or FALLBACK) + tail
    unicode_name = (_words(unicodedata.normalize("NFC", title)) or FALLBACK) + tail
    header = f'attachment; filename="{ascii_name}"'
    if unicode_name != ascii_name:
        header += f"; filename*=UTF-8''{quote(unicode_name, safe='')}"
    return header
