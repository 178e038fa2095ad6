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
CHART_COLOURS = 6  # distinguishable colours of the breakdown: five criteria and "Other"
REASONS_SHOWN = 3  # reasons on the summary card
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


def questionnaire_order(snapshot: dict[str, Any]) -> list[str]:
    """The answered questions in the order they were asked (older snapshots: the model's order)."""
    asked = snapshot.get("question_order") or [
        q["key"] for c in snapshot["model"]["criteria"] for q in c["questions"]
    ] + [PRIORITIES]
    answers = snapshot["answers"]
    return [key for key in asked if key in answers] + [key for key in answers if key not in asked]


def result_page_data(request, assessment, revision, workspace: bool = False) -> dict[str, Any]:
    """The revision page's data. ``workspace``: the consultant's read-only view, which names the
    assessment by row id and holds nothing of its private link (the page then offers no link,
    copy or edit action of the client's)."""
    snapshot = revision.snapshot
    labels = Labels.of(snapshot)
    result = snapshot["result"]
    ranking = result["ranking"]
    sensitivity, what_if = analysis_sentences(snapshot)
    winner = ranking[0]["framework"] if ranking else None
    return {
        "assessment": (
            {"id": None, "row": assessment.id, "title": assessment.title}
            if workspace
            else {"id": assessment.public_id, "title": assessment.title}
        ),
        "workspace": workspace,
        "revision": {
            "n": revision.number,
            "created": revision.created,
            "edited_from": snapshot.get("edited_from"),
        },
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
            (labels.questions.get(key, key), labels.answer(key, snapshot["answers"][key]))
            for key in questionnaire_order(snapshot)
        ],
        "reasons_shown": REASONS_SHOWN,
        "dropped": snapshot.get("dropped", []),
        "dropped_options": stale_options(snapshot.get("dropped_options", []), labels),
        "versions": {"frameworks": snapshot["frameworks"], "criteria": snapshot["criteria"]},
        "weights": snapshot["weights"],
    }


OTHER = "other"


def contribution_chart(ranked: list[dict[str, Any]], labels: Labels) -> dict[str, Any]:
    """Stacked bars: each framework's score split into its criteria's points.

    The criteria adding most over the frameworks shown get a colour each; the rest are
    one "Other" segment, so the chart never needs more than CHART_COLOURS colours.
    """
    totals: dict[str, float] = {}
    points = [points_by_criterion(entry) for entry in ranked]
    for by_criterion in points:
        for key, value in by_criterion.items():
            if value > 0:
                totals[key] = totals.get(key, 0.0) + value
    biggest = sorted(totals, key=lambda key: -totals[key])
    named = biggest if len(biggest) <= CHART_COLOURS else biggest[: CHART_COLOURS - 1]
    legend = [(key, labels.criteria.get(key, key)) for key in named]
    if len(named) < len(biggest):
        legend.append((OTHER, "Other criteria"))
    bars = []
    for entry, by_criterion in zip(ranked, points, strict=True):
        values = {key: by_criterion.get(key, 0.0) for key in named}
        values[OTHER] = sum(v for key, v in by_criterion.items() if key not in named and v > 0)
        segments, start = [], 0.0
        for colour, (key, title) in enumerate(legend):
            value = values.get(key, 0.0)
            if value > 0:
                segments.append(
                    {
                        "criterion": key,
                        "title": title,
                        "value": round(value, 1),
                        "x": round(start, 2),
                        "width": round(value, 2),
                        "colour": colour,
                    }
                )
                start += value
        bars.append(
            {
                "framework": entry["framework"],
                "title": entry["title"],
                "score": entry["score"],
                "segments": segments,
            }
        )
    return {"criteria": legend, "bars": bars}


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
        "dropped_options": after.get("dropped_options", []),
    }


MOVERS_SHOWN = 4  # criteria listed under "what moved it"


def comparison_page(request, assessment, old, new) -> dict[str, Any]:
    """The comparison as a client reads it: answers by their labels, the ranking, what moved it."""
    data = comparison(request, assessment, old, new)
    before, after = Labels.of(old.snapshot), Labels.of(new.snapshot)
    old_ranking, new_ranking = old.snapshot["result"]["ranking"], new.snapshot["result"]["ranking"]
    return {
        **data,
        "created": (old.created, new.created),
        "first": (
            old_ranking[0]["title"] if old_ranking else None,
            new_ranking[0]["title"] if new_ranking else None,
        ),
        "answers": [
            {
                "text": change["text"],
                "from": before.answer(change["question"], change["from"]),
                "to": after.answer(change["question"], change["to"]),
            }
            for change in data["answers_changed"]
        ],
        "added": [after.criteria.get(key, key) for key in data["criteria_added"]],
        "removed": [before.criteria.get(key, key) for key in data["criteria_removed"]],
        "reweighted": [after.criteria.get(key, key) for key in data["weights_changed"]],
        "moved": what_moved(old_ranking, new_ranking, after, before),
        "stale_options": stale_options(data["dropped_options"], after),
    }


def stale_options(dropped: list[dict[str, str]], labels: Labels) -> list[dict[str, str]]:
    """Dropped options in words: the label it was chosen by and the question's text."""
    return [{**o, "text": labels.questions.get(o["question"], o["question"])} for o in dropped]


def points_by_criterion(entry: dict[str, Any]) -> dict[str, float]:
    """What each criterion adds to a framework's score, in points of 100."""
    return {c["criterion"]: entry["score"] * c["share"] for c in entry["contributions"]}


def what_moved(old_ranking, new_ranking, after: Labels, before: Labels) -> list[dict[str, Any]]:
    """The criteria whose points changed most for the frameworks first before and after."""
    old_entries = {e["framework"]: e for e in old_ranking}
    new_entries = {e["framework"]: e for e in new_ranking}
    leaders = list(dict.fromkeys(e[0]["framework"] for e in (old_ranking, new_ranking) if e))
    deltas: dict[str, dict[str, float]] = {}
    for slug in leaders:
        if slug not in old_entries or slug not in new_entries:
            continue
        was, now = points_by_criterion(old_entries[slug]), points_by_criterion(new_entries[slug])
        for key in set(was) | set(now):
            change = now.get(key, 0.0) - was.get(key, 0.0)
            if abs(change) >= 0.05:
                deltas.setdefault(key, {})[slug] = change
    ordered = sorted(deltas.items(), key=lambda item: -max(abs(v) for v in item[1].values()))
    return [
        {
            "criterion": after.criteria.get(key, before.criteria.get(key, key)),
            "changes": [(new_entries[slug]["title"], round(change, 1)) for slug, change in changes.items()],
        }
        for key, changes in ordered[:MOVERS_SHOWN]
    ]
