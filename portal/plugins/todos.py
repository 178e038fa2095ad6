"""What a plugin file still leaves to do: its TODOs, one warning line per file.

``portal new-framework`` and ``portal new-criterion`` write files whose unfinished
parts say TODO, some of them inside tables still commented out (a rating without a
score must not count). This module reads a file's text, finds each place that says
TODO (a top-level field, a rating, a question, a golden case), and folds the
warnings those places explain (an unrated criterion, a TODO rationale) into one line
per file, so ``portal check`` on a new plugin reads as a to-do list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .files import Problem, display_path

MARK = re.compile(r"\bTODO\b")
# A table header, also commented out: ``[ratings.x]``, ``# [[golden]]``.
HEADER = re.compile(r"^\s*(?:#\s*)?\[(\[?)\s*([A-Za-z0-9_.\"'-]+?)\s*\]\]?\s*(?:#.*)?$")
KEY = re.compile(r"^\s*(?:#\s*)?([A-Za-z0-9_\"'-]+)\s*=")


@dataclass(frozen=True)
class Place:
    """One unfinished part of a file: how the warning names it, and the fields it covers."""

    group: str  # "", "ratings of", "questions", "golden"
    name: str
    fields: tuple[str, ...]  # field paths (prefixes) of the warnings this TODO explains

    def covers(self, field: str) -> bool:
        return any(field == f or field.startswith((f"{f}.", f"{f}[")) for f in self.fields)


def places(text: str) -> list[Place]:
    """The places of a plugin file (``profile.toml`` / ``criterion.toml``) that say TODO, each once."""
    found: dict[tuple[str, str], Place] = {}
    table: tuple[str, str] | None = None  # the current table: (kind, name); None at the top level
    questions = goldens = 0
    key = ""  # the current top-level key (a multi-line array continues it)
    pending = False  # a TODO comment right above a top-level key belongs to that key
    depth = 0  # open brackets of a multi-line array

    def mark(group: str, name: str, field: str) -> None:
        found.setdefault((group, name), Place(group, name, (field,)))

    for line in text.splitlines():
        header = HEADER.match(line) if depth == 0 else None
        todo = bool(MARK.search(line))
        if header:
            array, name = bool(header.group(1)), re.sub("[\"']", "", header.group(2))
            commented = line.lstrip().startswith("#")
            # A question left commented out is an example, not a question to finish.
            questions += array and name == "questions" and not commented
            goldens += array and name == "golden"
            table = _table(array, name, commented, questions, goldens)
            key, pending = "", False
            if todo and table[0] == "ratings" and table[1]:
                mark("ratings of", table[1], f"ratings.{table[1]}")
            continue
        match = KEY.match(line)
        if table is None:
            if depth:
                if todo and key:
                    mark("", key, key)
            elif match:
                key = match.group(1).strip("\"'")
                if pending or todo:
                    mark("", key, key)
                pending = False
            elif not line.strip():
                pending = False
            elif todo:
                pending = True
        elif todo:
            kind, name = table
            if kind == "question":
                mark("questions", name, f"questions[{int(name) - 1}]")
            elif kind == "golden":
                mark("golden", name, "golden")
            elif kind == "ratings":
                rated = name or (match.group(1).strip("\"'") if match else "")
                if rated:
                    mark("ratings of", rated, f"ratings.{rated}")
            elif kind == "table":
                mark("", name, name)
        depth = _depth(line, depth)
    return list(found.values())


def _table(array: bool, name: str, commented: bool, questions: int, goldens: int) -> tuple[str, str]:
    """What a header opens: a question (by position), a golden case, a rating, or another table."""
    if name == "questions" or name.startswith("questions."):
        return ("question", str(questions)) if questions and not commented else ("ignored", "")
    if name == "golden" or name.startswith("golden."):
        return ("golden", str(goldens)) if goldens else ("ignored", "")
    if name == "ratings" or name.startswith("ratings."):
        return ("ratings", name.split(".")[1] if "." in name else "")
    return ("ignored", "") if commented else ("table", name)


def _depth(line: str, depth: int) -> int:
    """Open brackets of a multi-line array, outside strings and comments."""
    code = re.sub(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'', "", line).partition("#")[0]
    return max(0, depth + code.count("[") - code.count("]"))


def describe(found: Iterable[Place], question_keys: dict[int, str] | None = None) -> str:
    """``"kind, summary; ratings of admin_ui, realtime; the golden case"``."""
    found = list(found)
    parts = []
    top = [p.name for p in found if p.group == ""]
    if top:
        parts.append(", ".join(top))
    asked = [
        (question_keys or {}).get(int(p.name) - 1, f"#{p.name}") for p in found if p.group == "questions"
    ]
    if asked:
        parts.append(("question " if len(asked) == 1 else "questions ") + ", ".join(asked))
    rated = [p.name for p in found if p.group == "ratings of"]
    if rated:
        parts.append("ratings of " + ", ".join(rated))
    golden = [p.name for p in found if p.group == "golden"]
    if golden:
        parts.append("the golden case" if len(golden) == 1 else "golden cases " + ", ".join(golden))
    return "; ".join(parts)


@dataclass(frozen=True)
class _Unfinished:
    """A plugin file that says TODO, and the warnings elsewhere its TODO ratings explain."""

    distribution: str
    path: str
    found: list[Place]
    elsewhere: list[tuple[str, Place]] = field(default_factory=list)  # (a profile's path, its field)
    question_keys: dict[int, str] = field(default_factory=dict)

    def explains(self, problem: Problem) -> bool:
        if _same_file(problem.file, self.path) and any(p.covers(problem.field) for p in self.found):
            return True
        return any(_same_file(problem.file, path) and p.covers(problem.field) for path, p in self.elsewhere)

    def warning(self) -> Problem:
        count = f"{len(self.found)} TODO" + ("" if len(self.found) == 1 else "s")
        message = f"{count}: {describe(self.found, self.question_keys)}"
        return Problem(self.distribution, display_path(self.path), "", message, level="warning")


def fold_todos(problems: list[Problem], catalog) -> list[Problem]:
    """``problems`` with one warning per plugin file that says TODO, instead of the warnings it explains.

    A criterion's TODO rating of a framework also explains that framework's
    "does not rate" warning for the criterion: the rating is on its way.
    """
    unfinished: list[_Unfinished] = []
    for framework in catalog.frameworks.values():
        if found := _places_of(framework.file):
            unfinished.append(_Unfinished(framework.source.distribution, framework.file, found))
    for criterion in catalog.criteria.values():
        if found := _places_of(criterion.file):
            rating = Place("", "", (f"ratings.{criterion.key}",))
            elsewhere = [
                (catalog.frameworks[p.name].file, rating)
                for p in found
                if p.group == "ratings of" and p.name in catalog.frameworks
            ]
            keys = dict(enumerate(q.key for q in criterion.definition.questions))
            unfinished.append(
                _Unfinished(criterion.source.distribution, criterion.file, found, elsewhere, keys)
            )
    if not unfinished:
        return problems
    kept = [p for p in problems if p.level != "warning" or not any(u.explains(p) for u in unfinished)]
    return kept + [u.warning() for u in unfinished]


def _places_of(path: str) -> list[Place]:
    if not path:
        return []
    try:
        with open(path, encoding="utf-8") as stream:
            return places(stream.read())
    except (OSError, UnicodeDecodeError):
        return []  # the loader already reported an unreadable file


def _same_file(shown: str, path: str) -> bool:
    # A problem's file may carry its line ("profile.toml:12").
    name = display_path(path)
    return shown == name or shown.startswith(f"{name}:")
