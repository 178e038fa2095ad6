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

    def __str__(self) -> str:
        where = ": ".join(part for part in (self.origin, self.file, self.field) if part)
        return f"{where}: {self.message}"


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
            Problem(source.distribution, file, field, message) for field, message in cross_check(criterion)
        ]
        if problems:
            criterion = None
    return criterion, problems


def _load(model: type[M], path: str, source: PluginSource) -> tuple[M | None, list[Problem]]:
    file = display_path(path)
    try:
        with open(path, "rb") as stream:
            data = tomllib.load(stream)
    except OSError as error:
        return None, [Problem(source.distribution, file, "", f"cannot read: {error.strerror}")]
    except tomllib.TOMLDecodeError as error:
        return None, [Problem(source.distribution, file, _toml_field(path, error), _toml_message(error))]
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        return None, [
            Problem(source.distribution, file, _field_path(detail["loc"]), _message(detail))
            for detail in error.errors(include_url=False)
        ]


_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def _toml_message(error: tomllib.TOMLDecodeError) -> str:
    return f"malformed TOML: {error}"


def _toml_field(path: str, error: tomllib.TOMLDecodeError) -> str:
    """Name the key on the line the parser stopped at, so the message names a field."""
    match = _TOML_POSITION.search(str(error))
    if not match:
        return ""
    line_number = int(match.group(1))
    try:
        with open(path, encoding="utf-8", errors="replace") as stream:
            lines = stream.read().splitlines()
    except OSError:
        return f"line {line_number}"
    line = lines[line_number - 1] if 0 < line_number <= len(lines) else ""
    key = re.match(r"\s*([A-Za-z0-9_.\"'-]+)\s*=", line)
    return f"line {line_number} ({key.group(1)})" if key else f"line {line_number}"


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(file)"


def _message(detail: dict) -> str:
    kind = detail["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    return detail["msg"][0].lower() + detail["msg"][1:]
