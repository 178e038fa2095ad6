"""Pydantic's validation errors as one plain message per field, with what to do about it.

Pydantic reports a value that fits no member of a union once per member (a next
step that is neither text nor a table gives two errors, with member names such as
``constrained-str`` in their paths): the members' names are dropped from the paths
and only the member that got furthest into the value is reported.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from ..scoring.model import KIND_PATTERN, OPTION_PATTERN, QUESTION_PATTERN, SLUG_PATTERN

# Patterns in words: pydantic would print the regular expression.
PATTERNS = {
    SLUG_PATTERN: "lower-case letters, digits and _, starting with a letter",
    OPTION_PATTERN: "lower-case letters, digits, _ and -, starting with a letter or digit",
    KIND_PATTERN: "lower-case letters, digits and -, starting with a letter",
    QUESTION_PATTERN: "'<criterion key>.<name>', both lower-case letters, digits and _",
    r"^https?://\S+$": "an http:// or https:// address without spaces",
}

# What each type error expects, in TOML's words.
EXPECTED = {
    "float_type": "a number",
    "int_type": "a whole number",
    "string_type": "text in quotes",
    "bool_type": "true or false",
    "tuple_type": "a list [ … ]",
    "list_type": "a list [ … ]",
    "dict_type": "a table { … }",
    "model_type": "a table { … }",
    "model_attributes_type": "a table { … }",
}


@dataclass(frozen=True)
class Finding:
    field: str
    message: str
    suggestion: str = ""


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """``did you mean 'x'?`` for the closest candidate, or "" when none is close."""
    import difflib  # only when there is something to report

    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""


def findings(error: ValidationError, data: Any, model: type[BaseModel]) -> list[Finding]:
    """One finding per field that is wrong."""
    details = [(_clean(d["loc"], data, d["type"]), d) for d in error.errors(include_url=False)]
    # The union members of each union: keep the one that got furthest.
    unions: dict[tuple, dict[Any, list]] = {}
    plain = []
    for (loc, tag, at), detail in details:
        if tag is None:
            plain.append((loc, detail))
        else:
            unions.setdefault(loc[:at], {}).setdefault(tag, []).append((loc, detail))
    for members in unions.values():
        best = max(members.values(), key=lambda errors: max(len(loc) for loc, _ in errors))
        depth = max(len(loc) for loc, _ in best)
        tied = [e for errors in members.values() for e in errors if len(e[0]) == depth]
        if len(tied) > 1 and all(d["type"] in EXPECTED for _, d in tied) and len({lo for lo, _ in tied}) == 1:
            plain.append((tied[0][0], {**tied[0][1], "alternatives": [d["type"] for _, d in tied]}))
        else:
            plain.extend(best)
    seen: set[tuple] = set()
    result = []
    for loc, detail in plain:
        if loc in seen:
            continue
        seen.add(loc)
        result.append(_finding(loc, detail, model))
    return result


def field_path(loc: Iterable[int | str]) -> str:
    """``questions[1].options[0].need``; a key that is not a bare word in brackets: ``answers['a.b']``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not re.fullmatch(r"[A-Za-z0-9_-]+", part):
            path += f"[{part!r}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(file)"


def _clean(loc: tuple, data: Any, kind: str) -> tuple[tuple, Any, int | None]:
    """The path without union member names; the first member name and where it was."""
    clean: list[int | str] = []
    tag, at, node = None, None, data
    for i, part in enumerate(loc):
        if _has(node, part):
            node = node[part]
        elif part == "[key]" or (kind == "missing" and i == len(loc) - 1):
            pass  # a dict key's own error, or the missing field itself
        else:
            if tag is None:
                tag, at = part, len(clean)
            continue
        if part != "[key]":
            clean.append(part)
    return tuple(clean), tag, at


def _has(node: Any, part: int | str) -> bool:
    if isinstance(part, int):
        return isinstance(node, list) and 0 <= part < len(node)
    return isinstance(node, dict) and part in node


