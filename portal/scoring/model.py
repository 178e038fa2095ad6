"""The one model of the advice: questions, criteria, frameworks, ratings and golden cases.

The same types validate the plugin files (``portal.plugins`` reads TOML into
them) and feed the scoring, and a revision's snapshot stores them. Pydantic checks
each field's type and range and forbids unknown fields (a typo must not pass
silently); scalars are strict, so TOML's ``"5"`` is not a score. Checks that span
several fields live in ``portal.plugins.schema.cross_check``.

:class:`Model` is what the scoring reads: the enabled frameworks and criteria in
questionnaire order, each pair's stored rating, frozen for one configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator, model_validator

UNSURE = "unsure"  # the option key of "Not sure" on questions that allow it
UNSURE_LABEL = "Not sure"
PRIORITIES = "portal.priorities"  # the core question: what matters most (DESIGN 5)
PRIORITIES_MAX = 3

SLUG_PATTERN = r"^[a-z][a-z0-9_]*$"
OPTION_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
KIND_PATTERN = r"^[a-z][a-z0-9-]*$"
QUESTION_PATTERN = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"

Slug = Annotated[str, Strict(), Field(pattern=SLUG_PATTERN, max_length=40)]
OptionKey = Annotated[str, Strict(), Field(pattern=OPTION_PATTERN, max_length=40)]
QuestionKey = Annotated[str, Strict(), Field(min_length=1, max_length=90)]
Line = Annotated[str, Strict(), Field(min_length=1, max_length=200)]
Paragraph = Annotated[str, Strict(), Field(min_length=1, max_length=4000)]
OptionalText = Annotated[str, Strict(), Field(max_length=4000)]
Url = Annotated[str, Strict(), Field(pattern=r"^https?://\S+$", max_length=500)]
Score = Annotated[float, Strict(), Field(ge=0, le=5, allow_inf_nan=False)]
Need = Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]
Factor = Annotated[float, Strict(), Field(ge=0, le=4, allow_inf_nan=False)]
Flag = Annotated[bool, Strict()]

QUESTION_KINDS = ("single", "multi", "boolean", "scale")
RatingSource = Literal["profile", "criterion", "hook", "unrated"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _freeze_mapping(model: BaseModel, name: str) -> None:
    # Frozen models still hold mutable dicts; a read-only view keeps the
    # registry immutable after start-up.
    object.__setattr__(model, name, MappingProxyType(dict(getattr(model, name))))


# --- Questions -------------------------------------------------------------------------------


class Option(_Frozen):
    """One answer to a question.

    A question without a condition gives its criterion a ``need`` (0..1). A
    follow-up refines the need of the question it follows: its options carry a
    ``factor`` (a multiplier, default 1); a follow-up option written with a
    ``need`` instead, as before factors existed, counts as factor ``0.5 + need``.
    """

    key: OptionKey
    label: Line
    need: Need | None = None
    factor: Factor | None = None
    must: Flag = False
    help: OptionalText = ""

    @property
    def need_value(self) -> float:
        return self.need if self.need is not None else 0.0

    @property
    def factor_value(self) -> float:
        if self.factor is not None:
            return self.factor
        return 0.5 + self.need if self.need is not None else 1.0


class Condition(_Frozen):
    """Skip logic, and the condition of a ``when`` clause or a next step: a question got one of these."""

    question: QuestionKey
    # Written ``in`` in TOML and JSON; ``allowed`` in Python.
    allowed: tuple[OptionKey, ...] = Field(alias="in", min_length=1)


class Question(_Frozen):
    key: Annotated[str, Strict(), Field(pattern=QUESTION_PATTERN)]
    text: Annotated[str, Strict(), Field(min_length=1, max_length=500)]
    help: OptionalText = ""
    kind: Literal["single", "multi", "boolean", "scale"]
    required: Flag = False
    allow_unsure: Flag = False
    # Options form a scale (neighbours are the plausible small changes) unless this says not.
    ordered: Flag = True
    condition: Condition | None = None
    options: tuple[Option, ...] = ()
    options_from: Literal["frameworks"] | None = None
    option_need: Need = 0.0
    # A multi question may limit how many options one answer picks.
    max_choices: Annotated[int, Strict(), Field(ge=1, le=100)] | None = None

    @cached_property
    def choices(self) -> tuple[str, ...]:
        """Every answerable key, in order: the options, then "Not sure" where allowed."""
        keys = tuple(option.key for option in self.options)
        return (*keys, UNSURE) if self.allow_unsure else keys

    @cached_property
    def by_key(self) -> Mapping[str, Option]:
        return MappingProxyType({option.key: option for option in self.options})

    @cached_property
    def unsure_need(self) -> float:
        """What "Not sure" counts as: the mean need of the options."""
        return sum(o.need_value for o in self.options) / len(self.options) if self.options else 0.0

    @cached_property
    def unsure_factor(self) -> float:
        return sum(o.factor_value for o in self.options) / len(self.options) if self.options else 1.0

    def with_options(self, options: tuple[Option, ...]) -> Question:
        """A copy offering ``options`` (built anew: ``model_copy`` would keep the cached lookups)."""
        fields = {name: getattr(self, name) for name in type(self).model_fields}
        return type(self)(**{**fields, "options": options})

    def need_of(self, key: str) -> float:
        return self.unsure_need if key == UNSURE else self.by_key[key].need_value

    def factor_of(self, key: str) -> float:
        return self.unsure_factor if key == UNSURE else self.by_key[key].factor_value

    def is_must(self, key: str) -> bool:
        option = self.by_key.get(key)
        return option is not None and option.must

    def label_of(self, key: str) -> str:
        return UNSURE_LABEL if key == UNSURE else self.by_key[key].label


# --- Ratings, next steps, golden cases ----------------------------------------------------------


class When(_Frozen):
    """A rating that replaces the general one when a question got one of ``in``."""

    question: QuestionKey
    allowed: tuple[OptionKey, ...] = Field(alias="in", min_length=1)
    score: Score
    rationale: Paragraph
    caveat: OptionalText = ""


class Rating(_Frozen):
    """How well one framework fits one criterion, on that criterion's rubric.

    ``caveat`` says what a client choosing it should know (shown with reasons when
    the score is below 5); ``when`` clauses adapt the rating to the answers: the
    first that matches replaces score, rationale and caveat.
    """

    score: Score
    rationale: Paragraph
    evidence: tuple[Url, ...] = ()
    caveat: OptionalText = ""
    when: tuple[When, ...] = ()


class NextStep(_Frozen):
    """A next step shown only when a question got one of ``in``."""

    text: Line
    question: QuestionKey
    allowed: tuple[OptionKey, ...] = Field(alias="in", min_length=1)


AnswerValue = Annotated[str, Strict(), Field(min_length=1, max_length=90)]


class Golden(_Frozen):
    """A client brief with its answers and the framework a consultant would recommend first."""

    name: Line
    brief: Paragraph
    answers: dict[QuestionKey, AnswerValue | tuple[AnswerValue, ...]]
    first: Slug
    second: Slug | None = None
    why: OptionalText = ""

    @model_validator(mode="after")
    def _freeze(self) -> Golden:
        _freeze_mapping(self, "answers")
        return self

    def plain_answers(self) -> dict[str, Any]:
        return {
            key: list(value) if isinstance(value, tuple) else value for key, value in self.answers.items()
        }


# --- The plugin files -------------------------------------------------------------------------


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
    next_steps: tuple[Line | NextStep, ...] = ()
    ratings: dict[Slug, Rating] = {}
    golden: tuple[Golden, ...] = ()

    @model_validator(mode="after")
    def _freeze(self) -> FrameworkProfile:
        _freeze_mapping(self, "ratings")
        return self


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
    # Criteria that measure one underlying quality share a group: together they count
    # no more than the one that matters most to the client (see portal.scoring.ranking).
    group: Slug | None = None
    questions: tuple[Question, ...] = Field(min_length=1)
    ratings: dict[Slug, Rating] = {}
    golden: tuple[Golden, ...] = ()

    @field_validator("default_weight")
    @classmethod
    def _finite(cls, value: float) -> float:
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("must be a finite number")
        return value

    @model_validator(mode="after")
    def _freeze(self) -> CriterionDefinition:
        _freeze_mapping(self, "ratings")
        return self

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)


# --- What the scoring reads --------------------------------------------------------------------

NeedHook = Callable[[Mapping[str, Any]], Any]
FitHook = Callable[[Any, Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Criterion:
    """An enabled criterion as scored: its questions as asked, its effective weight."""

    key: str
    title: str
    weight: float
    questions: tuple[Question, ...]
    rated_by: str = "profiles"
    group: str | None = None
    origin: str = ""  # the plugin's distribution, named when a hook misbehaves
    # Hooks exist only in a model built from the catalog: a snapshot already
    # holds the needs and ratings they produced.
    need_hook: NeedHook | None = field(default=None, compare=False, repr=False)
    fit_hook: FitHook | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Framework:
    slug: str
    title: str
    next_steps: tuple[str | NextStep, ...] = ()
    profile: Any = field(default=None, compare=False, repr=False)  # what fit hooks receive


@dataclass(frozen=True)
class StoredRating:
    """A framework's rating on a criterion before the answers apply (``when`` clauses pending)."""

    rating: Rating | None  # None: unrated
    source: RatingSource


