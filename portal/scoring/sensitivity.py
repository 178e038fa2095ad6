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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .ranking import Evaluation

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
    # How far each challenger's numerator is behind the winner's: what a weight change must close.
    gaps = [max(numerators[winner] - numerators[b], 0.0) for b in challengers]
    found = []
    for k, state in enumerate(evaluation.states):
        if evaluation.effective[k] <= 0:
            continue
        scores = state.ratings.scores
        gains = [scores[b] - scores[winner] for b in challengers]  # B's rating over A's on k
        pooled = len(model.groups[k]) > 1 and k not in evaluation.priorities
        leads = _group_leads(evaluation, k, challengers) if pooled else None
        for direction in (1, -1):
            crossings = []
            for n, b in enumerate(challengers):
                if direction * gains[n] <= 0:
                    continue  # scaling k this way only widens the winner's lead over b
                if leads is not None:
                    t = _bisect(leads[n], direction)
                else:
                    t = 1 + direction * gaps[n] / (evaluation.effective[k] * abs(gains[n]))
                if t is not None and FACTOR_RANGE[0] <= t <= FACTOR_RANGE[1] and t > 1e-9:
                    crossings.append(
                        (t if direction > 0 else -t, -abs(gains[n]), model.frameworks[b].slug, t, b)
                    )
            if not crossings:
                continue
            # The earliest crossing wins; at the same point the steeper challenger, then slug.
            *_, t, b = min(crossings)
            way = "more" if direction > 0 else "less"
            change = WeightChange(model.criteria[k].key, t, way, model.frameworks[b].slug)
            found.append((abs(math.log(t)), k, -direction, change))
    found.sort(key=lambda item: item[:3])
    return tuple(change for *_, change in found[:SENSITIVITY_LIMIT])


def _bisect(lead: Callable[[float], float], direction: int) -> float | None:
    """Where ``lead(t)`` (B's lead over A) turns positive as the weight goes up (or down) from 1."""
    low, high = FACTOR_RANGE
    edge = high if direction > 0 else low
    if lead(edge) <= 0:
        return None
    near, far = 1.0, edge
    if lead(near) > 0:
        return 1.0
    for _ in range(_BISECTIONS):
        middle = math.sqrt(near * far)
        if lead(middle) > 0:
            far = middle
        else:
            near = middle
    return far


def _group_leads(
    evaluation: Evaluation, k: int, challengers: Sequence[int]
) -> list[Callable[[float], float]]:
    """For each challenger B, B's numerator minus A's with pooled criterion k's weighed need scaled by t.

    The group rule (``portal.scoring.ranking.group_rule``) gives each pooled member
    ``x · max(x) / Σ x``; only k's ``x`` moves with t, so the lead is the lead without
    the pooled members plus ``max(t) · (Σ_others x g + t x_k g_k) / Σ(t)``: O(1) per t.
    """
    model, weighed, a = evaluation.model, evaluation.weighed, evaluation.winner
    pooled = [j for j in model.groups[k] if j not in evaluation.priorities and weighed[j] > 0]
    others = [j for j in pooled if j != k]
    rest_total = sum(weighed[j] for j in others)
    rest_max = max((weighed[j] for j in others), default=0.0)
    x = weighed[k]

    def gains(j: int) -> list[float]:
        scores = evaluation.states[j].ratings.scores
        return [scores[b] - scores[a] for b in challengers]

    base = [evaluation.numerators[b] - evaluation.numerators[a] for b in challengers]
    rest = [0.0] * len(challengers)
    for j in pooled:
        g = gains(j)
        base = [total - evaluation.effective[j] * gain for total, gain in zip(base, g, strict=True)]
        if j != k:
            rest = [total + weighed[j] * gain for total, gain in zip(rest, g, strict=True)]

    def lead_of(base_b: float, rest_b: float, gain_k: float) -> Callable[[float], float]:
        def lead(t: float) -> float:
            scaled = t * x
            return base_b + max(rest_max, scaled) * (rest_b + scaled * gain_k) / (rest_total + scaled)

        return lead

    return [lead_of(*row) for row in zip(base, rest, gains(k), strict=True)]
