"""The reader of snapshot version 1, stored by the first scoring model (before December 2026).

A result is never re-scored when read: the snapshot holds its numbers. What a
page needs beyond them are the sentences of the weight-sensitivity and what-if
analyses, which the first model worded differently; they are kept here, word
for word, so that an old revision reads exactly as it did.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import UNSURE, UNSURE_LABEL
from .sentences import in_sentence


class Labels:
    """Titles, question texts and option labels of a version 1 model."""

    def __init__(self, model: Mapping[str, Any]):
        self.frameworks = {f["slug"]: f["title"] for f in model["frameworks"]}
        self.criteria = {c["key"]: c["title"] for c in model["criteria"]}
        self.questions = {q["key"]: q for c in model["criteria"] for q in c["questions"]}

    def label(self, question: Mapping[str, Any], key: str) -> str:
        if key == UNSURE:
            return UNSURE_LABEL
        return next(o["label"] for o in question["options"] if o["key"] == key)

    def chosen(self, question: Mapping[str, Any], value: Any) -> list[str]:
        keys = {value} if isinstance(value, str) else set(value or ())
        order = [o["key"] for o in question["options"]] + ([UNSURE] if question.get("allow_unsure") else [])
        return [key for key in order if key in keys]


def sensitivity_sentence(entry: Mapping[str, Any], labels: Labels) -> str:
    title = in_sentence(labels.criteria[entry["criterion"]])
    winner = labels.frameworks[entry["new_first"]]
    factor = f"{entry['factor']:.3g}"
    if factor == "1":
        return f"If {title} mattered even slightly {entry['direction']}, {winner} would rank first."
    if entry["direction"] == "more":
        return f"If {title} mattered {factor}× more, {winner} would rank first."
    return f"If {title} mattered only {factor}× as much, {winner} would rank first."


def what_if_sentence(entry: Mapping[str, Any], labels: Labels) -> str:
    changes = " and ".join(_change(change, labels) for change in entry.get("changes") or [entry])
    return f"{changes[0].upper()}{changes[1:]}, {labels.frameworks[entry['new_first']]} would rank first."


def _change(change: Mapping[str, Any], labels: Labels) -> str:
    question = labels.questions[change["question"]]
    before, after = labels.chosen(question, change["from"]), labels.chosen(question, change["to"])
    if question["kind"] != "multi":
        return f"with '{labels.label(question, after[0])}' on '{question['text']}'"
    added = [key for key in after if key not in before]
    if added:
        return f"with '{labels.label(question, added[0])}' chosen on '{question['text']}'"
    removed = next(key for key in before if key not in after)
    return f"without '{labels.label(question, removed)}' on '{question['text']}'"