UNRATED = StoredRating(None, "unrated")


@dataclass(frozen=True)
class Model:
    """Frameworks, criteria with their questions, and stored ratings, in questionnaire order.

    ``ratings`` maps criterion key → framework slug → stored rating; a missing
    pair is unrated.
    """

    frameworks: tuple[Framework, ...]
    criteria: tuple[Criterion, ...]
    ratings: Mapping[str, Mapping[str, StoredRating]]

    def rating(self, slug: str, criterion: str) -> StoredRating:
        return self.ratings.get(criterion, {}).get(slug, UNRATED)

    @cached_property
    def questions(self) -> Mapping[str, Question]:
        """Every criterion question by key, in questionnaire order."""
        return MappingProxyType({q.key: q for c in self.criteria for q in c.questions})

    @cached_property
    def core_questions(self) -> Mapping[str, Question]:
        """The portal's own questions: what matters most, offered from the enabled criteria."""
        question = priorities_question(self.criteria)
        return MappingProxyType({PRIORITIES: question} if question else {})

    def position(self, question: str) -> int:
        """A question's place in the questionnaire: what-if ties follow it."""
        return self._positions[question]

    def criterion(self, key: str) -> Criterion:
        return self.criteria[self.criterion_index[key]]

    def framework(self, slug: str) -> Framework:
        return self.frameworks[self.framework_index[slug]]

    @cached_property
    def criterion_of(self) -> Mapping[str, int]:
        """Question key → index of its criterion."""
        return MappingProxyType({q.key: i for i, c in enumerate(self.criteria) for q in c.questions})

    @cached_property
    def criterion_index(self) -> Mapping[str, int]:
        return MappingProxyType({c.key: i for i, c in enumerate(self.criteria)})

    @cached_property
    def framework_index(self) -> Mapping[str, int]:
        return MappingProxyType({f.slug: i for i, f in enumerate(self.frameworks)})

    @cached_property
    def _positions(self) -> Mapping[str, int]:
        return MappingProxyType({key: i for i, key in enumerate(self.questions)})

    @cached_property
    def columns(self):
        """Each criterion's stored ratings as columns (``portal.scoring.ratings.Column``)."""
        from .ratings import columns_of

        return columns_of(self)

    @cached_property
    def dependents(self) -> tuple[frozenset[int], ...]:
        """For each criterion, the criteria whose ratings read its answers."""
        from .ratings import dependents

        return dependents(self)

    @cached_property
    def groups(self) -> tuple[tuple[int, ...], ...]:
        """For each criterion, the criteria of its group (itself alone when it has none)."""
        members: dict[str, list[int]] = {}
        for i, criterion in enumerate(self.criteria):
            if criterion.group:
                members.setdefault(criterion.group, []).append(i)
        return tuple(tuple(members[c.group]) if c.group else (i,) for i, c in enumerate(self.criteria))

    @cached_property
    def slug_order(self) -> tuple[int, ...]:
        """Framework indices by slug: scanning in this order breaks ties by slug."""
        return tuple(sorted(range(len(self.frameworks)), key=lambda i: self.frameworks[i].slug))


