"""Where a setting was written, for messages: the ini file and line, or the environment variable.

Settings reach the portal as a dict without positions. Only when there is a problem to
report is the ini file read again to find the line, so start-up pays nothing for it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from .files import Problem, SettingsError

_SECTION = re.compile(r"^\[([^\]]+)\]")
# configparser's "key = value" or "key: value"; PasteDeploy adds "set key = …" and "get key = …".
_OPTION = re.compile(r"^(?:(?:set|get)\s+)?([^\s=:][^=:]*?)\s*[=:](.*)$")


@dataclass(frozen=True)
class SettingsFile:
    """The ini file settings came from: ``label`` as messages show it, ``path`` to re-read.

    ``variables`` maps a setting to the environment variable that may fill it, so a
    problem in a value that came from the environment names the variable instead.
    """

    label: str
    path: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, origin: str | SettingsFile) -> SettingsFile:
        return origin if isinstance(origin, SettingsFile) else cls(origin)

    def __str__(self) -> str:
        return self.label

    def where(
        self, setting: str, value: str | None = None, part: str | None = None
    ) -> tuple[str, int | None]:
        """(origin, line) of a setting: ``("development.ini", 27)``, or the environment
        variable that filled it, ``("environment variable PORTAL_FRAMEWORKS", None)``.

        ``value`` picks among several sections setting it; ``part`` finds one line of a
        multi-line value (a weight).
        """
        found = _find(self.path, setting, value, part) if self.path else None
        if found is not None and found[1]:
            return self.label, found[0]
        variable = self.variables.get(setting)
        if variable and variable in os.environ and (value is None or os.environ[variable] == value):
            return f"environment variable {variable}", None
        return self.label, found[0] if found is not None else None

    def problem(
        self,
        setting: str,
        message: str,
        value: str | None = None,
        part: str | None = None,
        suggestion: str = "",
        level: Literal["error", "warning"] = "error",
    ) -> Problem:
        origin, line = self.where(setting, value, part)
        return Problem(origin, "", setting, message, level=level, line=line, suggestion=suggestion)

    def error(
        self, setting: str, message: str, value: str | None = None, part: str | None = None, suggestion=""
    ):
        return SettingsError(self.problem(setting, message, value, part, suggestion))


def _find(path: str, setting: str, value: str | None, part: str | None) -> tuple[int, bool] | None:
    """(line, whether the value is non-empty) of ``setting`` in the file's app sections.

    Where several sections set it, the one whose value equals ``value`` wins, else the first.
    """
    try:
        with open(path, encoding="utf-8", errors="replace") as stream:
            lines = stream.read().splitlines()
    except OSError:
        return None
    entries: list[tuple[int, list[tuple[int, str]]]] = []  # (line, [(line, text) of the value])
    section, current = "", None
    for number, line in enumerate(lines, start=1):
        header = _SECTION.match(line)
        if header:
            section, current = header.group(1).strip(), None
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if line[0] in " \t":
            if current is not None:
                current.append((number, stripped))  # a continuation line of the value
            continue
        option = _OPTION.match(line)
        current = None
        if option and option.group(1) == setting and (section.startswith("app:") or section == "DEFAULT"):
            current = [(number, option.group(2).strip())] if option.group(2).strip() else []
            entries.append((number, current))
    if not entries:
        return None

    def joined(parts: list[tuple[int, str]]) -> str:
        return " ".join(" ".join(text for _, text in parts).split())

    wanted = " ".join(value.split()) if value is not None else None
    number, parts = next(((n, p) for n, p in entries if joined(p) == wanted), entries[0])
    if part is not None:
        number = next((n for n, text in parts if text == part.strip()), number)
    return number, bool(parts)
