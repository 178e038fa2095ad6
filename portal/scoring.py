"""Scoring: rank the frameworks for one set of answers and explain the ranking (DESIGN 5).

Pure and deterministic: no I/O, no request, no Pyramid. The input is a
:class:`Model`, built once per configuration (:func:`model_from_catalog`, or
:meth:`Model.from_json` from a revision's snapshot), and the client's answers;
the output is a :class:`Result` whose :meth:`Result.to_json` is the result
shape of DESIGN 7.

For framework ``f`` and criterion ``c`` with weight ``w``, need ``n`` and
rating ``r``: ``S_f = 100 · Σ w n r / (5 · Σ w n)``. Every framework shares
the denominator, so comparing two frameworks only needs their numerators:
that is what makes weight sensitivity a linear inequality and lets the
what-if analysis re-score one changed answer in O(frameworks) instead of
re-scoring everything.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:  # the catalog module imports Pyramid; scoring itself never does
    from .plugins import Catalog

UNSURE = "unsure"  # the option key of "Not sure" on questions that allow it
UNSURE_LABEL = "Not sure"
UNRATED_SCORE = 2.5  # an unrated pair counts as the middle of the scale (DESIGN 5)
MUST_MINIMUM = 2.0  # a must-have is met by a rating of at least this

# Scores closer than this (in score points) are equal: the tie is broken by
# slug. Incremental re-scoring adds the same terms in another order than a
# full one, and float rounding must not decide a tie differently.
TIE_TOLERANCE = 1e-9

# Confidence. Margin: the winner's lead over the runner-up, in score points.
HIGH_MARGIN = 10.0
MEDIUM_MARGIN = 4.0
# Share of the weighed need (Σ w·n) on criteria where the winner or the
# runner-up is unrated: above the first the comparison is mostly guesswork.
LOW_UNRATED_SHARE = 0.25
MEDIUM_UNRATED_SHARE = 0.10
# "Not sure" answers: each one stands in for a need the client could not state.
MEDIUM_UNSURE = 3
LOW_UNSURE = 6

SENSITIVITY_LIMIT = 5  # weight changes shown
WHAT_IF_LIMIT = 10  # answer changes shown
PAIR_CHALLENGERS = 5  # runners-up whose best changes are combined in pairs
PAIR_CANDIDATES = 5  # best single changes per challenger tried in pairs

Answer = str | tuple[str, ...]  # as hooks and results see it: an option key, or a multi question's keys
RatingSource = Literal["profile", "criterion", "hook", "unrated"]
Level = Literal["high", "medium", "low"]
LEVELS: tuple[Level, ...] = ("low", "medium", "high")  # the lowest factor sets the confidence
NeedHook = Callable[[Mapping[str, Answer]], Any]
FitHook = Callable[[Any, Mapping[str, Answer]], Any]


class HookError(ValueError):
    """A criterion's need or fit hook returned something out of range; names the plugin."""


# --- The model: what the configuration says, frozen ------------------------------------------


@dataclass(frozen=True)
class Option:
    key: str
    label: str
    need: float
    must: bool = False


@dataclass(frozen=True)
class Condition:
    """Skip logic: show a question only when ``question`` (earlier, same criterion) got one of ``allowed``."""

    question: str
    allowed: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    key: str
    criterion: str
    text: str
    kind: str  # single | multi | boolean | scale
    options: tuple[Option, ...]
    allow_unsure: bool = False
    condition: Condition | None = None

    @cached_property
    def choices(self) -> tuple[str, ...]:
        """Every answerable key, in order: the options, then "Not sure" where allowed."""
        keys = tuple(option.key for option in self.options)
        return (*keys, UNSURE) if self.allow_unsure else keys

    @cached_property
    def _options(self) -> Mapping[str, Option]:
        return {option.key: option for option in self.options}

    @cached_property
    def unsure_need(self) -> float:
        """The mean need of the options: what "Not sure" counts as."""
        return sum(option.need for option in self.options) / len(self.options) if self.options else 0.0

    def need_of(self, key: str) -> float:
        return self.unsure_need if key == UNSURE else self._options[key].need

    def is_must(self, key: str) -> bool:
        option = self._options.get(key)
        return option is not None and option.must

    def label_of(self, key: str) -> str:
        return UNSURE_LABEL if key == UNSURE else self._options[key].label

    def to_json(self) -> dict[str, Any]:
        condition = self.condition
        return {
            "key": self.key,
            "text": self.text,
            "kind": self.kind,
            "allow_unsure": self.allow_unsure,
            "condition": None
            if condition is None
            else {"question": condition.question, "in": list(condition.allowed)},
            "options": [
                {"key": o.key, "label": o.label, "need": o.need, "must": o.must} for o in self.options
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], criterion: str) -> Question:
        condition = data.get("condition")
        return cls(
            key=data["key"],
            criterion=criterion,
            text=data["text"],
            kind=data["kind"],
            options=tuple(
                Option(o["key"], o["label"], o["need"], o.get("must", False)) for o in data["options"]
            ),
            allow_unsure=data.get("allow_unsure", False),
            condition=None if condition is None else Condition(condition["question"], tuple(condition["in"])),
        )