def priorities_question(criteria: Iterable[Any]) -> Question | None:
    """The core question "what matters most": up to three of the criteria (each with a key and title)."""
    options = tuple(Option(key=c.key, label=c.title) for c in criteria if c.weight > 0)
    if len(options) < 2:
        return None
    return Question(
        key=PRIORITIES,
        text=f"Which of these matter most for your product? Choose up to {PRIORITIES_MAX}.",
        help="A priority counts four times as much as the rest, and the result leads with it. "
        "Only topics your answers give some importance are offered.",
        kind="multi",
        ordered=False,
        options=options,
        max_choices=PRIORITIES_MAX,
    )


def model_from_catalog(
    catalog: Any,
    frameworks: Collection[str] | None = None,
    criteria: Collection[str] | None = None,
    weights: Mapping[str, float] | None = None,
) -> Model:
    """The model of a sealed ``portal.plugins.Catalog``, with its hooks and profiles.

    ``frameworks`` and ``criteria`` narrow it to those names, ``weights`` replace
    the catalog's (``portal check`` runs golden cases on the enabled plugins with
    the default weights).
    """
    chosen_frameworks = [f for f in catalog.frameworks.values() if frameworks is None or f.slug in frameworks]
    chosen_criteria = [c for c in catalog.criteria.values() if criteria is None or c.key in criteria]
    slugs = {f.slug for f in chosen_frameworks}
    model_frameworks = tuple(
        Framework(f.slug, f.title, tuple(f.profile.next_steps), f.profile) for f in chosen_frameworks
    )
    model_criteria = tuple(
        Criterion(
            key=c.key,
            title=c.title,
            weight=c.weight if weights is None else weights.get(c.key, c.weight),
            questions=tuple(_narrowed(q, slugs) for q in c.questions)
            if frameworks is not None
            else c.questions,
            rated_by=c.definition.rated_by,
            group=c.definition.group,
            origin=c.source.distribution,
            need_hook=c.need,
            fit_hook=c.fit,
        )
        for c in chosen_criteria
    )
    ratings = {
        c.key: {f.slug: catalog.rating(f.slug, c.key) for f in model_frameworks} for c in model_criteria
    }
    return Model(model_frameworks, model_criteria, ratings)


def _narrowed(question: Question, slugs: Collection[str]) -> Question:
    """A question whose options are the frameworks, offering only ``slugs``."""
    if question.options_from != "frameworks":
        return question
    return question.with_options(tuple(o for o in question.options if o.key in slugs))
