"""Turning a revision's snapshot into what people read: sentences, charts, comparisons.

Everything here reads the snapshot only, never the live catalog, so an old
result reads the same after a plugin is upgraded or a criterion disabled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .scoring import (
    PRIORITIES,
    UNSURE,
    UNSURE_LABEL,
    WeightChange,
    WhatIf,
    describe_sensitivity,
    describe_what_if,
    v1,
)
from .scoring.sentences import WORDING
from .scoring.snapshot import model_from_json, schema_of

PRIORITIES_TEXT = "What matters most"
CHART_TOP = 3  # frameworks shown in the contribution chart
WHAT_IF_SHOWN = 5  # what-if sentences shown: the smallest changes that flip the result


@dataclass(frozen=True)
class Labels:
    """Titles and labels as they were asked, from a snapshot's model."""

    frameworks: dict[str, str]
    criteria: dict[str, str]
    questions: dict[str, str]
    options: dict[tuple[str, str], str]

    @classmethod
    def of(cls, snapshot: dict[str, Any]) -> Labels:
        model = snapshot["model"]
        questions, options = {}, {}
        for criterion in model["criteria"]:
            for question in criterion["questions"]:
                questions[question["key"]] = question["text"]
                for option in question.get("options", ()):
                    options[(question["key"], option["key"])] = option["label"]
                options[(question["key"], UNSURE)] = UNSURE_LABEL
        # The core question: its options are the criteria.
        questions[PRIORITIES] = PRIORITIES_TEXT
        for criterion in model["criteria"]:
            options[(PRIORITIES, criterion["key"])] = criterion["title"]
        return cls(
            frameworks={f["slug"]: f["title"] for f in model["frameworks"]},
            criteria={c["key"]: c["title"] for c in model["criteria"]},
            questions=questions,
            options=options,
        )

    def answer(self, question: str, value: Any) -> str:
        if value is None:
            return "no answer"
        values = value if isinstance(value, list) else [value]
        return ", ".join(self.options.get((question, v), v) for v in values)


def next_steps(snapshot: dict[str, Any], entry: dict[str, Any]) -> list[str]:
    """A ranked framework's next steps: those that applied to the answers (version 1: all of them)."""
    if "next_steps" in entry:
        return entry["next_steps"]
    return snapshot.get("profiles", {}).get(entry["framework"], {}).get("next_steps", [])


def analysis_sentences(snapshot: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The weight-sensitivity and what-if sentences (the narrowest changes only; the JSON keeps all),
    in the wording of the model that made the snapshot."""
    result = snapshot["result"]
    if schema_of(snapshot) == 1:
        model, wording = v1.model_of(snapshot["model"]), v1.WORDING
    else:
        model, wording = model_from_json(snapshot["model"]), WORDING
    sensitivity = [
        describe_sensitivity(WeightChange.from_json(e), model, wording) for e in result["sensitivity"]
    ]
    what_if = [
        describe_what_if(WhatIf.from_json(e), model, wording) for e in result["what_if"][:WHAT_IF_SHOWN]
    ]
    return sensitivity, what_if


def result_page_data(request, assessment, revision) -> dict[str, Any]:
    snapshot = revision.snapshot
    labels = Labels.of(snapshot)
    result = snapshot["result"]
    ranking = result["ranking"]
    sensitivity, what_if = analysis_sentences(snapshot)
    winner = ranking[0]["framework"] if ranking else None
    return {
        "assessment": {"id": assessment.public_id, "title": assessment.title},
        "revision": {"n": revision.number, "created": revision.created},
        "result": result,
        "labels": labels,
        "ranking": ranking,
        "winner": winner,
        "profile": snapshot.get("profiles", {}).get(winner, {}) if winner else {},
        "next_steps": next_steps(snapshot, ranking[0]) if ranking else [],
        "chart": contribution_chart(ranking[:CHART_TOP], labels),
        "sensitivity": sensitivity,
        "what_if": what_if,
        "priorities": [labels.criteria.get(key, key) for key in result.get("priorities", [])],
        "uncertain": [labels.questions.get(key, key) for key in result["uncertain"]],
        "answers": [
            (labels.questions.get(key, key), labels.answer(key, value))
            for key, value in snapshot["answers"].items()
        ],
        "dropped": snapshot.get("dropped", []),
        "versions": {"frameworks": snapshot["frameworks"], "criteria": snapshot["criteria"]},
        "weights": snapshot["weights"],
        "other_revisions": [r.number for r in assessment.revisions if r.number != revision.number],
    }


def contribution_chart(ranked: list[dict[str, Any]], labels: Labels) -> dict[str, Any]:
    """Stacked bars: each framework's score split into its criteria's shares."""
    criteria = []
    for entry in ranked:
        for contribution in entry["contributions"]:
            if contribution["criterion"] not in criteria and contribution["points"] > 0:
                criteria.append(contribution["criterion"])
    bars = []
    for entry in ranked:
        by_criterion = {c["criterion"]: c for c in entry["contributions"]}
        segments = [
            {
                "criterion": key,
                "title": labels.criteria.get(key, key),
                "value": round(entry["score"] * by_criterion[key]["share"], 1),
            }
            for key in criteria
            if key in by_criterion and by_criterion[key]["points"] > 0
        ]
        bars.append({"framework": entry["framework"], "title": entry["title"], "segments": segments})
    return {"criteria": [(key, labels.criteria.get(key, key)) for key in criteria], "bars": bars}


def comparison(request, assessment, old, new) -> dict[str, Any]:
    """What changed from revision ``old`` to ``new``: ranks, scores, criteria, answers."""
    before, after = old.snapshot, new.snapshot
    old_rank = {e["framework"]: e for e in before["result"]["ranking"]}
    new_rank = {e["framework"]: e for e in after["result"]["ranking"]}
    labels = Labels.of(after)
    frameworks = list(dict.fromkeys([*new_rank, *old_rank]))
    changed_answers = sorted(
        key
        for key in set(before["answers"]) | set(after["answers"])
        if before["answers"].get(key) != after["answers"].get(key)
    )
    return {
        "assessment": {"id": assessment.public_id, "title": assessment.title},
        "old": old.number,
        "new": new.number,
        "frameworks": [
            {
                "framework": slug,
                "title": (new_rank.get(slug) or old_rank[slug])["title"],
                "rank": [
                    old_rank[slug]["rank"] if slug in old_rank else None,
                    new_rank.get(slug, {}).get("rank"),
                ],
                "score": [
                    old_rank[slug]["score"] if slug in old_rank else None,
                    new_rank.get(slug, {}).get("score"),
                ],
            }
            for slug in frameworks
        ],
        "criteria_added": sorted(set(after["criteria"]) - set(before["criteria"])),
        "criteria_removed": sorted(set(before["criteria"]) - set(after["criteria"])),
        "weights_changed": {
            key: [before["weights"][key], after["weights"][key]]
            for key in sorted(set(before["weights"]) & set(after["weights"]))
            if before["weights"][key] != after["weights"][key]
        },
        "versions_changed": {
            name: [before[kind].get(name), after[kind].get(name)]
            for kind in ("frameworks", "criteria")
            for name in sorted(set(before[kind]) | set(after[kind]))
            if before[kind].get(name) != after[kind].get(name)
        },
        "answers_changed": [
            {
                "question": key,
                "text": labels.questions.get(key, key),
                "from": before["answers"].get(key),
                "to": after["answers"].get(key),
            }
            for key in changed_answers
        ],
        "dropped": after.get("dropped", []),
    }