def _finding(loc: tuple, detail: dict, model: type[BaseModel]) -> Finding:
    kind, value, name = detail["type"], detail.get("input"), loc[-1] if loc else ""
    field = field_path(loc)
    if kind == "extra_forbidden":
        return Finding(field, "unknown field", _unknown_field(str(name), loc, model))
    if kind == "missing":
        return Finding(field, "required field is missing", f"add {name} = …")
    if "alternatives" in detail:
        wanted = " or ".join(dict.fromkeys(EXPECTED[t] for t in detail["alternatives"]))
        return Finding(field, f"must be {wanted}, not {_describe(value)}")
    if kind in EXPECTED:
        return Finding(field, f"must be {EXPECTED[kind]}, not {_describe(value)}", _retype(name, kind, value))
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", detail.get("ctx", {}).get("expected", ""))
        message = f"{value!r} is not one of {', '.join(map(repr, allowed))}"
        return Finding(field, message, did_you_mean(str(value), allowed))
    if kind == "string_pattern_mismatch":
        pattern = detail.get("ctx", {}).get("pattern", "")
        words = PATTERNS.get(pattern, f"match {pattern!r}")
        what = "key" if len(detail["loc"]) and detail["loc"][-1] == "[key]" else "value"
        suggestion = _conforming(value, pattern)
        return Finding(field, f"{value!r} is not a valid {what}: use {words}", suggestion)
    if kind == "string_too_short" and detail.get("ctx", {}).get("min_length") == 1:
        return Finding(field, "must not be empty", f"write the {name} or remove the line")
    message = detail["msg"]
    return Finding(field, message[0].lower() + message[1:])


def _unknown_field(name: str, loc: tuple, model: type[BaseModel]) -> str:
    here = _model_at(model, loc[:-1])
    known = _field_names(here) if here else []
    suggestion = did_you_mean(name, known)
    if suggestion:
        return suggestion
    # TOML's trap: a key written after a [[table]] belongs to that table's last item.
    if len(loc) >= 3 and isinstance(loc[-2], int):
        outer = _model_at(model, loc[:-3])
        if outer is not None and name in _field_names(outer):
            header = field_path(loc[:-2]).replace("[", ".").replace("]", "")
            header = re.sub(r"\.\d+", "", header)
            return (
                f"{name!r} belongs to the enclosing table: a key written after [[{header}]] "
                f"belongs to that item, so move it above the first [[{header}]]"
            )
    if known:
        return f"remove it; the fields here are {', '.join(known)}"
    return "remove it"


def _field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class that validates the table at ``loc`` (None for anything else)."""
    annotation: Any = model
    for part in loc:
        current = _as_model(annotation)
        if isinstance(part, str) and current is not None:
            info = next(
                (f for n, f in current.model_fields.items() if part in (n, f.alias)),
                None,
            )
            if info is None:
                return None
            annotation = info.annotation
        else:
            annotation = _item_type(annotation)
            if annotation is None:
                return None
    return _as_model(annotation)


def _members(annotation: Any) -> list[Any]:
    """A type's alternatives, with Annotated and None stripped."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return [m for arg in typing.get_args(annotation) for m in _members(arg) if m is not type(None)]
    return [annotation]


def _as_model(annotation: Any) -> type[BaseModel] | None:
    return next(
        (m for m in _members(annotation) if isinstance(m, type) and issubclass(m, BaseModel)),
        None,
    )


def _item_type(annotation: Any) -> Any:
    """The type of a tuple's items or a dict's values."""
    for member in _members(annotation):
        origin, args = typing.get_origin(member), typing.get_args(member)
        if origin in (tuple, list) and args:
            return args[0]
        if origin is dict and len(args) == 2:
            return args[1]
    return None


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _retype(name: Any, kind: str, value: Any) -> str:
    """Where the value is right but written as the wrong type, say how to write it."""
    if isinstance(value, str):
        text = value.strip()
        if kind in ("float_type", "int_type") and re.fullmatch(r"[+-]?\d+(\.\d+)?", text):
            return f"write {name} = {text} without quotes"
        if kind == "bool_type" and text.lower() in ("true", "false"):
            return f"write {name} = {text.lower()} without quotes"
        if kind in ("tuple_type", "list_type"):
            return f'write {name} = ["{value}"]'
    if kind == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
        return f'write {name} = "{value}"'
    return ""


def _conforming(value: Any, pattern: str) -> str:
    """``write 'full_stack'`` where lower-casing and joining the words would make it valid."""
    if not isinstance(value, str) or not pattern:
        return ""
    for joint in ("_", "-"):
        candidate = re.sub(r"[^a-z0-9]+", joint, value.lower()).strip(joint)
        if candidate != value and re.fullmatch(pattern, candidate):
            return f"write {candidate!r}"
    return ""
