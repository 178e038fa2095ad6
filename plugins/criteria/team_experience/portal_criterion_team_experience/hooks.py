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
EXPERT = "team_experience.expert"
FOLLOW = "team_experience.follow"

# The rubric's grades: knows it well, has used it, new to it.
EXPERT_SCORE = 5.0
KNOWN_SCORE = 3.0
UNKNOWN_SCORE = 0.0


def slugs(answers: Mapping[str, Any], key: str) -> frozenset[str] | None:
    """The framework slugs an answer names; None when the question is unanswered."""
    value = answers.get(key)
    if value is None:
        return None
    if isinstance(value, str):  # tolerate a single slug given as a plain string
        return frozenset({value})
    if isinstance(value, Iterable):
        return frozenset(slug for slug in value if isinstance(slug, str))
    return frozenset()


def known_slugs(answers: Mapping[str, Any]) -> frozenset[str] | None:
    """Every framework the team has built with (known well or used); None when neither is answered."""
    known, expert = slugs(answers, KNOWN), slugs(answers, EXPERT)
    if known is None and expert is None:
        return None
    return (known or frozenset()) | (expert or frozenset())


def need(answers: Mapping[str, Any]) -> float | None:
    """0 when the team knows none of the frameworks: there is nothing to follow.

    Otherwise None, so the default rule applies: the need of the answer to
    ``team_experience.follow`` (0 when that question is unanswered).
    """
    if not known_slugs(answers):
        return 0.0
    return None


def fit(framework, answers: Mapping[str, Any]) -> dict[str, Any] | None:
    """Graded from the answers, with the sentence a client reads.

    None (no opinion) when neither experience question is answered.
    """
    known = known_slugs(answers)
    if known is None:
        return None
    title = framework.title
    if framework.slug in (slugs(answers, EXPERT) or ()):
        return {
            "score": EXPERT_SCORE,
            "rationale": f"Your team knows {title} well: several projects shipped with it, or an expert.",
        }
    if framework.slug in known:
        return {
            "score": KNOWN_SCORE,
            "rationale": f"Your team has shipped a project with {title}, so its basics are familiar.",
            "caveat": f"Used once is not known well: plan a review of {title}'s deployment and upgrade path.",
        }
    return {
        "score": UNKNOWN_SCORE,
        "rationale": f"Nobody on your team has built a real project with {title} yet.",
        "caveat": f"Budget time for the team to learn {title} before the first release.",
    }
