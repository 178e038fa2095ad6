"""Explanations: what each score is made of, why a framework leads, why the others do not.

- **Contributions**: each criterion's points for a framework (effective weight ×
  rating) and their share of its total; they add up to the score.
- **Reasons** lead with what the client stressed: priorities, then must-haves, then
  the criteria that add the most points; each carries the rationale that applied
  (a ``when`` clause's, where one matched) and, where the rating is below 5, its
  caveat. A criterion the framework is not rated on is never a reason.
- **Why not** lines name where another framework loses most to the winner, what the
  client stressed first.
- **Next steps** of a profile may depend on the answers (``when``-style conditions).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from .model import NextStep
from .ranking import Evaluation
from .ratings import MUST_MINIMUM

REASONS = 3  # reasons by points after the stressed ones
MAX_REASONS = 5
WHY_NOT = 3


# Records created per framework and criterion are named tuples: several times
# cheaper to build than dataclasses, which matters for large catalogs.


class Contribution(NamedTuple):
    criterion: str
    need: float
    weight: float  # after priorities (the group rule shows in points)
    rating: float
    source: str
    points: float  # effective weight · rating
    share: float  # of the framework's total
    priority: bool


class Contributions(Sequence[Contribution]):
    """A framework's contributions, kept as columns and made into rows only when read.

    A large catalog ranks hundreds of frameworks over hundreds of criteria: a handful of
    tuples per framework instead of one row per criterion keeps scoring fast (and the
    garbage collector idle).
    """

    __slots__ = ("_columns",)

    def __init__(self, *columns: Sequence[Any]):
        self._columns = columns  # criterion, need, weight, rating, source, points, share, priority

    def __len__(self) -> int:
        return len(self._columns[0])

    def __getitem__(self, n):  # type: ignore[override]
        if isinstance(n, slice):
            return [self[m] for m in range(*n.indices(len(self)))]
        return Contribution(*(column[n] for column in self._columns))

    @property
    def ratings(self) -> Sequence[float]:
        return self._columns[3]

    @property
    def sources(self) -> Sequence[str]:
        return self._columns[4]

    @property
    def points(self) -> Sequence[float]:
        return self._columns[5]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def __repr__(self) -> str:
        return f"Contributions({list(self)!r})"


class Reason(NamedTuple):
    criterion: str
    rationale: str
    points: float
    rating: float
    caveat: str | None  # what to know where the rating is below 5
    why: Literal["priority", "must", "points"]


class WhyNot(NamedTuple):
    criterion: str
    winner_rating: float
    rating: float
    points_lost: float  # effective weight · (r_winner - r)
    stressed: bool  # a priority or a must-have of the client


@dataclass(frozen=True)
class Ranked:
    framework: str
    title: str
    score: float
    rank: int
    warnings: tuple[str, ...]
    contributions: Contributions
    reasons: tuple[Reason, ...]
    why_not: tuple[WhyNot, ...]
    next_steps: tuple[str, ...]

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
            "next_steps": list(self.next_steps),
        }


def _r(value: float) -> float:
    """JSON rounding for points, needs and shares."""
    return round(value, 3)


def explain(evaluation: Evaluation) -> tuple[Ranked, ...]:
    model, winner = evaluation.model, evaluation.winner
    table = _Table(evaluation)
    ranked = []
    for rank, i in enumerate(evaluation.order, start=1):
        contributions = table.contributions(i, evaluation.numerators[i])
        ranked.append(
            Ranked(
                framework=model.frameworks[i].slug,
                title=model.frameworks[i].title,
                score=evaluation.score_of(i),
                rank=rank,
                warnings=warnings(evaluation, i) if evaluation.unmet_counts[i] else (),
                contributions=contributions,
                reasons=table.reasons(i, contributions),
                why_not=() if winner is None or i == winner else table.why_not(contributions),
                next_steps=next_steps(evaluation, i),
            )
        )
    return tuple(ranked)


class _Table:
    """The criteria with an effective weight above 0, as columns; explanations are read off them."""

    def __init__(self, evaluation: Evaluation):
        model = evaluation.model
        active = [k for k, e in enumerate(evaluation.effective) if e > 0]
        self.evaluation = evaluation
        self.active = active
        self.keys = [model.criteria[k].key for k in active]
        self.effective = [evaluation.effective[k] for k in active]
        # Reasons are ranked by weighed need × rating before the group rule: a group counts
        # once in the score, but each of its members is still a reason in its own right.
        self.weighed = [evaluation.weighed[k] for k in active]
        self.states = [evaluation.states[k] for k in active]
        self.weights = [
            evaluation.weighed[k] / s.need if s.need else 0.0
            for k, s in zip(active, self.states, strict=True)
        ]
        self.priority = [k in evaluation.priorities for k in active]
        self.needs = [state.need for state in self.states]
        # Per framework, its ratings and their sources across the active criteria (transposed once).
        self.scores = list(zip(*(state.ratings.scores for state in self.states), strict=True))
        self.sources = list(zip(*(state.ratings.sources for state in self.states), strict=True))
        self.winner = self.scores[evaluation.winner] if self.states and evaluation.winner is not None else ()
        position = {k: n for n, k in enumerate(active)}
        self.stressed = [position[k] for k in evaluation.stressed if k in position]
        self.must = {position[k] for k in evaluation.stressed if k in position and evaluation.states[k].must}

    def contributions(self, i: int, total: float) -> Contributions:
        """Framework ``i``'s points per criterion; they add up to its numerator ``total``."""
        if not self.states:
            return Contributions((), (), (), (), (), (), (), ())
        ratings = self.scores[i]
        points = list(map(operator.mul, self.effective, ratings))
        shares = [p / total for p in points] if total > 0 else [0.0] * len(points)
        return Contributions(
            self.keys, self.needs, self.weights, ratings, self.sources[i], points, shares, self.priority
        )

    def reasons(self, i: int, contributions: Contributions) -> tuple[Reason, ...]:
        sources, points = contributions.sources, contributions.points
        stressed = [n for n in self.stressed if sources[n] != "unrated"]
        # By weighed need × rating (points before the group rule), never an unrated pair.
        weight = [
            x * r if s != "unrated" and p > 0 else 0.0
            for x, r, s, p in zip(self.weighed, contributions.ratings, sources, points, strict=True)
        ]
        for n in stressed:
            weight[n] = 0.0
        chosen = stressed + _largest(weight, REASONS)
        reasons = []
        for n in chosen[:MAX_REASONS]:
            ratings = self.states[n].ratings
            rating = ratings.scores[i]
            why = "priority" if self.priority[n] else ("must" if n in self.must else "points")
            caveat = (ratings.caveats[i] or None) if rating < 5 else None
            reasons.append(Reason(self.keys[n], ratings.rationales[i], points[n], rating, caveat, why))
        return tuple(reasons)

    def why_not(self, contributions: Contributions) -> tuple[WhyNot, ...]:
        """Where a framework loses most weighed points to the winner, what the client stressed first."""
        best, own = self.winner, contributions.ratings
        losses = [e * (b - r) for e, b, r in zip(self.effective, best, own, strict=True)]
        stressed = [n for n in self.stressed if losses[n] > 0]
        rest = list(losses)
        for n in stressed:
            rest[n] = 0.0
        order = (stressed + _largest(rest, WHY_NOT))[:WHY_NOT]
        return tuple(WhyNot(self.keys[n], best[n], own[n], losses[n], n in self.stressed) for n in order)


