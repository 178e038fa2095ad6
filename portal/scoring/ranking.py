"""Ranking: every framework's score for one set of answers, and who comes first (DESIGN 5).

For criterion ``c`` with weight ``w``, need ``n`` and rating ``r_f``:

- **Priorities.** The client's priorities (``portal.priorities``, up to three
  criteria) count ``PRIORITY_FACTOR`` times their weight: ``w' = 4 w``.
- **Groups.** Criteria that measure one underlying quality declare a ``group``
  (the bundled "full_stack" group holds admin screens, accounts, data model,
  security defaults, server-rendered pages and content hierarchy). A group
  counts no more than its member that matters most: each member's weighed need
  ``x = w' n`` is scaled by ``max(x) / Σ x`` over the group, so the members'
  ratings are averaged, weighted by ``x``, at the strongest member's weight. A
  framework good at many correlated things therefore cannot outweigh the
  client's core need by sheer count. A priority is lifted out of its group and
  counts on its own.
- **Score.** With ``e`` those effective weights: ``S_f = 100 · Σ e r_f / (5 · Σ e)``.
  Every framework shares the denominator. When ``Σ e = 0`` no answer expressed
  a preference and nothing is ranked.
- **Must-haves.** An option may carry ``must``; a framework rated below
  ``MUST_MINIMUM`` (3) or unrated on a must criterion of weight above 0 carries
  a warning and ranks after every framework without one. Ties are broken by slug.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .model import PRIORITIES, PRIORITIES_MAX, UNSURE, Model
from .needs import Chosen, chosen, hook_answers, hook_need, need_of, unsure_keys, visible_answers
from .ratings import Ratings, fails_must, ratings_for

PRIORITY_FACTOR = 4.0
# Scores closer than this (in score points) are equal: the tie is broken by
# slug. Incremental re-scoring adds the same terms in another order than a
# full one, and float rounding must not decide a tie differently.
TIE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class CriterionState:
    """What one criterion contributes for given answers: need, ratings, must-have failures."""

    given: Mapping[str, Chosen]  # every answered question of the criterion, hidden ones too
    visible: Mapping[str, Chosen]  # the answered questions skip logic shows: only these count
    need: float
    ratings: Ratings
    must: bool  # a must option is chosen and the weight is above 0
    unmet: frozenset[int]  # frameworks warned here: a must-have, rating below MUST_MINIMUM
    unsure: tuple[str, ...]  # visible questions answered "Not sure"


def assess(
    model: Model,
    k: int,
    given: Mapping[str, Chosen],
    visible_all: Mapping[str, Chosen],
    visible: Mapping[str, Chosen] | None = None,
) -> CriterionState:
    """Criterion ``k`` under ``given`` (its own answers) and every criterion's visible answers
    (``visible``: its own visible answers, where the caller already has them)."""
    criterion = model.criteria[k]
    if visible is None:
        visible = visible_answers(criterion, given)
    hooks = criterion.need_hook is not None or criterion.fit_hook is not None
    shown = hook_answers(criterion, model.questions, visible) if hooks else None
    need = hook_need(criterion, shown) if criterion.need_hook is not None else None
    if need is None:
        need = need_of(criterion, model.questions, visible)
    ratings = ratings_for(model, k, visible_all, shown)
    must = criterion.weight > 0 and any(
        model.questions[q].is_must(key) for q, keys in visible.items() for key in keys if key != UNSURE
    )
    unmet = (
        frozenset(
            i
            for i, (r, s) in enumerate(zip(ratings.scores, ratings.sources, strict=True))
            if fails_must(r, s)
        )
        if must
        else frozenset()
    )
    return CriterionState(given, visible, need, ratings, must, unmet, unsure_keys(visible))


def given_by_criterion(model: Model, answers: Mapping[str, Any]) -> list[dict[str, Chosen]]:
    given: list[dict[str, Chosen]] = [{} for _ in model.criteria]
    for key, value in answers.items():
        question = model.questions.get(key)
        if question is None:
            continue  # a core question, or one that is no longer asked
        keys = chosen(question, value)
        if keys:
            given[model.criterion_of[key]][key] = keys
    return given


def priorities_of(model: Model, answers: Mapping[str, Any]) -> frozenset[int]:
    """The criteria the client marked as mattering most (at most three; unknown keys ignored)."""
    value = answers.get(PRIORITIES) or ()
    keys = [value] if isinstance(value, str) else list(value)
    index = model.criterion_index
    return frozenset([index[key] for key in dict.fromkeys(keys) if key in index][:PRIORITIES_MAX])


@dataclass(frozen=True)
class Evaluation:
    """Every criterion's state and the per-framework totals: the base of every analysis."""

    model: Model
    states: tuple[CriterionState, ...]
    priorities: frozenset[int]
    weighed: tuple[float, ...]  # x = w' n per criterion
    effective: tuple[float, ...]  # e: x after the group rule
    numerators: tuple[float, ...]  # Σ e r per framework
    denominator: float  # Σ e
    # Criteria with e > 0. When changes leave none, nothing is ranked: an exact
    # test, where an incrementally updated sum may keep a float residue.
    weighed_count: int
    unmet_counts: tuple[int, ...]  # how many must-haves each framework fails
    order: tuple[int, ...]  # framework indices, ranked; empty when nothing is ranked

    @property
    def winner(self) -> int | None:
        return self.order[0] if self.order else None

    def score_of(self, index: int) -> float:
        return 20 * self.numerators[index] / self.denominator

    @cached_property
    def visible(self) -> dict[str, Chosen]:
        return {q: keys for state in self.states for q, keys in state.visible.items()}

    @cached_property
    def eligible(self) -> tuple[int, ...]:
        """Who can rank first, by slug: frameworks with no warning, or all when every one has one."""
        return eligible(self.model, self.unmet_counts)

    @cached_property
    def uncertain(self) -> tuple[str, ...]:
        return tuple(q for state in self.states for q in state.unsure)

    @cached_property
    def stressed(self) -> tuple[int, ...]:
        """What the client stressed, in questionnaire order: priorities, then must-have criteria."""
        priorities = [k for k in sorted(self.priorities) if self.states[k].need > 0]
        musts = [k for k, s in enumerate(self.states) if s.must and k not in self.priorities]
        return (*priorities, *musts)


