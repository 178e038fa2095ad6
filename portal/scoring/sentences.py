"""The analyses in plain words, as the result page and the report print them.

The words are a :class:`Wording`: results of the first model keep the wording
they were shown with (``portal.scoring.v1``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Model
from .needs import chosen
from .sensitivity import WeightChange
from .whatif import AnswerChange, WhatIf


@dataclass(frozen=True)
class Wording:
    factor: str  # the format of a weight factor
    more: str  # "If {title} mattered {factor}× …" when the direction is "more"
    what_if: str  # the sentence around the joined changes
    single: str  # a single-choice change
    added: str  # an option added to a multi answer
    removed: str  # an option left out of a multi answer
    capitalise: bool = False  # the sentence starts with the change itself


WORDING = Wording(
    factor=".2g",
    more="as much",
    what_if="If you {changes}, {first} would rank first.",
    single="answered '{label}' to '{text}'",
    added="also chose '{label}' for '{text}'",
    removed="left out '{label}' from '{text}'",
)


def describe_sensitivity(entry: WeightChange, model: Model, wording: Wording = WORDING) -> str:
    """E.g. "If real-time features mattered 2.3× as much, Tornado would rank first." """
    title = in_sentence(model.criterion(entry.criterion).title)
    winner = model.framework(entry.new_first).title
    factor = format(entry.factor, wording.factor)
    if factor == "1":
        return f"If {title} mattered even slightly {entry.direction}, {winner} would rank first."
    if entry.direction == "more":
        return f"If {title} mattered {factor}× {wording.more}, {winner} would rank first."
    return f"If {title} mattered only {factor}× as much, {winner} would rank first."


def describe_what_if(entry: WhatIf, model: Model, wording: Wording = WORDING) -> str:
    """E.g. "If you answered 'Thousands or more' to 'How many …?', Tornado would rank first." """
    changes = " and ".join(describe_change(change, model, wording) for change in entry.changes)
    if wording.capitalise:
        changes = changes[0].upper() + changes[1:]
    return wording.what_if.format(changes=changes, first=model.framework(entry.new_first).title)


def describe_change(change: AnswerChange, model: Model, wording: Wording = WORDING) -> str:
    question = model.questions[change.question]
    before, after = chosen(question, change.before), chosen(question, change.after)
    if question.kind != "multi":
        return wording.single.format(label=question.label_of(after[0]), text=question.text)
    added = [key for key in after if key not in before]
    if added:
        return wording.added.format(label=question.label_of(added[0]), text=question.text)
    removed = next(key for key in before if key not in after)
    return wording.removed.format(label=question.label_of(removed), text=question.text)


def in_sentence(title: str) -> str:
    """Lower-case a title's first letter inside a sentence, unless it starts an acronym ("API")."""
    if len(title) > 1 and title[1].islower():
        return title[0].lower() + title[1:]
    return title