def _largest(values: Sequence[float], count: int) -> list[int]:
    """Positions of the ``count`` largest positive values, earlier positions first among equals."""
    top = sorted(range(len(values)), key=values.__getitem__, reverse=True)[:count]  # stable, in C
    return [n for n in top if values[n] > 0]


def warnings(evaluation: Evaluation, i: int) -> tuple[str, ...]:
    model, framework = evaluation.model, evaluation.model.frameworks[i]
    found = []
    for criterion, state in zip(model.criteria, evaluation.states, strict=True):
        if i not in state.unmet:
            continue
        if state.ratings.sources[i] == "unrated":
            fault = f"{framework.title} is not rated on it"
        else:
            score = state.ratings.scores[i]
            fault = f"{framework.title} is rated only {score:g} of 5 (a must-have needs {MUST_MINIMUM:g})"
        found.append(f"{criterion.title} is a must-have for you, but {fault}.")
    return tuple(found)


def next_steps(evaluation: Evaluation, i: int) -> tuple[str, ...]:
    """The framework's next steps, those with a condition only where the answers meet it."""
    visible = evaluation.visible
    steps = []
    for step in evaluation.model.frameworks[i].next_steps:
        if isinstance(step, NextStep):
            keys = visible.get(step.question, ())
            if not any(key in step.allowed for key in keys):
                continue
            steps.append(step.text)
        else:
            steps.append(step)
    return tuple(steps)
