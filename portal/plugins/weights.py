"""The ``portal.criteria.weights`` setting: one ``key = number`` per line."""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from functools import partial

from .files import Problem
from .ini import SettingsFile
from .messages import did_you_mean

SETTING = "portal.criteria.weights"
_LINE = re.compile(r"^([a-z][a-z0-9_]*)\s*=\s*(\S+)$")


def parse_weights(
    value: str | None,
    enabled: Collection[str],
    origin: str | SettingsFile,
    installed: Collection[str] | None = None,
    warnings: list[Problem] | None = None,
) -> dict[str, float]:
    """Weight overrides of the enabled criteria; every problem names the offending line.

    With ``installed`` given, a weight for an installed but disabled criterion is a
    warning (appended to ``warnings``) and is left out; without it, it is an error.
    """
    source = SettingsFile.of(origin)
    known = set(enabled) if installed is None else set(installed)
    weights: dict[str, float] = {}
    seen: set[str] = set()
    for raw in (value or "").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        fail = partial(source.error, SETTING, value=value, part=line)
        match = _LINE.match(line)
        if not match:
            raise fail(f"{line!r} is not of the form 'criterion_key = number'")
        key, text = match.groups()
        try:
            weight = float(text)
        except ValueError:
            raise fail(f"{key}: {text!r} is not a number") from None
        if not math.isfinite(weight) or weight < 0:
            raise fail(f"{key}: {text!r} must be a finite number of 0 or more")
        if key in seen:
            raise fail(f"{key}: given twice")
        seen.add(key)
        if key not in known:
            kind = "enabled" if installed is None else "installed"
            listed = ", ".join(sorted(known)) or "none"
            raise fail(
                f"{key}: not an {kind} criterion ({kind}: {listed})", suggestion=did_you_mean(key, known)
            )
        if key not in enabled:
            if warnings is not None:
                message = f"{key}: the criterion is disabled (portal.criteria), so this weight does nothing"
                warnings.append(source.problem(SETTING, message, value, part=line, level="warning"))
            continue
        weights[key] = weight
    return weights
