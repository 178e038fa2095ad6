"""What would change the answer: answer changes that put another framework first (DESIGN 5).

Every single change of one visible answer is re-scored **incrementally**: only the
criteria it touches are re-assessed (its own, those whose ``when`` clauses read its
answers, and its group's members, whose shares move with it), and each framework's
total moves by their new terms minus the old. A change is never to "Not sure".

Pairs of changes are tried only when no single change flips the result, from the
best single changes of each close challenger (a bounded search), and only pairs of
*plausible* changes: a neighbouring option of an ordered question, any option of an
unordered one (``ordered = false``), one option more or less on a multi question.
At most ``WHAT_IF_LIMIT`` are kept, the narrowest turns first.
"""

from __future__ import annotations

import heapq
import math
import operator
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, NamedTuple

from .model import UNSURE, Question
from .needs import Answer, Chosen, as_answer, chosen, visible_answers
from .ranking import (
    PRIORITY_FACTOR,
    CriterionState,
    Evaluation,
    assess,
    eligible,
    group_rule,
    leader,
)

WHAT_IF_LIMIT = 5  # changes shown, on the page and in the report
PAIR_CHALLENGERS = 5  # runners-up whose best changes are combined in pairs
PAIR_CANDIDATES = 5  # best single changes per challenger tried in pairs


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

    ``score_change`` is how far the changes move the new first's standing against
    the current winner, in score points: the smallest are the narrowest, most
    plausible turns, and are listed first.
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


def _jsonable(answer: Answer | None) -> str | list[str] | None:
    return list(answer) if isinstance(answer, tuple) else answer


# --- Single changes ----------------------------------------------------------------------------


def alternatives(evaluation: Evaluation, plausible: bool = False) -> Iterator[AnswerChange]:
    """Every change of one visible answer (never to "Not sure"), in questionnaire order.

    With ``plausible``, only the small changes a client might really make.
    """
    model = evaluation.model
    for state in evaluation.states:
        for key, keys in state.visible.items():
            question = model.questions[key]
            before = as_answer(question, keys)
            for after in other_answers(question, keys, plausible):
                yield AnswerChange(key, before, as_answer(question, after))


def other_answers(question: Question, keys: Chosen, plausible: bool = False) -> Iterator[Chosen]:
    options = [option.key for option in question.options]
    if question.kind != "multi":
        current = keys[0]
        if plausible and question.ordered and current in options:
            position = options.index(current)
            near = [options[p] for p in (position - 1, position + 1) if 0 <= p < len(options)]
            yield from ((key,) for key in near)
            return
        yield from ((key,) for key in options if key != current)
        return
    if keys == (UNSURE,):
        yield from ((key,) for key in options)
        return
    for key in options:
        yield tuple(k for k in options if (k in keys) != (k == key))


class Outcome(NamedTuple):
    """The totals after some answer changes, and who would rank first (None: nothing ranked)."""

    numerators: Sequence[float]
    denominator: float
    leader: int | None

    def score_of(self, index: int) -> float:
        return 20 * self.numerators[index] / self.denominator


class _Visible:
    """Every criterion's visible answers, with one criterion's replaced (no copy of the rest)."""

    __slots__ = ("base", "own", "replaced")

    def __init__(self, base: Mapping[str, Chosen], replaced: frozenset[str], own: Mapping[str, Chosen]):
        self.base, self.replaced, self.own = base, replaced, own

    def get(self, key: str, default=None):
        if key in self.replaced:
            return self.own.get(key, default)
        return self.base.get(key, default)


def changed_states(evaluation: Evaluation, changes: Sequence[AnswerChange]) -> dict[int, CriterionState]:
    """The new state of every criterion the changes touch."""
    model = evaluation.model
    given: dict[int, dict[str, Chosen]] = {}
    for change in changes:
        question = model.questions[change.question]
        k = model.criterion_of[change.question]
        answers = given.setdefault(k, dict(evaluation.states[k].given))
        answers[change.question] = chosen(question, change.after)
    given = {k: {q: c for q, c in answers.items() if c} for k, answers in given.items()}
    touched = set(given)
    for k in given:
        touched |= model.dependents[k]
    shown = {k: visible_answers(model.criteria[k], answers) for k, answers in given.items()}
    visible: Any = evaluation.visible
    if any(model.columns[j].whens for j in touched):
        replaced = frozenset(q.key for k in given for q in model.criteria[k].questions)
        visible = _Visible(
            evaluation.visible, replaced, {q: c for own in shown.values() for q, c in own.items()}
        )
    states = evaluation.states
    return {
        j: assess(model, j, given.get(j, states[j].given), visible, shown.get(j, states[j].visible))
        for j in touched
    }


def rescore(evaluation: Evaluation, changes: Sequence[AnswerChange]) -> Outcome:
    return outcome(evaluation, changed_states(evaluation, changes))


