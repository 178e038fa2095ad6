"""How much a criterion matters for given answers: its need, from 0 to 1 (DESIGN 5).

- Skip logic first: an answer to a question its condition hides never counts.
- A question without a condition (a *root*) gives the need of its answer; the first
  is the criterion's primary question, and a criterion may have more (such as
  "which components" and "which existing systems").
- A follow-up (a question whose condition names an earlier question of the same
  criterion) refines its root: the root's need is multiplied by the follow-up's
  ``factor``, so a small "yes" followed by a big number stays a small need, and a
  follow-up saying "less" (a factor below 1) can only lower it. Values are capped at 1.
- Roots combine like independent reasons for the criterion to matter:
  ``1 − Π (1 − n_root)``. Two moderate reasons add up, never past 1; one reason
  alone counts as itself. (Not the maximum: a second reason always counts.)
- "Not sure" counts as the mean need (or factor) of the question's options.
- A criterion's ``need`` hook, where it returns a number, decides instead.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from types import MappingProxyType
from typing import Any

from .model import UNSURE, Criterion, Question

Chosen = tuple[str, ...]  # the option keys an answer picks, in option order; () when unanswered
Answer = str | tuple[str, ...]  # as hooks see it: an option key, or a multi question's keys


class HookError(ValueError):
    """A criterion's need or fit hook returned something out of range; names the plugin."""


def shown_keys(questions: Iterable[Any], given: Mapping[str, Collection[str]]) -> list[str]:
    """Skip logic (DESIGN 5), the one implementation: the keys of the questions shown, in order.

    ``questions`` are in questionnaire order, each with a ``key`` and an optional
    ``condition`` (``question``, ``allowed``); ``given`` maps a question key to
    the option keys its answer chose. A question with a condition shows only
    when the question it names is shown and chose one of the allowed keys, so
    the answer of a hidden question never opens a follow-up (transitively).
    """
    shown: dict[str, Collection[str]] = {}
    for question in questions:
        condition = question.condition
        if condition is not None:
            trigger = shown.get(condition.question, ())
            if not any(key in condition.allowed for key in trigger):
                continue
        shown[question.key] = given.get(question.key, ())
    return list(shown)


def visible_answers(criterion: Criterion, given: Mapping[str, Chosen]) -> dict[str, Chosen]:
    """The answered questions of one criterion that skip logic shows, in order."""
    return {key: given[key] for key in shown_keys(criterion.questions, given) if given.get(key)}


def chosen(question: Question, value: Any) -> Chosen:
    """The keys an answer picks, in option order.

    Keys the question does not offer are ignored: a revision re-scored after a
    plugin change may hold some. Checking what a client submits is the
    questionnaire's job, not this one's.
    """
    if value is None:
        return ()
    if isinstance(value, str):
        keys = {value}
    elif question.kind == "multi" and isinstance(value, Iterable):
        keys = set(value)
    else:
        raise ValueError(f"{question.key}: expected an option key, got {value!r}")
    return tuple(key for key in question.choices if key in keys)


def as_answer(question: Question, keys: Chosen) -> Answer | None:
    if question.kind == "multi":
        return keys if keys else None
    return keys[0] if keys else None


def need_of(criterion: Criterion, questions: Mapping[str, Question], visible: Mapping[str, Chosen]) -> float:
    """The criterion's need from its visible answers, by the rules of this module's docstring."""
    roots: dict[str, float] = {}
    root_of: dict[str, str] = {}
    for key, keys in visible.items():
        question = questions[key]
        condition = question.condition
        parent = root_of.get(condition.question) if condition is not None else None
        if parent is None:
            roots[key] = max(question.need_of(k) for k in keys)
            root_of[key] = key
        else:
            roots[parent] *= max(question.factor_of(k) for k in keys)
            root_of[key] = parent
    unmet = 1.0
    for value in roots.values():
        unmet *= 1.0 - min(value, 1.0)
    return 1.0 - unmet


def hook_answers(criterion: Criterion, questions, visible: Mapping[str, Chosen]) -> Mapping[str, Answer]:
    """The read-only view of this criterion's visible answers that hooks receive."""
    return MappingProxyType({q: as_answer(questions[q], keys) for q, keys in visible.items()})


def hook_need(criterion: Criterion, shown: Mapping[str, Answer]) -> float | None:
    if criterion.need_hook is None:
        return None
    value = criterion.need_hook(shown)
    if value is None:
        return None
    if not is_number(value) or not 0 <= value <= 1:
        raise HookError(
            f"{criterion.origin or 'a plugin'}: the need hook of criterion {criterion.key!r} "
            f"returned {value!r}; a need is a number from 0 to 1"
        )
    return float(value)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def unsure_keys(visible: Mapping[str, Chosen]) -> tuple[str, ...]:
    return tuple(q for q, keys in visible.items() if UNSURE in keys)
