"""The shapes of plugin files: ``profile.toml`` and ``criterion.toml``.

The types themselves live in :mod:`portal.scoring.model`, one set shared by
the files' validation and the scoring. Checks that span several fields
(question keys, skip-logic conditions, needs and factors) live in
:func:`cross_check`, which reports each problem with the path of its field;
checks that need the whole catalog (``when`` clauses naming other criteria's
questions, golden cases) run in ``portal.plugins.check``.
"""

from __future__ import annotations

from ..scoring.model import (
    KIND_PATTERN,
    OPTION_PATTERN,
    QUESTION_KINDS,
    QUESTION_PATTERN,
    SLUG_PATTERN,
    Condition,
    CriterionDefinition,
    FrameworkProfile,
    Golden,
    NextStep,
    Option,
    Question,
    Rating,
    When,
)
from .messages import did_you_mean

__all__ = [
    "KIND_PATTERN",
    "OPTION_PATTERN",
    "QUESTION_KINDS",
    "QUESTION_PATTERN",
    "SLUG_PATTERN",
    "Condition",
    "CriterionDefinition",
    "FrameworkProfile",
    "Golden",
    "NextStep",
    "Option",
    "Question",
    "Rating",
    "When",
    "cross_check",
    "meaning_changes",
]


def cross_check(criterion: CriterionDefinition) -> list[tuple[str, str, str]]:
    """Problems no single field shows, as ``(field path, message, what to do)``."""
    problems: list[tuple[str, str, str]] = []
    earlier: dict[str, Question] = {}
    for i, question in enumerate(criterion.questions):
        where = f"questions[{i}]"
        prefix = f"{criterion.key}."
        if not question.key.startswith(prefix):
            name = question.key.partition(".")[2] or question.key
            problems.append(
                (f"{where}.key", f"{question.key!r} must start with {prefix!r}", f"write {prefix + name!r}")
            )
        if question.key in earlier:
            problems.append(
                (f"{where}.key", f"duplicate question key {question.key!r}", "give each question its own key")
            )
        problems.extend((field, message, "") for field, message in _check_options(question, where))
        if question.condition is not None:
            problems.extend(_check_condition(question.condition, earlier, criterion, where))
        earlier.setdefault(question.key, question)
    return problems


def is_follow_up(question: Question, criterion: CriterionDefinition) -> bool:
    """A follow-up refines an earlier question of its own criterion (DESIGN 5)."""
    condition = question.condition
    return condition is not None and criterion.question(condition.question) is not None


def meaning_changes(criterion: CriterionDefinition) -> list[tuple[str, str]]:
    """Where a file written for the first model's rule (the largest need wins) now means something else."""
    changes = []
    for i, question in enumerate(criterion.questions):
        if not is_follow_up(question, criterion):
            continue
        for j, option in enumerate(question.options):
            if option.need is not None and option.factor is None:
                changes.append(
                    (
                        f"questions[{i}].options[{j}].need",
                        f"a follow-up refines its parent's need: need {option.need:g} now counts as "
                        f"factor {option.factor_value:g}; write factor = ... to say what you mean",
                    )
                )
    return changes


def _check_options(question: Question, where: str) -> list[tuple[str, str]]:
    if question.max_choices is not None and question.kind != "multi":
        return [(f"{where}.max_choices", "only a multi question picks several options")]
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
        if option.need is not None and option.factor is not None:
            problems.append((f"{where}.options[{j}]", "give need or factor, not both"))
        elif question.condition is None and option.need is None:
            problems.append(
                (
                    f"{where}.options[{j}].need",
                    "required: a question without a condition gives its criterion a need",
                )
            )
    if question.kind == "boolean" and len(question.options) != 2:
        problems.append((f"{where}.options", "a boolean question has exactly two options"))
    if question.allow_unsure and "unsure" in seen:
        problems.append((f"{where}.options", "'unsure' is reserved for allow_unsure"))
    return problems


def _check_condition(
    condition: Condition, earlier: dict[str, Question], criterion: CriterionDefinition, where: str
) -> list[tuple[str, str, str]]:
    """A condition that can never hold leaves its question unreachable: each way is an error."""
    field = f"{where}.condition.question"
    name = condition.question
    target = earlier.get(name)
    if target is None:
        if criterion.question(name) is not None:
            message = f"{name!r} comes later; a condition names an earlier question"
            return [(field, message, f"move this question after {name!r}: as written it is never asked")]
        suggestion = did_you_mean(name, earlier)
        if not name.startswith(f"{criterion.key}.") and not suggestion:
            return [(field, f"{name!r} belongs to another criterion", "name an earlier question of this one")]
        earlier_keys = ", ".join(earlier) or "none"
        return [
            (
                field,
                f"no question {name!r} in this criterion, so this question is never asked",
                suggestion or f"name an earlier question of this criterion ({earlier_keys})",
            )
        ]
    if target.options_from is not None:
        return []  # option keys are framework slugs, known only at start-up
    known = list(target.choices)
    wrong = [value for value in condition.allowed if value not in known]
    never = (
        " (no listed answer exists, so this question is never asked)"
        if len(wrong) == len(condition.allowed)
        else ""
    )
    return [
        (
            f"{where}.condition.in",
            f"{value!r} is not an option of {target.key!r}{never}",
            did_you_mean(value, known) or f"options: {', '.join(known)}",
        )
        for value in wrong
    ]
