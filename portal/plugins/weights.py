"""The ``portal.criteria.weights`` setting: one ``key = number`` per line."""

from __future__ import annotations

import math
import re

from .files import Problem, SettingsError

SETTING = "portal.criteria.weights"
_LINE = re.compile(r"^([a-z][a-z0-9_]*)\s*=\s*(\S+)$")


def parse_weights(value: str | None, enabled: set[str], origin: str) -> dict[str, float]:
    """Weight overrides by criterion key; every problem names the offending line."""
    weights: dict[str, float] = {}
    for raw in (value or "").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        match = _LINE.match(line)
        if not match:
            raise _error(origin, f"{line!r} is not of the form 'criterion_key = number'")
        key, text = match.groups()
        try:
            weight = float(text)
        except ValueError:
            raise _error(origin, f"{key}: {text!r} is not a number") from None
        if not math.isfinite(weight) or weight < 0:
            raise _error(origin, f"{key}: {text!r} must be a finite number of 0 or more")
        if key in weights:
            raise _error(origin, f"{key}: given twice")
        if key not in enabled:
            known = ", ".join(sorted(enabled)) or "none"
            raise _error(origin, f"{key}: not an enabled criterion (enabled: {known})")
        weights[key] = weight
    return weights


def _error(origin: str, message: str) -> SettingsError:
    return SettingsError(Problem(origin, "", SETTING, message))
