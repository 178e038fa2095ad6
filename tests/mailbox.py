"""Reading the mail a test portal wrote: pyramid_mailer's debug mailer leaves one file per message."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import message_from_string, policy
from pathlib import Path


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str

    def link(self, path: str) -> str:
        """The path and query of the one link to ``path`` in the body (for ``app.get``)."""
        found = re.findall(r"https?://[^/\s]+(" + re.escape(path) + r"\?token=[A-Za-z0-9_.-]+)", self.body)
        assert len(found) == 1, self.body
        return found[0]


def mails(app) -> list[Mail]:
    """Every message the app has written, oldest first."""
    folder = Path(app.app.registry.settings["mail.top_level_directory"])
    found = []
    for path in sorted(folder.glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name)):
        message = message_from_string(path.read_text(), policy=policy.default)
        found.append(Mail(message["To"], message["Subject"], message.get_content()))
    return found


def clear(app) -> None:
    for path in Path(app.app.registry.settings["mail.top_level_directory"]).glob("*.eml"):
        path.unlink()
