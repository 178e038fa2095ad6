"""The questionnaire built from the enabled criteria: pages, skip logic and answer checks.

An answer is an option key (single, boolean, scale) or a list of option keys
(multi); ``"unsure"`` is the "Not sure" choice where a question allows it.
Which questions are visible is scoring's rule (``scoring.shown_keys``), so the
pages and the result can never disagree. Progress and resuming read each
question's state (``states``): a follow-up counts from the start, as waiting
until the question it follows is answered, so counts never go down while a
client answers.
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

__all__ = ["UNSURE", "UNSURE_LABEL", "Page", "Questionnaire", "anchor", "check_answer"]


Answer = str | list[str]

# A question's state for the answers given (``Questionnaire.states``).
ANSWERED = "answered"  # shown and answered
OPEN = "open"  # shown, not answered yet
SKIPPED = "skipped"  # skip logic leaves it out for these answers
WAITING = "waiting"  # a follow-up of a question not answered yet: shown or not once it is
DONE = frozenset({ANSWERED, SKIPPED})


def anchor(key: str) -> str:
    """The id of a question's fieldset, the target of every link to it."""
    return "q-" + key.replace(".", "-")


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

    def states(self, answers: Mapping[str, Any]) -> dict[str, str]:
        """Every question's state, in questionnaire order, by the rule of ``visible``."""
        shown = self.visible(answers)
        states: dict[str, str] = {}
        for key, question in self.questions.items():
            if key in shown:
                states[key] = ANSWERED if answers.get(key) is not None else OPEN
            elif question.condition and states.get(question.condition.question) in (OPEN, WAITING):
                states[key] = WAITING
            else:
                states[key] = SKIPPED
        return states

    def required_done(self, states: Mapping[str, str], page: Page | None = None) -> tuple[int, int]:
        """(done, required) of a page's required questions, or of all of them.

        Follow-ups count from the start and are done once answered or left out, so
        neither number goes down while a client answers, page after page.
        """
        keys = [q.key for q in page.questions] if page else list(self.questions)
        required = [key for key in keys if self.questions[key].required]
        return sum(1 for key in required if states[key] in DONE), len(required)

    def first_open(self, answers: Mapping[str, Any]) -> str | None:
        """Where to resume: the first open required question, else the first open one at all."""
        states = self.states(answers)
        opened = [q.key for page in self.pages for q in page.questions if states[q.key] == OPEN]
        for key in opened:
            if self.questions[key].required:
                return key
        # A question offered no options is not asked (priorities before any need).
        return next((key for key in opened if self.offered(self.questions[key], answers).options), None)

    def describe(self, keys: list[str]) -> list[dict[str, Any]]:
        """Questions as a client knows them, for links: text, page and anchor (unknown keys left out)."""
        return [
            {"text": self.questions[key].text, "page": self.page_of(key), "anchor": anchor(key)}
            for key in keys
            if key in self.questions
        ]

    def missing_required(self, answers: Mapping[str, Any]) -> list[str]:
        shown = self.visible(answers)
        return [
            key
            for key, question in self.questions.items()
            if question.required and key in shown and answers.get(key) is None
        ]

    def validate(
        self, submitted: Mapping[str, Any], plain: bool = False
    ) -> tuple[dict[str, Answer | None], dict[str, str]]:
        """Check every submitted answer; ``None`` clears one. Returns (clean, errors).

        ``plain``: errors name answers by their labels, for a page (a program gets the keys).
        """
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
            answer, error = check_answer(question, value, plain)
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


def check_answer(question: Question, value: Any, plain: bool = False) -> tuple[Answer | None, str | None]:
    allowed = option_keys(question)
    labels = ", ".join(allowed)
    if question.kind == "multi":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None, "This question takes a list of answers."
        if not value:
            return None, "Choose at least one answer, or clear the question."
        unknown = [v for v in value if v not in allowed]
        if unknown:
            return None, _not_offered(unknown[0], labels, plain)
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
        return None, _not_offered(value, labels, plain)
    return value, None


def _not_offered(value: str, labels: str, plain: bool) -> str:
    # A page's options are in front of the client (only a changed form sends another): no keys.
    return "Choose one of the answers shown." if plain else f"{value!r} is not one of the answers ({labels})."
