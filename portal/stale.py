"""Earlier answers read against the questions asked now, so nothing silently changes meaning.

A plugin uninstalled or disabled, or an option removed, leaves answers the questionnaire no
longer offers: a question nobody asks (``dropped``, by question key), or an option that is
gone (``dropped_options``: an uninstalled framework in a question whose options come from
the frameworks, say). Re-scoring and completing leave both out and list them in the new
revision; "Edit answers" leaves them out of the draft and tells the client which.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .questionnaire import Questionnaire, option_keys


@dataclass(frozen=True)
class Reading:
    answers: dict[str, Any]  # what still holds: every answer, less what is gone
    dropped: list[str]  # answered questions that are no longer asked
    dropped_options: list[tuple[str, str]]  # (question, option) answered but no longer offered


def read(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> Reading:
    """``answers`` as the current questionnaire can take them.

    A multi-choice answer keeps its options still offered; an answer left with none is
    removed (the question is unanswered now, and asked again if it is required).
    """
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    gone: list[tuple[str, str]] = []
    for key, value in answers.items():
        question = questionnaire.questions.get(key)
        if question is None:
            dropped.append(key)
            continue
        offered = set(option_keys(question))
        picked = value if isinstance(value, list) else [value]
        gone += [(key, option) for option in picked if option not in offered]
        left = [option for option in picked if option in offered]
        if len(left) == len(picked):
            kept[key] = value
        elif isinstance(value, list) and left:
            kept[key] = left
    return Reading(kept, sorted(dropped), gone)


def named(options: list[tuple[str, str]], snapshot: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """Dropped options as a revision keeps them: with the label they were asked by, which only
    the earlier snapshot still knows (the option key where there is none)."""
    from .results import Labels

    labels = Labels.of(snapshot).options if snapshot is not None else {}
    return [{"question": q, "option": o, "label": labels.get((q, o), o)} for q, o in options]


def merged(first: list, second: list) -> list:
    """Two lists of dropped entries without repeats, in order."""
    return [entry for n, entry in enumerate(first + second) if entry not in (first + second)[:n]]


def edit_notices(questionnaire: Questionnaire, assessment) -> list[dict[str, Any]]:
    """For a draft opened by "Edit answers": each earlier answer the draft had to leave out,
    in the words the client gave it (question text and option label of that revision)."""
    if assessment.editing_from is None:
        return []
    revision = next((r for r in assessment.revisions if r.number == assessment.editing_from), None)
    if revision is None:
        return []
    from .results import Labels

    snapshot = revision.snapshot
    labels = Labels.of(snapshot)
    reading = read(questionnaire, snapshot["answers"])
    notices = [
        {
            "key": question,
            "text": labels.questions.get(question, question),
            "answer": labels.options.get((question, option), option),
            "asked": True,
        }
        for question, option in reading.dropped_options
    ]
    notices += [
        {
            "key": question,
            "text": labels.questions.get(question, question),
            "answer": labels.answer(question, snapshot["answers"][question]),
            "asked": False,
        }
        for question in reading.dropped
    ]
    return notices
