"""Confidence in the recommendation: high, medium or low, with the reason in words (DESIGN 5).

High needs all of:
- a clear lead: the winner ahead of the runner-up by ``HIGH_MARGIN`` points or more,
  and by ``ROBUST_MARGIN`` even without the one criterion that adds most to the lead
  (a lead that rests on one answer is not a clear one), or the only framework meeting
  every must-have;
- the winner at or above the must threshold on every must-have;
- the winner strong (``STRONG`` or more) on each of the client's priorities;
- little resting on guesswork: at most ``MEDIUM_UNRATED_SHARE`` of the weight on
  criteria where the winner or runner-up is not rated, and at most
  ``MEDIUM_UNSURE_SHARE`` on criteria answered "Not sure".

Each shortfall lowers the level (the lowest factor sets it) and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .ranking import Evaluation
from .ratings import MUST_MINIMUM

Level = Literal["high", "medium", "low"]
LEVELS: tuple[Level, ...] = ("low", "medium", "high")

HIGH_MARGIN = 8.0  # score points
MEDIUM_MARGIN = 3.0
# A high lead must stay this clear without its largest single part.
ROBUST_MARGIN = 8.0
STRONG = 4.0  # a rating that makes a framework strong on a priority
MEDIUM_UNRATED_SHARE = 0.10
LOW_UNRATED_SHARE = 0.25
MEDIUM_UNSURE_SHARE = 0.15
LOW_UNSURE_SHARE = 0.35


@dataclass(frozen=True)
class Confidence:
    level: Level
    why: str


def confidence(evaluation: Evaluation) -> Confidence:
    if evaluation.winner is None:
        if evaluation.denominator == 0:
            return Confidence("low", "No answer expressed a preference, so no framework is ranked.")
        return Confidence("low", "No framework is enabled.")
    factors = (
        _margin(evaluation),
        _must_haves(evaluation),
        _priorities(evaluation),
        _unrated(evaluation),
        _unsure(evaluation),
    )
    level = min((level for level, _ in factors), key=LEVELS.index)
    return Confidence(level, " ".join(sentence for _, sentence in factors if sentence))


def _margin(evaluation: Evaluation) -> tuple[Level, str]:
    """A clear lead, and one that does not rest on a single criterion."""
    model, winner = evaluation.model, evaluation.order[0]
    first = model.frameworks[winner].title
    if len(evaluation.order) == 1:
        return "high", f"{first} is the only framework enabled."
    runner_up = evaluation.order[1]
    second = model.frameworks[runner_up].title
    if evaluation.unmet_counts[runner_up] and not evaluation.unmet_counts[winner]:
        return "high", f"Only {first} meets every must-have."
    margin = evaluation.score_of(winner) - evaluation.score_of(runner_up)
    if margin < MEDIUM_MARGIN:
        return "low", f"{first} and {second} are close ({margin:.1f} points apart): weigh both."
    if margin < HIGH_MARGIN:
        return "medium", f"{first} leads {second} by {margin:.1f} points: a clear but not a wide lead."
    largest, k = _largest_part(evaluation, winner, runner_up)
    if margin - largest < ROBUST_MARGIN:
        title = model.criteria[k].title
        return "medium", (
            f"{first} leads {second} by {margin:.1f} points, but {largest:.1f} of them come from "
            f"{title[0].lower() + title[1:]} alone: on the rest the two are close."
        )
    return "high", f"{first} leads {second} by {margin:.1f} points."


def _largest_part(evaluation: Evaluation, a: int, b: int) -> tuple[float, int]:
    """The criterion that adds most to ``a``'s lead over ``b``, and how many score points it adds."""
    parts = [
        (20 * e * (state.ratings.scores[a] - state.ratings.scores[b]) / evaluation.denominator, k)
        for k, (e, state) in enumerate(zip(evaluation.effective, evaluation.states, strict=True))
        if e > 0
    ]
    return max(parts)


def _must_haves(evaluation: Evaluation) -> tuple[Level, str]:
    """The winner weak on a must-have: low where another framework is good at it."""
    model, winner = evaluation.model, evaluation.order[0]
    level: Level = "high"
    sentences = []
    for criterion, state in zip(model.criteria, evaluation.states, strict=True):
        if winner not in state.unmet:
            continue
        scores = state.ratings.scores
        others_good = [i for i in range(len(scores)) if i not in state.unmet]
        title = model.frameworks[winner].title
        if others_good:
            level = "low"
            sentences.append(
                f"{title} is weak on {criterion.title.lower()}, a must-have another framework meets."
            )
        else:
            level = min(level, "medium", key=LEVELS.index)
            sentences.append(
                f"No framework meets the must-have {criterion.title.lower()} well "
                f"(at least {MUST_MINIMUM:g} of 5)."
            )
    return level, " ".join(sentences)


def _priorities(evaluation: Evaluation) -> tuple[Level, str]:
    model, winner = evaluation.model, evaluation.order[0]
    level: Level = "high"
    weak = []
    for k in sorted(evaluation.priorities):
        state = evaluation.states[k]
        if state.need <= 0:
            continue
        rating = state.ratings.scores[winner]
        if rating < STRONG:
            level = min(level, "low" if rating < MUST_MINIMUM else "medium", key=LEVELS.index)
            weak.append(f"{model.criteria[k].title.lower()} ({rating:g} of 5)")
    if not weak:
        return level, ""
    title = model.frameworks[winner].title
    return level, f"{title} is not strong on every priority: {', '.join(weak)}."


def _share(evaluation: Evaluation, which) -> float:
    resting = sum(
        e for e, state in zip(evaluation.effective, evaluation.states, strict=True) if e > 0 and which(state)
    )
    return resting / evaluation.denominator


def _unrated(evaluation: Evaluation) -> tuple[Level, str]:
    pair = evaluation.order[:2]
    share = _share(evaluation, lambda s: any(s.ratings.sources[i] == "unrated" for i in pair))
    sentence = (
        f"{share:.0%} of what your answers weigh rests on criteria where a leading framework is not rated."
    )
    if share > LOW_UNRATED_SHARE:
        return "low", sentence
    if share > MEDIUM_UNRATED_SHARE:
        return "medium", sentence
    return "high", ""


def _unsure(evaluation: Evaluation) -> tuple[Level, str]:
    share = _share(evaluation, lambda s: bool(s.unsure))
    count = len(evaluation.uncertain)
    sentence = f"{share:.0%} of what your answers weigh rests on 'Not sure' ({count} answers)."
    if share > LOW_UNSURE_SHARE:
        return "low", sentence
    if share > MEDIUM_UNSURE_SHARE:
        return "medium", sentence
    return "high", ""