def outcome(evaluation: Evaluation, changed: Mapping[int, CriterionState]) -> Outcome:
    model = evaluation.model
    priorities = evaluation.priorities
    weighed = evaluation.weighed
    new_weighed: dict[int, float] = {}
    for k, state in changed.items():
        factor = PRIORITY_FACTOR if k in priorities else 1.0
        new_weighed[k] = model.criteria[k].weight * state.need * factor
    # Effective weights move for the changed criteria and for their groups' members.
    new_effective: dict[int, float] = {}
    for k in changed:
        members = model.groups[k]
        if len(members) == 1:
            new_effective[k] = new_weighed[k]
        elif k not in new_effective:
            view = {j: new_weighed.get(j, weighed[j]) for j in members}
            new_effective.update(group_rule(model, view, priorities, members))
    numerators: Sequence[float] = evaluation.numerators
    denominator, weighed_count = evaluation.denominator, evaluation.weighed_count
    counts: list[int] | None = None
    # Each moved column adds e_new·r − e_old·r0 per framework; all of them in one pass.
    steps: list[tuple[float, Sequence[float]]] = []
    for j, e_new in new_effective.items():
        e_old = evaluation.effective[j]
        old_scores = evaluation.states[j].ratings.scores
        new_state = changed.get(j)
        new_scores = new_state.ratings.scores if new_state is not None else old_scores
        if e_new == e_old and new_scores is old_scores:
            continue
        denominator += e_new - e_old
        weighed_count += (e_new > 0) - (e_old > 0)
        if new_scores is old_scores:
            steps.append((e_new - e_old, old_scores))
        else:
            steps += ((e_new, new_scores), (-e_old, old_scores))
    if len(steps) == 1:
        ((step, scores),) = steps
        numerators = [total + step * r for total, r in zip(numerators, scores, strict=True)]
    elif len(steps) == 2:
        (s1, c1), (s2, c2) = steps
        numerators = [total + s1 * a + s2 * b for total, a, b in zip(numerators, c1, c2, strict=True)]
    elif steps:
        factors = [step for step, _ in steps]
        numerators = [
            total + sum(map(operator.mul, factors, column))
            for total, column in zip(
                numerators, zip(*(scores for _, scores in steps), strict=True), strict=True
            )
        ]
    for k, state in changed.items():
        old = evaluation.states[k]
        if state.unmet != old.unmet:
            counts = counts or list(evaluation.unmet_counts)
            for i in old.unmet:
                counts[i] -= 1
            for i in state.unmet:
                counts[i] += 1
    if not weighed_count or not numerators:
        return Outcome(numerators, 0.0, None)
    candidates = evaluation.eligible if counts is None else eligible(model, counts)
    return Outcome(numerators, denominator, leader(numerators, denominator, candidates))


# --- The analysis ------------------------------------------------------------------------------


class _Single(NamedTuple):
    change: AnswerChange
    changed: dict[int, CriterionState]
    plausible: bool
    outcome: Outcome


def what_if(evaluation: Evaluation) -> tuple[WhatIf, ...]:
    """Answer changes that put another framework first, the narrowest first."""
    winner = evaluation.winner
    if winner is None:
        return ()
    plausible = {(c.question, _key(c.after)) for c in alternatives(evaluation, plausible=True)}
    singles = list(_effective_changes(evaluation, plausible))
    flips = [flip for single in singles if (flip := _flip(evaluation, (single.change,), single.outcome))]
    if not flips:
        flips = _pair_flips(evaluation, winner, [s for s in singles if s.plausible])
    model = evaluation.model
    # Rounded, so that changes equal but for float noise fall back to questionnaire order.
    flips.sort(
        key=lambda f: (
            len(f.changes),
            round(f.score_change, 9),
            [model.position(c.question) for c in f.changes],
        )
    )
    return tuple(flips[:WHAT_IF_LIMIT])


def _key(answer: Answer | None):
    return answer if not isinstance(answer, list) else tuple(answer)


def _effective_changes(evaluation: Evaluation, plausible: set) -> Iterator[_Single]:
    """Single changes with the states they change, leaving out those that change nothing."""
    for change in alternatives(evaluation):
        changed = changed_states(evaluation, (change,))
        if any(_moved(evaluation.states[k], state) for k, state in changed.items()):
            is_plausible = (change.question, _key(change.after)) in plausible
            yield _Single(change, changed, is_plausible, outcome(evaluation, changed))


def _moved(old: CriterionState, new: CriterionState) -> bool:
    return new.need != old.need or new.ratings.scores != old.ratings.scores or new.unmet != old.unmet


def _flip(evaluation: Evaluation, changes: tuple[AnswerChange, ...], result: Outcome) -> WhatIf | None:
    new, winner = result.leader, evaluation.winner
    if new is None or new == winner:
        return None
    lead_before = evaluation.score_of(new) - evaluation.score_of(winner)
    lead_after = result.score_of(new) - result.score_of(winner)
    return WhatIf(
        changes, evaluation.model.frameworks[new].slug, result.score_of(new), lead_after - lead_before
    )


def _pair_flips(evaluation: Evaluation, winner: int, singles: Sequence[_Single]) -> list[WhatIf]:
    """Pairs among each close challenger's best plausible single changes, on different questions."""
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
        changes = (singles[x].change, singles[y].change)
        flip = _flip(evaluation, changes, rescore(evaluation, changes))
        if flip is not None:
            flips.append(flip)
    return flips


def _lead_gain(evaluation: Evaluation, single: _Single, challenger: int, winner: int) -> float:
    """How many score points one change moves the challenger towards the winner."""
    result = single.outcome
    if result.leader is None or result.denominator <= 0:
        return -math.inf
    lead_after = result.score_of(challenger) - result.score_of(winner)
    return lead_after - (evaluation.score_of(challenger) - evaluation.score_of(winner))
