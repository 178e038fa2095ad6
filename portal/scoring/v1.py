"""The reader of snapshot version 1, stored by the first scoring model (before December 2026).

A result is never re-scored when read: the snapshot holds its numbers. What a
page needs beyond them are the titles and questions of its model and the
sentences of the weight-sensitivity and what-if analyses, which the first model
worded differently; that wording is kept here, so an old revision reads exactly
as it did.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import Criterion, Framework, Model, Question
from .sentences import Wording

WORDING = Wording(
    factor=".3g",
    more="more",
    what_if="{changes}, {first} would rank first.",
    single="with '{label}' on '{text}'",
    added="with '{label}' chosen on '{text}'",
    removed="without '{label}' on '{text}'",
    capitalise=True,
)


def model_of(data: Mapping[str, Any]) -> Model:
    """Frameworks, criteria and questions of a version 1 model (its stored ratings are not needed)."""
    return Model(
        frameworks=tuple(Framework(f["slug"], f["title"]) for f in data["frameworks"]),
        criteria=tuple(
            Criterion(
                c["key"], c["title"], c["weight"], tuple(Question.model_validate(q) for q in c["questions"])
            )
            for c in data["criteria"]
        ),
        ratings={},
    )
