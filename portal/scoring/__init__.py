"""The advice: rank and explain frameworks for one set of answers (DESIGN 5).

A pure function of (questions, answers, ratings, weights): no I/O, no request, no
Pyramid. The modules, in the order the scoring uses them:

- ``model``: the types, shared with the plugin files' validation;
- ``needs``: how much each criterion matters (skip logic, follow-ups);
- ``ratings``: how well each framework fits (``when`` clauses, hooks, must threshold);
- ``ranking``: priorities, groups, scores and the order;
- ``explain``: contributions, reasons, why-not lines, next steps;
- ``confidence``: high / medium / low with the reason;
- ``whatif`` and ``sensitivity``: what would change the answer;
- ``sentences``: the analyses in plain words;
- ``snapshot``: the model as a revision keeps it; ``v1`` reads the first model's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .confidence import Confidence, confidence
from .explain import Ranked, explain
from .model import PRIORITIES, PRIORITIES_MAX, UNSURE, UNSURE_LABEL, Model, model_from_catalog
from .needs import HookError, shown_keys
from .ranking import Evaluation, evaluate
from .sensitivity import WeightChange, weight_sensitivity
from .sentences import describe_sensitivity, describe_what_if
from .whatif import WhatIf, what_if

__all__ = [
    "PRIORITIES",
    "PRIORITIES_MAX",
    "UNSURE",
    "UNSURE_LABEL",
    "Confidence",
    "Evaluation",
    "HookError",
    "Model",
    "Result",
    "WeightChange",
    "WhatIf",
    "describe_sensitivity",
    "describe_what_if",
    "evaluate",
    "model_from_catalog",
    "score",
    "shown_keys",
]


@dataclass(frozen=True)
class Result:
    ranking: tuple[Ranked, ...]
    confidence: Confidence
    sensitivity: tuple[WeightChange, ...]
    what_if: tuple[WhatIf, ...]
    uncertain: tuple[str, ...]  # questions answered "Not sure"
    no_preference: bool  # no answer expressed a need: nothing is ranked
    priorities: tuple[str, ...]  # the criteria the client said matter most, as counted

    def to_json(self) -> dict[str, Any]:
        """DESIGN 7's result without ``revision`` and ``snapshot``, which the caller adds."""
        return {
            "ranking": [entry.to_json() for entry in self.ranking],
            "confidence": {"level": self.confidence.level, "why": self.confidence.why},
            "sensitivity": [entry.to_json() for entry in self.sensitivity],
            "what_if": [entry.to_json() for entry in self.what_if],
            "uncertain": list(self.uncertain),
            "no_preference": self.no_preference,
            "priorities": list(self.priorities),
        }


def score(model: Model, answers: Mapping[str, Any]) -> Result:
    """Rank and explain: the whole of DESIGN 5 for one set of answers."""
    evaluation = evaluate(model, answers)
    return Result(
        ranking=explain(evaluation),
        confidence=confidence(evaluation),
        sensitivity=weight_sensitivity(evaluation),
        what_if=what_if(evaluation),
        uncertain=evaluation.uncertain,
        no_preference=evaluation.denominator == 0,
        priorities=tuple(model.criteria[k].key for k in sorted(evaluation.priorities)),
    )