@dataclass(frozen=True)
class Criterion:
    key: str
    title: str
    weight: float
    questions: tuple[Question, ...]
    rated_by: str = "profiles"
    origin: str = ""  # the plugin's distribution, named when a hook misbehaves
    # Hooks exist only in a model built from the catalog: a snapshot already
    # holds the needs and ratings they produced.
    need_hook: NeedHook | None = field(default=None, compare=False, repr=False)
    fit_hook: FitHook | None = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "weight": self.weight,
            "rated_by": self.rated_by,
            "origin": self.origin,
            "questions": [question.to_json() for question in self.questions],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Criterion:
        key = data["key"]
        return cls(
            key=key,
            title=data["title"],
            weight=data["weight"],
            questions=tuple(Question.from_json(q, key) for q in data["questions"]),
            rated_by=data.get("rated_by", "profiles"),
            origin=data.get("origin", ""),
        )


@dataclass(frozen=True)
class Framework:
    slug: str
    title: str
    profile: Any = field(default=None, compare=False, repr=False)  # what fit hooks receive


@dataclass(frozen=True)
class StoredRating:
    score: float
    rationale: str
    source: RatingSource


UNRATED = StoredRating(UNRATED_SCORE, "", "unrated")


class _Column(NamedTuple):
    """Every framework's stored rating on one criterion, in framework order."""

    scores: tuple[float, ...]
    sources: tuple[RatingSource, ...]
    rationales: tuple[str, ...]
    weak: frozenset[int]  # frameworks that fail a must-have here: rated below 2 or unrated


