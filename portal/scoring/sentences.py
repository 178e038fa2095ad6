"""The analyses in plain words, as the result page and the report print them."""

from __future__ import annotations

from .model import Model
from .needs import chosen
from .sensitivity import WeightChange
from .whatif import AnswerChange, WhatIf


def describe_sensitivity(entry: WeightChange, model: Model) -> str:
    """E.g. "If real-time features mattered 2.3× more, Tornado would rank first." """
    title = in_sentence(model.criterion(entry.criterion).title)
    winner = model.framework(entry.new_first).title
    factor = f"{entry.factor:.2g}"
    if factor == "1":
        return f"If {title} mattered even slightly {entry.direction}, {winner} would rank first."
    if entry.direction == "more":
        return f"If {title} mattered {factor}× as much, {winner} would rank first."
    return f"If {title} mattered only {factor}× as much, {winner} would rank first."


def describe_what_if(entry: WhatIf, model: Model) -> str:
    """E.g. "If you answered 'Thousands or more' to 'How many …?', Tornado would rank first." """
    changes = " and ".join(describe_change(change, model) for change in entry.changes)
    return f"If you {changes}, {model.framework(entry.new_first).title} would rank first."


def describe_change(change: AnswerChange, model: Model) -> str:
    question = model.questions[change.question]
    before, after = chosen(question, change.before), chosen(question, change.after)
    if question.kind != "multi":
        return f"answered '{question.label_of(after[0])}' to '{question.text}'"
    added = [key for key in after if key not in before]
    if added:
        return f"also chose '{question.label_of(added[0])}' for '{question.text}'"
    removed = next(key for key in before if key not in after)
    return f"left out '{question.label_of(removed)}' from '{question.text}'"


def in_sentence(title: str) -> str:
    """Lower-case a title's first letter inside a sentence, unless it starts an acronym ("API")."""
    if len(title) > 1 and title[1].islower():
        return title[0].lower() + title[1:]
    return title
