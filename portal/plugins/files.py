"""Reading plugin files into validated objects, with problems that name their field."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from typing import Literal, TypeVar

from pydantic import BaseModel, ValidationError
from pyramid.exceptions import ConfigurationError

from .schema import CriterionDefinition, FrameworkProfile, cross_check

Kind = Literal["framework", "criterion"]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class PluginSource:
    """Where a registration comes from: the distribution that offers it."""

    kind: Kind
    distribution: str
    version: str
    entry_point: str | None = None  # the entry point name, when loaded through one


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or doubtful) in a plugin or a setting, as one line."""

    origin: str  # a distribution name, or the settings file
    file: str
    field: str
    message: str
    level: Literal["error", "warning"] = "error"
    line: int | None = None  # 1-based, in ``file`` (in the settings file when there is no file)
    column: int | None = None
    suggestion: str = ""  # what to do about it, e.g. "did you mean 'realtime'?"

    def __str__(self) -> str:
        origin, file = self.origin, self.file
        if self.line is not None:
            if file:
                file = f"{file}:{self.line}"
            else:
                origin = f"{origin}:{self.line}"
        where = ": ".join(part for part in (origin, file, self.field) if part)
        text = f"{where}: {self.message}"
        return f"{text}; {self.suggestion}" if self.suggestion else text


class PortalConfigError(ConfigurationError):
    """Start-up stops: one line naming where the problem is (plugin or setting) and the field."""

    def __init__(self, problem: Problem, more: int = 0):
        self.problem = problem
        text = str(problem)
        if more:
            text += f" (and {more} more; run `portal check`)"
        super().__init__(text)

    def __str__(self) -> str:  # ConfigurationError's own str() adds nothing useful
        return self.args[0]


class PluginError(PortalConfigError):
    """A plugin cannot be loaded."""


class SettingsError(PortalConfigError):
    """A ``portal.*`` setting is wrong."""


def display_path(path: str) -> str:
    """A path short enough to read: relative to the working folder when inside it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def load_profile(path: str, source: PluginSource) -> tuple[FrameworkProfile | None, list[Problem]]:
    return _load(FrameworkProfile, path, source)


def load_criterion(path: str, source: PluginSource) -> tuple[CriterionDefinition | None, list[Problem]]:
    criterion, problems = _load(CriterionDefinition, path, source)
    if criterion is not None:
        file = display_path(path)
        problems = [
            Problem(source.distribution, file, field, message, suggestion=suggestion)
            for field, message, suggestion in cross_check(criterion)
        ]
        if problems:
            criterion = None
            problems = _positioned(problems, path)
    return criterion, problems


def _load(model: type[M], path: str, source: PluginSource) -> tuple[M | None, list[Problem]]:
    file = display_path(path)
    try:
        with open(path, "rb") as stream:
            data = tomllib.load(stream)
    except OSError as error:
        return None, [Problem(source.distribution, file, "", f"cannot read: {error.strerror}")]
    except tomllib.TOMLDecodeError as error:
        return None, [_toml_problem(source, path, error)]
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        from .messages import findings  # what follows runs only for a file with problems

        problems = [
            Problem(source.distribution, file, f.field, f.message, suggestion=f.suggestion)
            for f in findings(error, data, model)
        ]
        return None, _positioned(problems, path)


def _positioned(problems: list[Problem], path: str) -> list[Problem]:
    from .positions import with_positions  # a clean start-up never needs it

    return with_positions(problems, path)


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


def _toml_problem(source: PluginSource, path: str, error: tomllib.TOMLDecodeError) -> Problem:
    """The parser's own position, and the key written on that line as the field."""
    file, text = display_path(path), str(error)
    match = _TOML_POSITION.search(text)
    if not match:
        return Problem(source.distribution, file, "", f"malformed TOML: {text}")
    line, column = int(match.group(1)), int(match.group(2))
    try:
        with open(path, encoding="utf-8", errors="replace") as stream:
            lines = stream.read().splitlines()
    except OSError:
        lines = []
    written = lines[line - 1] if 0 < line <= len(lines) else ""
    key = re.match(r"\s*([A-Za-z0-9_.\"'-]+)\s*=", written)
    message = f"malformed TOML: {_TOML_POSITION.sub('', text)}"
    return Problem(
        source.distribution,
        file,
        key.group(1) if key else "",
        message,
        line=line,
        column=column,
        suggestion="fix the TOML syntax on that line (strings in quotes, lists in [ ], one key per line)",
    )
