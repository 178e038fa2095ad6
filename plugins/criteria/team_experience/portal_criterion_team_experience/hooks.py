"""Need and fit hooks for team experience: ratings come from the client's answers.

The core calls these with ``answers``, a read-only mapping of this criterion's
visible, answered questions: question key -> option key (single) or list of
option keys (multi). The options of ``team_experience.known`` are the slugs of
the enabled frameworks, so a framework added or removed later needs no change
here: a slug that is not (or no longer) a framework is simply never matched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

KNOWN = "team_experience.known"
FOLLOW = "team_experience.follow"

KNOWN_SCORE = 5.0  # rubric 5: someone on the team has built something real with it
UNKNOWN_SCORE = 0.0  # rubric 0: nobody on the team has


def known_slugs(answers: Mapping[str, Any]) -> frozenset[str] | None:
    """The framework slugs the team has built with; None when the question is unanswered."""
    value = answers.get(KNOWN)
    if value is None:
        return None
    if isinstance(value, str):  # tolerate a single slug given as a plain string
        return frozenset({value})
    if isinstance(value, Iterable):
        return frozenset(slug for slug in value if isinstance(slug, str))
    return frozenset()


def need(answers: Mapping[str, Any]) -> float | None:
    """0 when the team knows none of the frameworks: there is nothing to follow.

    Otherwise None, so the default rule applies: the need of the answer to
    ``team_experience.follow`` (0 when that question is unanswered).
    """
    if not known_slugs(answers):
        return 0.0
    return None


def fit(framework, answers: Mapping[str, Any]) -> float | None:
    """5 for a framework the team has built something real with, 0 for the others.

    None (no opinion) when the known-frameworks question is unanswered.
    """
    known = known_slugs(answers)
    if known is None:
        return None
    return KNOWN_SCORE if framework.slug in known else UNKNOWN_SCORE