def weighed_needs(model: Model, states: Sequence[CriterionState], priorities: frozenset[int]) -> list[float]:
    return [
        c.weight * s.need * (PRIORITY_FACTOR if k in priorities else 1.0)
        for k, (c, s) in enumerate(zip(model.criteria, states, strict=True))
    ]


def group_rule(
    model: Model,
    weighed: Sequence[float] | Mapping[int, float],
    priorities: frozenset[int],
    members: Sequence[int],
) -> dict[int, float]:
    """Effective weights of one group's members: ``x · max(x) / Σ x``; priorities keep their ``x``."""
    pooled = [k for k in members if k not in priorities and weighed[k] > 0]
    effective = {k: weighed[k] for k in members}
    if len(pooled) > 1:
        total = sum(weighed[k] for k in pooled)
        scale = max(weighed[k] for k in pooled) / total
        for k in pooled:
            effective[k] = weighed[k] * scale
    return effective


def effective_weights(model: Model, weighed: Sequence[float], priorities: frozenset[int]) -> list[float]:
    effective = list(weighed)
    done: set[int] = set()
    for k, members in enumerate(model.groups):
        if len(members) > 1 and k not in done:
            done.update(members)
            for j, value in group_rule(model, weighed, priorities, members).items():
                effective[j] = value
    return effective


def evaluate(model: Model, answers: Mapping[str, Any]) -> Evaluation:
    """Score every framework from scratch: needs, ratings, totals and the ranking order."""
    given = given_by_criterion(model, answers)
    visible = [visible_answers(criterion, own) for criterion, own in zip(model.criteria, given, strict=True)]
    visible_all = {q: keys for shown in visible for q, keys in shown.items()}
    states = tuple(assess(model, k, own, visible_all, visible[k]) for k, own in enumerate(given))
    return evaluation_of(model, states, priorities_of(model, answers))


def evaluation_of(model: Model, states: tuple[CriterionState, ...], priorities: frozenset[int]) -> Evaluation:
    weighed = weighed_needs(model, states, priorities)
    effective = effective_weights(model, weighed, priorities)
    numerators = [0.0] * len(model.frameworks)
    denominator, weighed_count = 0.0, 0
    for e, state in zip(effective, states, strict=True):
        if e > 0:
            denominator += e
            weighed_count += 1
            numerators = [total + e * r for total, r in zip(numerators, state.ratings.scores, strict=True)]
    counts = [0] * len(model.frameworks)
    for state in states:
        for i in state.unmet:
            counts[i] += 1
    order = rank_order(model, numerators, denominator, counts) if denominator > 0 else ()
    return Evaluation(
        model,
        states,
        priorities,
        tuple(weighed),
        tuple(effective),
        tuple(numerators),
        denominator,
        weighed_count,
        tuple(counts),
        order,
    )


def eligible(model: Model, unmet_counts: Sequence[int]) -> tuple[int, ...]:
    unwarned = tuple(i for i in model.slug_order if not unmet_counts[i])
    return unwarned or model.slug_order


def rank_order(
    model: Model, numerators: Sequence[float], denominator: float, unmet_counts: Sequence[int]
) -> tuple[int, ...]:
    """Frameworks without a warning first; within each group by score, near-equal scores by slug."""
    scores = [20 * total / denominator for total in numerators]
    slugs = model.slug_order
    unwarned = [i for i in slugs if not unmet_counts[i]]
    warned = [i for i in slugs if unmet_counts[i]]
    return tuple(_by_score(unwarned, scores) + _by_score(warned, scores))


def _by_score(indices: list[int], scores: Sequence[float]) -> list[int]:
    """Sort ``indices`` (given in slug order) by score; scores within TIE_TOLERANCE tie, by slug."""
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


def leader(numerators: Sequence[float], denominator: float, candidates: Sequence[int]) -> int:
    """Who ranks first: the same rule as :func:`rank_order`, in O(frameworks) without sorting."""
    best = (
        max(numerators)
        if len(candidates) == len(numerators)
        else max(map(numerators.__getitem__, candidates))
    )
    slack = TIE_TOLERANCE * denominator / 20  # TIE_TOLERANCE in numerator units
    return next(i for i in candidates if numerators[i] >= best - slack)
