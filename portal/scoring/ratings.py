"""How well each framework fits a criterion for given answers: its rating, from 0 to 5 (DESIGN 5).

First that applies:
1. the criterion's ``fit`` hook (a score and a rationale sentence);
2. the profile's rating, where its first matching ``when`` clause replaces score,
   rationale and caveat;
3. the criterion file's default rating, with the same ``when`` rule;
4. else *unrated*: counted as 2.5, shown as "not rated", lowering the confidence.

A ``when`` clause matches when the question it names is shown and answered with one
of its options; it may name a question of any criterion (a criterion's rating may
depend on another's answers), so changing one answer re-rates exactly the criteria
whose clauses name that criterion's questions (:func:`dependents`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from .model import Criterion, Framework, Model, RatingSource, When
from .needs import Answer, Chosen, HookError, is_number

UNRATED_SCORE = 2.5
# A must-have is met only by a framework rated at least this on it: good at it, not
# merely able (DESIGN 5; the benchmark in docs/advice.md).
MUST_MINIMUM = 3.0


class Column(NamedTuple):
    """Every framework's rating on one criterion, in framework order."""

    scores: tuple[float, ...]
    sources: tuple[RatingSource, ...]
    rationales: tuple[str, ...]
    caveats: tuple[str, ...]
    whens: tuple[tuple[int, tuple[When, ...]], ...]  # (framework index, its clauses), where it has any
    when_questions: frozenset[str]  # every question the clauses name


def columns_of(model: Model) -> tuple[Column, ...]:
    columns = []
    for criterion in model.criteria:
        scores, sources, rationales, caveats, whens = [], [], [], [], []
        for i, framework in enumerate(model.frameworks):
            stored = model.rating(framework.slug, criterion.key)
            rating = stored.rating
            if rating is None:
                scores.append(UNRATED_SCORE)
                rationales.append("")
                caveats.append("")
            else:
                scores.append(float(rating.score))
                rationales.append(rating.rationale)
                caveats.append(rating.caveat)
                if rating.when:
                    whens.append((i, rating.when))
            sources.append(stored.source)
        columns.append(
            Column(
                tuple(scores),
                tuple(sources),
                tuple(rationales),
                tuple(caveats),
                tuple(whens),
                frozenset(w.question for _, clauses in whens for w in clauses),
            )
        )
    return tuple(columns)


def dependents(model: Model) -> tuple[frozenset[int], ...]:
    """For each criterion, the criteria whose ratings read its answers (``when`` clauses)."""
    readers: list[set[int]] = [set() for _ in model.criteria]
    for k, column in enumerate(model.columns):
        for question in column.when_questions:
            j = model.criterion_of.get(question)
            if j is not None:
                readers[j].add(k)
    return tuple(frozenset(r) for r in readers)


class Ratings(NamedTuple):
    scores: tuple[float, ...]
    sources: tuple[RatingSource, ...]
    rationales: tuple[str, ...]
    caveats: tuple[str, ...]


def ratings_for(
    model: Model, k: int, visible: Mapping[str, Chosen], shown: Mapping[str, Answer] | None
) -> Ratings:
    """Criterion ``k``'s ratings under the visible answers of every criterion (``visible``).

    When no ``when`` clause matches and there is no hook, the stored column itself comes back (the
    same tuples), which lets incremental re-scoring see that nothing moved.
    """
    column = model.columns[k]
    criterion = model.criteria[k]
    matched = _matching_clauses(column, visible) if column.whens else ()
    if not matched and criterion.fit_hook is None:
        return Ratings(column.scores, column.sources, column.rationales, column.caveats)
    scores, sources = list(column.scores), list(column.sources)
    rationales, caveats = list(column.rationales), list(column.caveats)
    for i, clause in matched:
        scores[i], rationales[i], caveats[i] = float(clause.score), clause.rationale, clause.caveat
    if criterion.fit_hook is not None:
        for i, framework in enumerate(model.frameworks):
            value = criterion.fit_hook(framework.profile, shown or {})
            if value is None:
                continue
            scores[i], rationales[i], caveats[i] = _hook_rating(criterion, framework, value)
            sources[i] = "hook"
    return Ratings(tuple(scores), tuple(sources), tuple(rationales), tuple(caveats))


def _matching_clauses(column: Column, visible: Mapping[str, Chosen]) -> list[tuple[int, When]]:
    """Each framework's first ``when`` clause that the visible answers meet (most meet none)."""
    hits: dict[tuple[str, tuple[str, ...]], bool] = {}
    matched = []
    for i, clauses in column.whens:
        for clause in clauses:
            condition = (clause.question, clause.allowed)
            hit = hits.get(condition)
            if hit is None:
                keys = visible.get(clause.question)
                hit = hits[condition] = bool(keys) and any(key in clause.allowed for key in keys)
            if hit:
                matched.append((i, clause))
                break
    return matched


def _hook_rating(criterion: Criterion, framework: Framework, value: Any) -> tuple[float, str, str]:
    """A fit hook returns a number, or a mapping or object with ``score``, ``rationale``, ``caveat``."""
    if isinstance(value, Mapping):
        score, rationale, caveat = value.get("score"), value.get("rationale", ""), value.get("caveat", "")
    elif is_number(value):
        score, rationale, caveat = value, "", ""
    else:
        score = getattr(value, "score", None)
        rationale, caveat = getattr(value, "rationale", ""), getattr(value, "caveat", "")
    if (
        not is_number(score)
        or not 0 <= score <= 5
        or not isinstance(rationale, str)
        or not isinstance(caveat, str)
    ):
        raise HookError(
            f"{criterion.origin or 'a plugin'}: the fit hook of criterion {criterion.key!r} returned "
            f"{value!r} for {framework.slug!r}; a rating is a score from 0 to 5 with optional text"
        )
    if not rationale:
        # Every rating a client reads says why; a hook that gives none still gets a sentence.
        rationale = (
            f"{framework.title} is rated {score:g} of 5 on {criterion.title.lower()} from your answers."
        )
    return float(score), rationale, caveat


def fails_must(score: float, source: str) -> bool:
    return score < MUST_MINIMUM or source == "unrated"
