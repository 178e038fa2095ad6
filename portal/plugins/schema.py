"""The shapes of plugin files: ``profile.toml`` and ``criterion.toml``.

Pydantic checks each field's type and range and forbids unknown fields (a typo
must not pass silently); scalars are strict, so TOML's ``"5"`` is not a score.
Checks that span several fields (question keys, skip-logic conditions) live in
:func:`cross_check`, which reports each problem with the path of its field.
"""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator, model_validator

SLUG_PATTERN = r"^[a-z][a-z0-9_]*$"
OPTION_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
KIND_PATTERN = r"^[a-z][a-z0-9-]*$"

Slug = Annotated[str, Strict(), Field(pattern=SLUG_PATTERN, max_length=40)]
OptionKey = Annotated[str, Strict(), Field(pattern=OPTION_PATTERN, max_length=40)]
Line = Annotated[str, Strict(), Field(min_length=1, max_length=200)]
Paragraph = Annotated[str, Strict(), Field(min_length=1, max_length=4000)]
OptionalText = Annotated[str, Strict(), Field(max_length=4000)]
Url = Annotated[str, Strict(), Field(pattern=r"^https?://\S+$", max_length=500)]
Score = Annotated[float, Strict(), Field(ge=0, le=5, allow_inf_nan=False)]
Need = Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]
Flag = Annotated[bool, Strict()]

QUESTION_KINDS = ("single", "multi", "boolean", "scale")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rating(_Frozen):
    """How well one framework fits one criterion, on that criterion's rubric."""

    score: Score
    rationale: Paragraph
    evidence: tuple[Url, ...] = ()


def _freeze_mapping(model: BaseModel, name: str) -> None:
    # Frozen models still hold mutable dicts; a read-only view keeps the
    # registry immutable after start-up.
    object.__setattr__(model, name, MappingProxyType(dict(getattr(model, name))))


class FrameworkProfile(_Frozen):
    """A framework plugin's ``profile.toml``."""

    slug: Slug
    title: Line
    kind: Annotated[str, Strict(), Field(pattern=KIND_PATTERN, max_length=40)]
    homepage: Url
    summary: Paragraph
    best_fit: tuple[Line, ...] = Field(min_length=1)
    strengths: tuple[Line, ...] = Field(min_length=1)
    use_cases: tuple[Line, ...] = Field(min_length=1)
    next_steps: tuple[Line, ...] = ()
    ratings: dict[Slug, Rating] = {}

    @model_validator(mode="after")
    def _freeze(self) -> FrameworkProfile:
        _freeze_mapping(self, "ratings")
        return self


class Option(_Frozen):
    key: OptionKey
    label: Line
    need: Need
    must: Flag = False
    help: OptionalText = ""


class Condition(_Frozen):
    """Skip logic: show a question only when an earlier one got one of these answers."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    question: Annotated[str, Strict(), Field(min_length=1, max_length=90)]
    # Written ``in`` in TOML; ``allowed`` in Python, as scoring's own conditions.
    allowed: tuple[OptionKey, ...] = Field(alias="in", min_length=1)


class Question(_Frozen):
    key: Annotated[str, Strict(), Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")]
    text: Annotated[str, Strict(), Field(min_length=1, max_length=500)]
    help: OptionalText = ""
    kind: Literal["single", "multi", "boolean", "scale"]
    required: Flag = False
    allow_unsure: Flag = False
    condition: Condition | None = None
    options: tuple[Option, ...] = ()
    options_from: Literal["frameworks"] | None = None
    option_need: Need = 0.0


class CriterionDefinition(_Frozen):
    """A criterion plugin's ``criterion.toml``."""

    key: Slug
    title: Line
    category: Line
    order: Annotated[int, Strict(), Field(ge=0, le=10_000)] = 100
    description: Paragraph
    rubric: Paragraph
    default_weight: Annotated[float, Strict(), Field(ge=0, le=100)] = 1.0
    rated_by: Literal["profiles", "hook"] = "profiles"
    questions: tuple[Question, ...] = Field(min_length=1)
    ratings: dict[Slug, Rating] = {}

    @field_validator("default_weight")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    @model_validator(mode="after")
    def _freeze(self) -> CriterionDefinition:
        _freeze_mapping(self, "ratings")
        return self

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)


def cross_check(criterion: CriterionDefinition) -> list[tuple[str, str]]:
    """Problems no single field shows, as ``(field path, message)`` pairs."""
    problems: list[tuple[str, str]] = []
    earlier: dict[str, Question] = {}
    for i, question in enumerate(criterion.questions):
        where = f"questions[{i}]"
        prefix = f"{criterion.key}."
        if not question.key.startswith(prefix):
            problems.append((f"{where}.key", f"{question.key!r} must start with {prefix!r}"))
        if question.key in earlier:
            problems.append((f"{where}.key", f"duplicate question key {question.key!r}"))
        problems.extend(_check_options(question, where))
        if question.condition is not None:
            problems.extend(_check_condition(question.condition, earlier, criterion, where))
        earlier.setdefault(question.key, question)
    return problems


def _check_options(question: Question, where: str) -> list[tuple[str, str]]:
    if question.options_from is not None:
        if question.options:
            return [(f"{where}.options", "give either options or options_from, not both")]
        return []
    if len(question.options) < 2:
        return [(f"{where}.options", "a question needs at least two options")]
    problems = []
    seen: set[str] = set()
    for j, option in enumerate(question.options):
        if option.key in seen:
            problems.append((f"{where}.options[{j}].key", f"duplicate option key {option.key!r}"))
        seen.add(option.key)
    if question.kind == "boolean" and len(question.options) != 2:
        problems.append((f"{where}.options", "a boolean question has exactly two options"))
    if question.allow_unsure and "unsure" in seen:
        problems.append((f"{where}.options", "'unsure' is reserved for allow_unsure"))
    return problems


def _check_condition(
    condition: Condition, earlier: dict[str, Question], criterion: CriterionDefinition, where: str
) -> list[tuple[str, str]]:
    field = f"{where}.condition.question"
    target = earlier.get(condition.question)
    if target is None:
        if not condition.question.startswith(f"{criterion.key}."):
            return [(field, f"{condition.question!r} belongs to another criterion")]
        if criterion.question(condition.question) is not None:
            return [(field, f"{condition.question!r} comes later; a condition names an earlier question")]
        return [(field, f"no question {condition.question!r} in this criterion")]
    if target.options_from is not None:
        return []  # option keys are framework slugs, known only at start-up
    known = {option.key for option in target.options}
    if target.allow_unsure:
        known.add("unsure")
    return [
        (f"{where}.condition.in", f"{value!r} is not an option of {target.key!r}")
        for value in condition.allowed
        if value not in known
    ]
