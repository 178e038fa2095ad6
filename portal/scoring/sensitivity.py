"""Weight sensitivity: how much more (or less) one criterion would have to matter for another
framework to rank first (DESIGN 5).

For challenger B, winner A and criterion k scaled by ``t``: every framework shares the
denominator, so B overtakes A exactly when its numerator does. For a criterion counted
on its own the crossing is a linear equation,
``(t − 1) · e_k · (r_Bk − r_Ak) = Σ_c e_c (r_Ac − r_Bc)``; for a member of a group,
whose share moves with its weight (``portal.scoring.ranking``), the crossing is found
by bisection. Only factors between 1/3 and 3 are reported (a criterion that would have
to matter more than three times as much, or a third as much, is no near thing),
smallest ``|ln t|`` first. Scaling a weight by ``t > 0`` changes no warning, so only
the winner's warning group competes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .ranking import Evaluation, group_rule

SENSITIVITY_LIMIT = 5
FACTOR_RANGE = (1 / 3, 3.0)
_BISECTIONS = 40


@dataclass(frozen=True)
class WeightChange:
    """Multiplying ``criterion``'s weight by just past ``factor`` puts ``new_first`` first."""

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


def weight_sensitivity(evaluation: Evaluation) -> tuple[WeightChange, ...]:
    winner = evaluation.winner
    if winner is None:
        return ()
    model, numerators = evaluation.model, evaluation.numerators
    challengers = [b for b in evaluation.eligible if b != winner]
    low, high = FACTOR_RANGE
    found = []
    for k, state in enumerate(evaluation.states):
        if evaluation.effective[k] <= 0:
            continue
        pooled = len(model.groups[k]) > 1 and k not in evaluation.priorities
        for direction in (1, -1):
            crossings = []
            for b in challengers:
                if pooled:
                    t = _bisect(evaluation, k, winner, b, direction)
                else:
                    t = _linear(evaluation, k, winner, b, direction, numerators)
                if t is not None and low <= t <= high:
                    slope = direction * (state.ratings.scores[b] - state.ratings.scores[winner])
                    crossings.append((t if direction > 0 else -t, -slope, model.frameworks[b].slug, t, b))
            if not crossings:
                continue
            # The earliest crossing wins; at the same point the steeper challenger, then slug.
            *_, t, b = min(crossings)
            way = "more" if direction > 0 else "less"
            found.append(
                (
                    abs(math.log(t)),
                    k,
                    -direction,
                    WeightChange(model.criteria[k].key, t, way, model.frameworks[b].slug),
                )
            )
    found.sort(key=lambda item: item[:3])
    return tuple(change for *_, change in found[:SENSITIVITY_LIMIT])


def _linear(
    evaluation: Evaluation, k: int, a: int, b: int, direction: int, numerators: Sequence[float]
) -> float | None:
    ratings = evaluation.states[k].ratings.scores
    difference = ratings[b] - ratings[a]
    if direction * difference <= 0:
        return None
    gap = max(numerators[a] - numerators[b], 0.0)
    factor = 1 + direction * gap / (evaluation.effective[k] * abs(difference))
    return factor if factor > 1e-9 else None


def _bisect(evaluation: Evaluation, k: int, a: int, b: int, direction: int) -> float | None:
    """Where B's lead over A turns positive as criterion k's weight goes up (or down) from 1."""
    low, high = FACTOR_RANGE
    edge = high if direction > 0 else low
    if _lead(evaluation, k, a, b, edge) <= 0:
        return None
    near, far = 1.0, edge
    if _lead(evaluation, k, a, b, near) > 0:
        return 1.0
    for _ in range(_BISECTIONS):
        middle = math.sqrt(near * far)
        if _lead(evaluation, k, a, b, middle) > 0:
            far = middle
        else:
            near = middle
    return far


def _lead(evaluation: Evaluation, k: int, a: int, b: int, t: float) -> float:
    """B's numerator minus A's with criterion k's weighed need scaled by t."""
    model = evaluation.model
    members = model.groups[k]
    weighed = list(evaluation.weighed)
    weighed[k] *= t
    effective = group_rule(model, weighed, evaluation.priorities, members)
    lead = evaluation.numerators[b] - evaluation.numerators[a]
    for j in members:
        scores = evaluation.states[j].ratings.scores
        lead += (effective[j] - evaluation.effective[j]) * (scores[b] - scores[a])
    return lead