@dataclass(frozen=True)
class Model:
    """Frameworks, criteria with their questions, and stored ratings, in questionnaire order.

    ``ratings`` maps criterion key → framework slug → rating; a missing pair
    is unrated.
    """

    frameworks: tuple[Framework, ...]
    criteria: tuple[Criterion, ...]
    ratings: Mapping[str, Mapping[str, StoredRating]]

    def rating(self, slug: str, criterion: str) -> StoredRating:
        return self.ratings.get(criterion, {}).get(slug, UNRATED)

    @cached_property
    def questions(self) -> Mapping[str, Question]:
        """Every question by key, in questionnaire order."""
        return {q.key: q for c in self.criteria for q in c.questions}

    def position(self, question: str) -> int:
        """A question's place in the questionnaire: what-if ties follow it."""
        return self._positions[question]

    def criterion(self, key: str) -> Criterion:
        return self.criteria[self._criterion_index[key]]

    def framework(self, slug: str) -> Framework:
        return self.frameworks[self._framework_index[slug]]

    @cached_property
    def _positions(self) -> Mapping[str, int]:
        return {key: i for i, key in enumerate(self.questions)}

    @cached_property
    def _criterion_index(self) -> Mapping[str, int]:
        return {c.key: i for i, c in enumerate(self.criteria)}

    @cached_property
    def _framework_index(self) -> Mapping[str, int]:
        return {f.slug: i for i, f in enumerate(self.frameworks)}

    @cached_property
    def _slug_order(self) -> tuple[int, ...]:
        """Framework indices by slug: scanning in this order breaks ties by slug."""
        return tuple(sorted(range(len(self.frameworks)), key=lambda i: self.frameworks[i].slug))

    @cached_property
    def _columns(self) -> tuple[_Column, ...]:
        columns = []
        for criterion in self.criteria:
            stored = [self.rating(f.slug, criterion.key) for f in self.frameworks]
            columns.append(
                _Column(
                    scores=tuple(r.score for r in stored),
                    sources=tuple(r.source for r in stored),
                    rationales=tuple(r.rationale for r in stored),
                    weak=frozenset(i for i, r in enumerate(stored) if _fails_must(r.score, r.source)),
                )
            )
        return tuple(columns)

    def to_json(self) -> dict[str, Any]:
        """A plain snapshot of the model; hooks and profiles are not part of it."""
        return {
            "frameworks": [{"slug": f.slug, "title": f.title} for f in self.frameworks],
            "criteria": [criterion.to_json() for criterion in self.criteria],
            "ratings": {
                key: {
                    slug: {"score": r.score, "rationale": r.rationale, "source": r.source}
                    for slug, r in by.items()
                }
                for key, by in self.ratings.items()
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Model:
        return cls(
            frameworks=tuple(Framework(f["slug"], f["title"]) for f in data["frameworks"]),
            criteria=tuple(Criterion.from_json(c) for c in data["criteria"]),
            ratings={
                key: {slug: StoredRating(r["score"], r["rationale"], r["source"]) for slug, r in by.items()}
                for key, by in data["ratings"].items()
            },
        )


def model_from_catalog(catalog: Catalog) -> Model:
    """The model of a sealed :class:`portal.plugins.Catalog`, with its hooks and profiles."""
    frameworks = tuple(Framework(f.slug, f.title, f.profile) for f in catalog.frameworks.values())
    criteria = tuple(
        Criterion(
            key=c.key,
            title=c.title,
            weight=c.weight,
            questions=tuple(_question_from_schema(q, c.key) for q in c.questions),
            rated_by=c.definition.rated_by,
            origin=c.source.distribution,
            need_hook=c.need,
            fit_hook=c.fit,
        )
        for c in catalog.criteria.values()
    )
    ratings = {}
    for c in criteria:
        resolved = {f.slug: catalog.rating(f.slug, c.key) for f in frameworks}
        ratings[c.key] = {slug: StoredRating(r.score, r.rationale, r.source) for slug, r in resolved.items()}
    return Model(frameworks, criteria, ratings)


def _question_from_schema(question: Any, criterion: str) -> Question:
    condition = question.condition
    return Question(
        key=question.key,
        criterion=criterion,
        text=question.text,
        kind=question.kind,
        options=tuple(Option(o.key, o.label, o.need, o.must) for o in question.options),
        allow_unsure=question.allow_unsure,
        condition=None if condition is None else Condition(condition.question, tuple(condition.allowed)),
    )


def _fails_must(score: float, source: str) -> bool:
    return score < MUST_MINIMUM or source == "unrated"


# --- One criterion under one set of answers ----------------------------------------------------

Chosen = tuple[str, ...]  # the option keys an answer picks, in option order; () when unanswered


@dataclass(frozen=True)
class CriterionState:
    """What one criterion contributes for given answers: need, ratings and must-have failures."""

    given: Mapping[str, Chosen]  # every answered question of the criterion, hidden ones too
    visible: Mapping[str, Chosen]  # the answered questions skip logic shows: only these count
    need: float
    ratings: tuple[float, ...]  # by framework index
    sources: tuple[RatingSource, ...]
    rationales: tuple[str, ...]
    unmet: frozenset[int]  # frameworks warned here: a must option chosen, weight > 0, rating too low
    unsure: tuple[str, ...]  # visible questions answered "Not sure"


def _assess(model: Model, index: int, given: Mapping[str, Chosen]) -> CriterionState:
    criterion = model.criteria[index]
    visible = _visible(criterion, given)
    shown = _hook_answers(model, criterion, visible)
    need = _hook_need(criterion, shown)
    if need is None:
        need = max((model.questions[q].need_of(k) for q, keys in visible.items() for k in keys), default=0.0)
    column = model._columns[index]
    ratings, sources, rationales, weak = column
    if criterion.fit_hook is not None:
        ratings, sources, rationales = _hook_ratings(model, criterion, criterion.fit_hook, column, shown)
        weak = frozenset(
            i for i, (r, s) in enumerate(zip(ratings, sources, strict=True)) if _fails_must(r, s)
        )
    must = criterion.weight > 0 and any(
        model.questions[q].is_must(k) for q, keys in visible.items() for k in keys
    )
    return CriterionState(
        given=given,
        visible=visible,
        need=need,
        ratings=ratings,
        sources=sources,
        rationales=rationales,
        unmet=weak if must else frozenset(),
        unsure=tuple(q for q, keys in visible.items() if UNSURE in keys),
    )


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


def _visible(criterion: Criterion, given: Mapping[str, Chosen]) -> dict[str, Chosen]:
    """The answered questions skip logic shows, in order."""
    return {key: given[key] for key in shown_keys(criterion.questions, given) if given.get(key)}


_NO_ANSWERS: Mapping[str, Answer] = MappingProxyType({})


def _hook_answers(model: Model, criterion: Criterion, visible: Mapping[str, Chosen]) -> Mapping[str, Answer]:
    """The read-only view of this criterion's visible answers that hooks receive."""
    if criterion.need_hook is None and criterion.fit_hook is None:
        return _NO_ANSWERS
    return MappingProxyType({q: _as_answer(model.questions[q], keys) for q, keys in visible.items()})


def _hook_need(criterion: Criterion, shown: Mapping[str, Answer]) -> float | None:
    if criterion.need_hook is None:
        return None
    value = criterion.need_hook(shown)
    if value is None:
        return None
    if not _is_number(value) or not 0 <= value <= 1:
        raise HookError(
            f"{criterion.origin or 'a plugin'}: the need hook of criterion {criterion.key!r} "
            f"returned {value!r}; a need is a number from 0 to 1"
        )
    return float(value)


def _hook_ratings(
    model: Model, criterion: Criterion, fit: FitHook, column: _Column, shown: Mapping[str, Answer]
) -> tuple[tuple[float, ...], tuple[RatingSource, ...], tuple[str, ...]]:
    """Each framework's rating from the fit hook, or the stored one where it has no opinion."""
    ratings, sources, rationales = list(column.scores), list(column.sources), list(column.rationales)
    for i, framework in enumerate(model.frameworks):
        value = fit(framework.profile, shown)
        if value is None:
            continue
        ratings[i], rationales[i] = _hook_rating(criterion, framework, value)
        sources[i] = "hook"
    return tuple(ratings), tuple(sources), tuple(rationales)


def _hook_rating(criterion: Criterion, framework: Framework, value: Any) -> tuple[float, str]:
    """A fit hook may return a number, or a mapping or object with ``score`` and ``rationale``."""
    if isinstance(value, Mapping):
        score, rationale = value.get("score"), value.get("rationale", "")
    elif _is_number(value):
        score, rationale = value, ""
    else:
        score, rationale = getattr(value, "score", None), getattr(value, "rationale", "")
    if not _is_number(score) or not 0 <= score <= 5 or not isinstance(rationale, str):
        raise HookError(
            f"{criterion.origin or 'a plugin'}: the fit hook of criterion {criterion.key!r} returned "
            f"{value!r} for {framework.slug!r}; a rating is a score from 0 to 5 with optional text"
        )
    return float(score), rationale


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# --- Answers -----------------------------------------------------------------------------------


def _chosen(question: Question, value: Any) -> Chosen:
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


def _as_answer(question: Question, chosen: Chosen) -> Answer | None:
    if question.kind == "multi":
        return chosen if chosen else None
    return chosen[0] if chosen else None


def _given_by_criterion(model: Model, answers: Mapping[str, Any]) -> list[dict[str, Chosen]]:
    given: list[dict[str, Chosen]] = [{} for _ in model.criteria]
    for key, value in answers.items():
        question = model.questions.get(key)
        if question is None:
            continue  # a question that is no longer asked
        chosen = _chosen(question, value)
        if chosen:
            given[model._criterion_index[question.criterion]][key] = chosen
    return given


# --- Full evaluation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """Every criterion's state and the per-framework totals: the base of every analysis."""

    model: Model
    states: tuple[CriterionState, ...]
    numerators: tuple[float, ...]  # Σ w n r per framework
    denominator: float  # Σ w n
    # Criteria with w·n > 0. When changes leave none, nothing is ranked: an
    # exact test, where the incrementally updated sum may keep a float residue.
    weighed_count: int
    unmet_counts: tuple[int, ...]  # how many must-haves each framework fails
    order: tuple[int, ...]  # framework indices, ranked; empty when nothing is ranked

    @property
    def winner(self) -> int | None:
        return self.order[0] if self.order else None

    def score_of(self, index: int) -> float:
        return 20 * self.numerators[index] / self.denominator

    @cached_property
    def eligible(self) -> tuple[int, ...]:
        """Who can rank first, by slug: frameworks with no warning, or all when every one has one."""
        return _eligible(self.model, self.unmet_counts)

    @cached_property
    def uncertain(self) -> tuple[str, ...]:
        return tuple(q for state in self.states for q in state.unsure)


def evaluate(model: Model, answers: Mapping[str, Any]) -> Evaluation:
    """Score every framework from scratch: needs, ratings, totals and the ranking order."""
    states = tuple(_assess(model, i, given) for i, given in enumerate(_given_by_criterion(model, answers)))
    numerators = [0.0] * len(model.frameworks)
    denominator, weighed_count = 0.0, 0
    for criterion, state in zip(model.criteria, states, strict=True):
        weighed = criterion.weight * state.need
        if weighed > 0:
            denominator += weighed
            weighed_count += 1
            numerators = [total + weighed * r for total, r in zip(numerators, state.ratings, strict=True)]
    counts = [0] * len(model.frameworks)
    for state in states:
        for i in state.unmet:
            counts[i] += 1
    order = _rank_order(model, numerators, denominator, counts) if denominator > 0 else ()
    return Evaluation(model, states, tuple(numerators), denominator, weighed_count, tuple(counts), order)


def _eligible(model: Model, unmet_counts: Sequence[int]) -> tuple[int, ...]:
    unwarned = tuple(i for i in model._slug_order if not unmet_counts[i])
    return unwarned or model._slug_order


def _rank_order(
    model: Model, numerators: Sequence[float], denominator: float, unmet_counts: Sequence[int]
) -> tuple[int, ...]:
    """Frameworks without a warning first; within each group by score, near-equal scores by slug."""
    scores = [20 * total / denominator for total in numerators]
    slugs = model._slug_order
    unwarned = [i for i in slugs if not unmet_counts[i]]
    warned = [i for i in slugs if unmet_counts[i]]
    return tuple(_by_score(unwarned, scores) + _by_score(warned, scores))


def _by_score(indices: list[int], scores: Sequence[float]) -> list[int]:
    """Sort ``indices`` (given in slug order) by score.

    Scores within TIE_TOLERANCE of a tie group's best are a tie, kept in slug
    order; exact ties already are, as the sort is stable.
    """
    ordered = sorted(indices, key=lambda i: -scores[i])
    slug_rank = {i: n for n, i in enumerate(indices)}
    result: list[int] = []
    start = 0
    while start < len(ordered):
        end, floor = start + 1, scores[ordered[start]] - TIE_TOLERANCE
        while end < len(ordered) and scores[ordered[end]] >= floor:
            end += 1
        result += sorted(ordered[start:end], key=slug_rank.__getitem__)
        start = end
    return result


def _leader(numerators: Sequence[float], denominator: float, eligible: Sequence[int]) -> int:
    """Who ranks first: the same rule as :func:`_rank_order`, in O(frameworks) without sorting."""
    best = max(numerators) if len(eligible) == len(numerators) else max(map(numerators.__getitem__, eligible))
    slack = TIE_TOLERANCE * denominator / 20  # TIE_TOLERANCE in numerator units
    return next(i for i in eligible if numerators[i] >= best - slack)


# --- The result --------------------------------------------------------------------------------

# Records created per framework and criterion are named tuples: several times
# cheaper to build than dataclasses, which matters for large catalogs.


class Contribution(NamedTuple):
    criterion: str
    need: float
    weight: float
    rating: float
    source: RatingSource
    points: float  # w · n · r
    share: float  # of the framework's Σ w n r


class Reason(NamedTuple):
    criterion: str
    rationale: str
    points: float


class WhyNot(NamedTuple):
    criterion: str
    winner_rating: float
    rating: float
    points_lost: float  # w · n · (r_winner - r)


@dataclass(frozen=True)
class Ranked:
    framework: str
    title: str
    score: float
    rank: int
    warnings: tuple[str, ...]
    contributions: tuple[Contribution, ...]
    reasons: tuple[Reason, ...]
    why_not: tuple[WhyNot, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "title": self.title,
            "score": round(self.score, 1),
            "rank": self.rank,
            "warnings": list(self.warnings),
            "contributions": [
                {**c._asdict(), "need": _r(c.need), "points": _r(c.points), "share": _r(c.share)}
                for c in self.contributions
            ],
            "reasons": [{**r._asdict(), "points": _r(r.points)} for r in self.reasons],
            "why_not": [{**w._asdict(), "points_lost": _r(w.points_lost)} for w in self.why_not],
        }


@dataclass(frozen=True)
class Confidence:
    level: Level
    why: str


@dataclass(frozen=True)
class WeightChange:
    """Multiplying ``criterion``'s weight by just past ``factor`` puts ``new_first`` first.

    ``direction`` says which way "past" is; the factor alone cannot when it is
    1, as it is when the winner leads only by the slug tie-break.
    """

    criterion: str
    factor: float
    direction: Literal["more", "less"]
    new_first: str

    def to_json(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "factor": round(self.factor, 3),
            "direction": self.direction,
            "new_first": self.new_first,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WeightChange:
        return cls(data["criterion"], data["factor"], data["direction"], data["new_first"])


@dataclass(frozen=True)
class AnswerChange:
    question: str
    before: Answer | None
    after: Answer | None  # None: a multi question left with no option chosen

    def to_json(self) -> dict[str, Any]:
        return {"question": self.question, "from": _jsonable(self.before), "to": _jsonable(self.after)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AnswerChange:
        return cls(data["question"], data["from"], data["to"])


@dataclass(frozen=True)
class WhatIf:
    """Answer changes that put ``new_first`` first.

    ``score_change`` is how far the change moves the new first's standing
    against the current winner, in score points: the smallest changes are the
    narrowest, most plausible turns, and are listed first.
    """

    changes: tuple[AnswerChange, ...]
    new_first: str
    score: float  # the new first's score after the changes
    score_change: float

    def to_json(self) -> dict[str, Any]:
        outcome = {
            "new_first": self.new_first,
            "score": round(self.score, 1),
            "score_change": round(self.score_change, 1),
        }
        if len(self.changes) == 1:
            return {**self.changes[0].to_json(), **outcome}
        return {"changes": [change.to_json() for change in self.changes], **outcome}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WhatIf:
        changes = tuple(AnswerChange.from_json(c) for c in data.get("changes") or [data])
        return cls(changes, data["new_first"], data["score"], data["score_change"])


@dataclass(frozen=True)
class Result:
    ranking: tuple[Ranked, ...]
    confidence: Confidence
    sensitivity: tuple[WeightChange, ...]
    what_if: tuple[WhatIf, ...]
    uncertain: tuple[str, ...]  # questions answered "Not sure"
    no_preference: bool  # no answer expressed a need: nothing is ranked

    def to_json(self) -> dict[str, Any]:
        """DESIGN 7's result without ``revision`` and ``snapshot``, which the caller adds."""
        return {
            "ranking": [entry.to_json() for entry in self.ranking],
            "confidence": {"level": self.confidence.level, "why": self.confidence.why},
            "sensitivity": [entry.to_json() for entry in self.sensitivity],
            "what_if": [entry.to_json() for entry in self.what_if],
            "uncertain": list(self.uncertain),
            "no_preference": self.no_preference,
        }


def _r(value: float) -> float:
    """JSON rounding for points, needs and shares."""
    return round(value, 3)


def _jsonable(answer: Answer | None) -> str | list[str] | None:
    return list(answer) if isinstance(answer, tuple) else answer


def score(model: Model, answers: Mapping[str, Any]) -> Result:
    """Rank and explain: the whole of DESIGN 5 for one set of answers."""
    evaluation = evaluate(model, answers)
    return Result(
        ranking=_ranking(evaluation),
        confidence=confidence(evaluation),
        sensitivity=weight_sensitivity(evaluation),
        what_if=what_if(evaluation),
        uncertain=evaluation.uncertain,
        no_preference=evaluation.denominator == 0,
    )


def _ranking(evaluation: Evaluation) -> tuple[Ranked, ...]:
    model, winner = evaluation.model, evaluation.winner
    table = _Table(evaluation)
    ranking = []
    for rank, i in enumerate(evaluation.order, start=1):
        contributions = table.contributions(i, evaluation.numerators[i])
        ranking.append(
            Ranked(
                framework=model.frameworks[i].slug,
                title=model.frameworks[i].title,
                score=evaluation.score_of(i),
                rank=rank,
                warnings=_warnings(evaluation, i) if evaluation.unmet_counts[i] else (),
                contributions=contributions,
                reasons=table.reasons(i, contributions),
                why_not=() if winner is None or i == winner else table.why_not(winner, i),
            )
        )
    return tuple(ranking)


class _Table:
    """The criteria the answers give a need, as columns; each framework's explanation is read off them."""

    def __init__(self, evaluation: Evaluation):
        active = [
            (criterion, state)
            for criterion, state in zip(evaluation.model.criteria, evaluation.states, strict=True)
            if state.need > 0
        ]
        self.keys = [criterion.key for criterion, _ in active]
        self.needs = [state.need for _, state in active]
        self.weights = [criterion.weight for criterion, _ in active]
        self.weighed = [criterion.weight * state.need for criterion, state in active]
        self.states = [state for _, state in active]

    def ratings(self, i: int) -> list[float]:
        return [state.ratings[i] for state in self.states]

    def contributions(self, i: int, total: float) -> tuple[Contribution, ...]:
        """Framework ``i``'s points per criterion; they add up to its numerator ``total``."""
        ratings = self.ratings(i)
        points = [weighed * rating for weighed, rating in zip(self.weighed, ratings, strict=True)]
        shares = [p / total for p in points] if total > 0 else [0.0] * len(points)
        sources = [state.sources[i] for state in self.states]
        return tuple(map(Contribution, self.keys, self.needs, self.weights, ratings, sources, points, shares))

    def reasons(self, i: int, contributions: Sequence[Contribution]) -> tuple[Reason, ...]:
        """The three contributions that weigh most, with the rationale of each rating."""
        top = _largest([c.points for c in contributions])
        return tuple(Reason(self.keys[n], self.states[n].rationales[i], contributions[n].points) for n in top)

    def why_not(self, winner: int, i: int) -> tuple[WhyNot, ...]:
        """The three criteria where framework ``i`` loses most weighed points to the winner."""
        best, own = self.ratings(winner), self.ratings(i)
        losses = [w * (b - r) for w, b, r in zip(self.weighed, best, own, strict=True)]
        return tuple(WhyNot(self.keys[n], best[n], own[n], losses[n]) for n in _largest(losses))


def _largest(values: Sequence[float], count: int = 3) -> list[int]:
    """Positions of the ``count`` largest positive values, earlier positions first among equals."""
    top = sorted(range(len(values)), key=values.__getitem__, reverse=True)[:count]  # stable, in C
    return [n for n in top if values[n] > 0]


def _warnings(evaluation: Evaluation, i: int) -> tuple[str, ...]:
    model, framework = evaluation.model, evaluation.model.frameworks[i]
    warnings = []
    for criterion, state in zip(model.criteria, evaluation.states, strict=True):
        if i not in state.unmet:
            continue
        if state.sources[i] == "unrated":
            fault = f"{framework.title} is not rated on it"
        else:
            fault = f"{framework.title} is rated only {state.ratings[i]:g} of 5 on it"
        warnings.append(f"{criterion.title} is a must-have for you, but {fault}.")
    return tuple(warnings)


# --- Confidence --------------------------------------------------------------------------------


def confidence(evaluation: Evaluation) -> Confidence:
    """High, medium or low, with the reasons that set the level."""
    if evaluation.winner is None:
        if evaluation.denominator == 0:
            return Confidence("low", "No answer expressed a preference, so no framework is ranked.")
        return Confidence("low", "No framework is enabled.")
    factors = (_margin_factor(evaluation), _unrated_factor(evaluation), _unsure_factor(evaluation))
    level = min((level for level, _ in factors), key=LEVELS.index)
    return Confidence(level, " ".join(sentence for _, sentence in factors if sentence))


def _margin_factor(evaluation: Evaluation) -> tuple[Level, str]:
    model, winner = evaluation.model, evaluation.order[0]
    first = model.frameworks[winner].title
    if len(evaluation.order) == 1:
        return "high", f"{first} is the only framework enabled."
    runner_up = evaluation.order[1]
    second = model.frameworks[runner_up].title
    if evaluation.unmet_counts[runner_up] and not evaluation.unmet_counts[winner]:
        return "high", f"Only {first} meets every must-have."
    margin = evaluation.score_of(winner) - evaluation.score_of(runner_up)
    if margin >= HIGH_MARGIN:
        return "high", f"{first} leads {second} by {margin:.1f} points."
    level: Level = "medium" if margin >= MEDIUM_MARGIN else "low"
    return level, f"{first} leads {second} by only {margin:.1f} points."


def _unrated_factor(evaluation: Evaluation) -> tuple[Level, str]:
    """The share of the weighed need that rests on an unrated winner or runner-up."""
    pair = evaluation.order[:2]
    resting = sum(
        c.weight * s.need
        for c, s in zip(evaluation.model.criteria, evaluation.states, strict=True)
        if s.need > 0 and any(s.sources[i] == "unrated" for i in pair)
    )
    share = resting / evaluation.denominator
    sentence = (
        f"{share:.0%} of what your answers weigh rests on criteria where a leading framework is not rated."
    )
    if share > LOW_UNRATED_SHARE:
        return "low", sentence
    if share > MEDIUM_UNRATED_SHARE:
        return "medium", sentence
    return "high", ""


def _unsure_factor(evaluation: Evaluation) -> tuple[Level, str]:
    count = len(evaluation.uncertain)
    sentence = f"{count} answers were 'Not sure'."
    if count >= LOW_UNSURE:
        return "low", sentence
    if count >= MEDIUM_UNSURE:
        return "medium", sentence
    return "high", ""


# --- Weight sensitivity ------------------------------------------------------------------------


def weight_sensitivity(evaluation: Evaluation) -> tuple[WeightChange, ...]:
    """The smallest changes of one criterion's weight that put another framework first.

    For challenger B and criterion k (A the winner), B overtakes A once
    ``(t-1)·w_k·n_k·(r_Bk - r_Ak) > Σ_c w_c n_c (r_Ac - r_Bc)``: the shared
    denominator cancels, so the threshold is exact. For each criterion and
    direction (up where some challenger leads on k, down where the winner
    does) the earliest threshold over all challengers is reported: just past
    it, that challenger is truly first, as every other one crosses later.
    A factor of 0 is never reported: dropping a criterion also drops its
    must-haves, which this linear rule does not model. Scaling a weight by
    t > 0 changes no warning, so only the winner's warning group competes.
    """
    winner = evaluation.winner
    if winner is None:
        return ()
    model, numerators = evaluation.model, evaluation.numerators
    gaps = {b: max(numerators[winner] - numerators[b], 0.0) for b in evaluation.eligible if b != winner}
    found = []
    for k, (criterion, state) in enumerate(zip(model.criteria, evaluation.states, strict=True)):
        weighed = criterion.weight * state.need
        if weighed <= 0:
            continue
        for direction in (1, -1):
            crossing = _first_crossing(gaps, state.ratings, state.ratings[winner], direction)
            if crossing is None:
                continue
            ratio, challenger = crossing
            factor = 1 + direction * ratio / weighed
            if factor > 1e-9:  # not 0 give or take float noise
                way = "more" if direction > 0 else "less"
                change = WeightChange(criterion.key, factor, way, model.frameworks[challenger].slug)
                found.append((abs(math.log(factor)), k, -direction, change))
    found.sort(key=lambda item: item[:3])
    return tuple(change for *_, change in found[:SENSITIVITY_LIMIT])


def _first_crossing(
    gaps: Mapping[int, float], ratings: Sequence[float], lead: float, direction: int
) -> tuple[float, int] | None:
    """The smallest gap / rating difference among challengers on the given side, and who it is.

    Challengers crossing at the same point are told apart by what happens
    just past it: the steeper one (larger rating difference) leads, then slug.
    """
    ratios = [
        (gap / abs(ratings[b] - lead), b) for b, gap in gaps.items() if direction * (ratings[b] - lead) > 0
    ]
    if not ratios:
        return None
    smallest = min(ratio for ratio, _ in ratios)
    tied = [b for ratio, b in ratios if math.isclose(ratio, smallest, rel_tol=1e-9, abs_tol=1e-12)]
    return smallest, max(tied, key=lambda b: direction * ratings[b])  # max keeps the first (slug) on ties


# --- What would change the answer --------------------------------------------------------------


class Outcome(NamedTuple):
    """The totals after some answer changes, and who would rank first (None: nothing ranked)."""

    numerators: Sequence[float]
    denominator: float
    leader: int | None

    def score_of(self, index: int) -> float:
        return 20 * self.numerators[index] / self.denominator


def alternatives(evaluation: Evaluation) -> Iterator[AnswerChange]:
    """Every single change of one visible answer, in questionnaire order.

    A single-choice question may take each other option, or "Not sure" where
    allowed; a multi question may add or remove one option ("Not sure" stands
    alone, as the questionnaire requires).
    """
    model = evaluation.model
    for state in evaluation.states:
        for key, chosen in state.visible.items():
            question = model.questions[key]
            before = _as_answer(question, chosen)
            for after in _other_answers(question, chosen):
                yield AnswerChange(key, before, _as_answer(question, after))


def _other_answers(question: Question, chosen: Chosen) -> Iterator[Chosen]:
    if question.kind != "multi":
        yield from ((key,) for key in question.choices if (key,) != chosen)
        return
    for option in question.options:
        if chosen == (UNSURE,):
            yield (option.key,)
        else:
            yield tuple(k for k in question.choices if (k in chosen) != (k == option.key))
    if question.allow_unsure and chosen != (UNSURE,):
        yield (UNSURE,)


def rescore(evaluation: Evaluation, changes: Sequence[AnswerChange]) -> Outcome:
    """The outcome of changing some answers, re-scored incrementally.

    Only the criteria the changes touch are re-assessed (conditions never
    cross criteria); each framework's total then moves by that criterion's
    new term minus its old one.
    """
    return _outcome(evaluation, _changed_states(evaluation, changes))


def _changed_states(evaluation: Evaluation, changes: Sequence[AnswerChange]) -> dict[int, CriterionState]:
    model = evaluation.model
    given: dict[int, dict[str, Chosen]] = {}
    for change in changes:
        question = model.questions[change.question]
        k = model._criterion_index[question.criterion]
        answers = given.setdefault(k, dict(evaluation.states[k].given))
        answers[change.question] = _chosen(question, change.after)
    return {k: _assess(model, k, {q: c for q, c in answers.items() if c}) for k, answers in given.items()}


def _outcome(evaluation: Evaluation, changed: Mapping[int, CriterionState]) -> Outcome:
    model = evaluation.model
    numerators: Sequence[float] = evaluation.numerators
    denominator, weighed_count = evaluation.denominator, evaluation.weighed_count
    counts: list[int] | None = None
    for k, new in changed.items():
        old, weight = evaluation.states[k], model.criteria[k].weight
        denominator += weight * (new.need - old.need)
        weighed_count += (weight * new.need > 0) - (weight * old.need > 0)
        if new.ratings is old.ratings:  # no fit hook: only the need moves
            step = weight * (new.need - old.need)
            if step:
                numerators = [total + step * r for total, r in zip(numerators, new.ratings, strict=True)]
        else:
            now, before = weight * new.need, weight * old.need
            numerators = [
                total + now * r - before * r0
                for total, r, r0 in zip(numerators, new.ratings, old.ratings, strict=True)
            ]
        if new.unmet != old.unmet:
            counts = counts or list(evaluation.unmet_counts)
            for i in old.unmet:
                counts[i] -= 1
            for i in new.unmet:
                counts[i] += 1
    if not weighed_count or not numerators:
        return Outcome(numerators, 0.0, None)
    eligible = evaluation.eligible if counts is None else _eligible(model, counts)
    return Outcome(numerators, denominator, _leader(numerators, denominator, eligible))


def what_if(evaluation: Evaluation) -> tuple[WhatIf, ...]:
    """Answer changes that put another framework first, the narrowest first.

    Single changes first; pairs only when no single change flips, from each
    close challenger's best single changes (a bounded search).
    """
    winner = evaluation.winner
    if winner is None:
        return ()
    singles = list(_effective_changes(evaluation))
    outcomes = (_flip(evaluation, (single.change,), {single.criterion: single.state}) for single in singles)
    flips = [flip for flip in outcomes if flip is not None]
    if not flips:
        flips = _pair_flips(evaluation, winner, singles)
    model = evaluation.model
    # Rounded, so that changes equal but for float noise fall back to questionnaire order.
    flips.sort(key=lambda f: (round(f.score_change, 9), [model.position(c.question) for c in f.changes]))
    return tuple(flips[:WHAT_IF_LIMIT])


class _Single(NamedTuple):
    """One answer change, with the state of the criterion it changes."""

    change: AnswerChange
    criterion: int
    state: CriterionState


def _effective_changes(evaluation: Evaluation) -> Iterator[_Single]:
    """Single changes with their new criterion state, leaving out those that change nothing."""
    for change in alternatives(evaluation):
        ((k, new),) = _changed_states(evaluation, (change,)).items()
        old = evaluation.states[k]
        if new.need != old.need or new.ratings != old.ratings or new.unmet != old.unmet:
            yield _Single(change, k, new)


def _flip(
    evaluation: Evaluation, changes: tuple[AnswerChange, ...], changed: Mapping[int, CriterionState]
) -> WhatIf | None:
    outcome = _outcome(evaluation, changed)
    leader, winner = outcome.leader, evaluation.winner
    if leader is None or leader == winner:
        return None
    lead_before = evaluation.score_of(leader) - evaluation.score_of(winner)
    lead_after = outcome.score_of(leader) - outcome.score_of(winner)
    slug = evaluation.model.frameworks[leader].slug
    return WhatIf(changes, slug, outcome.score_of(leader), lead_after - lead_before)


def _pair_flips(evaluation: Evaluation, winner: int, singles: Sequence[_Single]) -> list[WhatIf]:
    """Pairs among each close challenger's best single changes, on different questions."""
    pairs: set[tuple[int, int]] = set()
    for challenger in evaluation.order[1 : 1 + PAIR_CHALLENGERS]:
        gains = [(_lead_gain(evaluation, single, challenger, winner), n) for n, single in enumerate(singles)]
        best = sorted(n for gain, n in heapq.nlargest(PAIR_CANDIDATES, gains) if gain > 0)
        pairs.update(
            (x, y)
            for x, y in combinations(best, 2)
            if singles[x].change.question != singles[y].change.question
        )
    flips = []
    for x, y in sorted(pairs):
        first, second = singles[x], singles[y]
        changes = (first.change, second.change)
        if first.criterion != second.criterion:
            changed = {first.criterion: first.state, second.criterion: second.state}
        else:  # two changes on one criterion interact (need is a maximum, skip logic): re-assess with both
            changed = _changed_states(evaluation, changes)
        flip = _flip(evaluation, changes, changed)
        if flip is not None:
            flips.append(flip)
    return flips


def _lead_gain(evaluation: Evaluation, single: _Single, challenger: int, winner: int) -> float:
    """How many score points one change moves the challenger towards the winner, in O(1)."""
    new, old = single.state, evaluation.states[single.criterion]
    weight = evaluation.model.criteria[single.criterion].weight
    denominator = evaluation.denominator + weight * (new.need - old.need)
    if denominator <= 0:  # the change leaves no need at all: nothing would rank
        return -math.inf
    numerators = [
        evaluation.numerators[i] + weight * (new.need * new.ratings[i] - old.need * old.ratings[i])
        for i in (challenger, winner)
    ]
    lead_after = 20 * (numerators[0] - numerators[1]) / denominator
    return lead_after - (evaluation.score_of(challenger) - evaluation.score_of(winner))


# --- Plain-language sentences ------------------------------------------------------------------


def describe_sensitivity(entry: WeightChange, model: Model) -> str:
    """E.g. "If real-time features mattered 2.3× more, Tornado would rank first." """
    title = _in_sentence(model.criterion(entry.criterion).title)
    winner = model.framework(entry.new_first).title
    factor = f"{entry.factor:.3g}"
    if factor == "1":
        return f"If {title} mattered even slightly {entry.direction}, {winner} would rank first."
    if entry.direction == "more":
        return f"If {title} mattered {factor}× more, {winner} would rank first."
    return f"If {title} mattered only {factor}× as much, {winner} would rank first."


def describe_what_if(entry: WhatIf, model: Model) -> str:
    """E.g. "With 'Yes, it is the heart of the product' on 'Will clients …?', Tornado would rank first." """
    changes = " and ".join(_describe_change(change, model) for change in entry.changes)
    return f"{changes[0].upper()}{changes[1:]}, {model.framework(entry.new_first).title} would rank first."


def _describe_change(change: AnswerChange, model: Model) -> str:
    question = model.questions[change.question]
    before, after = _chosen(question, change.before), _chosen(question, change.after)
    if question.kind != "multi":
        return f"with '{question.label_of(after[0])}' on '{question.text}'"
    added = [key for key in after if key not in before]
    if added:
        return f"with '{question.label_of(added[0])}' chosen on '{question.text}'"
    removed = next(key for key in before if key not in after)
    return f"without '{question.label_of(removed)}' on '{question.text}'"


def _in_sentence(title: str) -> str:
    """Lower-case a title's first letter inside a sentence, unless it starts an acronym ("API")."""
    if len(title) > 1 and title[1].islower():
        return title[0].lower() + title[1:]
    return title
