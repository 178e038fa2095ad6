"""The questionnaire built from the enabled criteria: pages, skip logic and answer checks.

An answer is an option key (single, boolean, scale) or a list of option keys
(multi); ``"unsure"`` is the "Not sure" choice where a question allows it.
Which questions are visible is scoring's rule (``scoring.shown_keys``), so the
pages and the result can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .plugins import Catalog, Criterion
from .plugins.schema import Question
from .scoring import (
    PRIORITIES,
    UNSURE,
    UNSURE_LABEL,
    Model,
    evaluate,
    model_from_catalog,
    shown_keys,
)

__all__ = ["UNSURE", "UNSURE_LABEL", "Page", "Questionnaire", "check_answer"]


Answer = str | list[str]


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Questionnaire:
    pages: tuple[Page, ...]
    questions: Mapping[str, Question]  # every question, in order
    criterion_of: Mapping[str, str]  # question key -> criterion key ("portal" for the core question)
    model: Model  # what the scoring reads, for the needs that decide which priorities are offered

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> Questionnaire:
        pages, questions, criterion_of = [], {}, {}
        categories = catalog.categories
        model = model_from_catalog(catalog)
        core = model.core_questions.get(PRIORITIES)
        for number, category in enumerate(categories, start=1):
            criteria: list[Criterion] = [c for c in catalog.criteria.values() if c.category == category]
            page_questions = tuple(q for c in criteria for q in c.questions)
            if core is not None and number == len(categories):
                # What matters most comes last: the client has given every need by then.
                page_questions += (core,)
            pages.append(Page(number, category, page_questions))
            for criterion in criteria:
                for question in criterion.questions:
                    questions[question.key] = question
                    criterion_of[question.key] = criterion.key
        if core is not None:
            questions[PRIORITIES] = core
            criterion_of[PRIORITIES] = "portal"
        return cls(tuple(pages), questions, criterion_of, model)

    def offered(self, question: Question, answers: Mapping[str, Any]) -> Question:
        """A question as the page shows it: priorities only among criteria the answers give a need."""
        if question.key != PRIORITIES:
            return question
        evaluation = evaluate(self.model, answers)
        needed = {c.key for c, s in zip(self.model.criteria, evaluation.states, strict=True) if s.need > 0}
        picked = chosen(answers.get(PRIORITIES))
        return question.with_options(tuple(o for o in question.options if o.key in needed or o.key in picked))

    def page_of(self, key: str) -> int:
        return next(page.number for page in self.pages if any(q.key == key for q in page.questions))

    def visible(self, answers: Mapping[str, Any]) -> set[str]:
        given = {key: chosen(value) for key, value in answers.items() if key in self.triggers}
        return set(shown_keys(self.questions.values(), given))

    @cached_property
    def triggers(self) -> frozenset[str]:
        """Questions whose answer a condition reads: the only answers skip logic looks at."""
        return frozenset(q.condition.question for q in self.questions.values() if q.condition is not None)

    def progress(self, answers: Mapping[str, Any]) -> tuple[int, int]:
        """(answered, visible): how far the client is."""
        shown = self.visible(answers)
        return sum(1 for key in shown if answers.get(key) is not None), len(shown)

    def missing_required(self, answers: Mapping[str, Any]) -> list[str]:
        shown = self.visible(answers)
        return [
            key
            for key, question in self.questions.items()
            if question.required and key in shown and answers.get(key) is None
        ]

    def validate(self, submitted: Mapping[str, Any]) -> tuple[dict[str, Answer | None], dict[str, str]]:
        """Check every submitted answer; ``None`` clears one. Returns (clean, errors)."""
        clean: dict[str, Answer | None] = {}
        errors: dict[str, str] = {}
        for key, value in submitted.items():
            question = self.questions.get(key)
            if question is None:
                errors[key] = "There is no such question."
                continue
            if value is None:
                clean[key] = None
                continue
            answer, error = check_answer(question, value)
            if error:
                errors[key] = error
            else:
                clean[key] = answer
        return clean, errors


def option_keys(question: Question) -> list[str]:
    keys = [option.key for option in question.options]
    return [*keys, UNSURE] if question.allow_unsure else keys


def chosen(value: Any) -> set[str]:
    """The option keys an answer picks."""
    if value is None:
        return set()
    return set(value) if isinstance(value, list) else {value}


def check_answer(question: Question, value: Any) -> tuple[Answer | None, str | None]:
    allowed = option_keys(question)
    labels = ", ".join(allowed)
    if question.kind == "multi":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None, "This question takes a list of answers."
        if not value:
            return None, "Choose at least one answer, or clear the question."
        unknown = [v for v in value if v not in allowed]
        if unknown:
            return None, f"{unknown[0]!r} is not one of the answers ({labels})."
        if len(set(value)) != len(value):
            return None, "An answer is listed twice."
        if UNSURE in value and len(value) > 1:
            return None, "'Not sure' cannot be combined with other answers."
        if question.max_choices is not None and len(value) > question.max_choices:
            return None, f"Choose at most {question.max_choices}."
        return [key for key in allowed if key in value], None
    if not isinstance(value, str):
        return None, "This question takes exactly one answer."
    if value not in allowed:
        return None, f"{value!r} is not one of the answers ({labels})."
    return value, None
