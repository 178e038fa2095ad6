"""``portal check``'s findings across plugins: what each file alone cannot show.

Each finding names the plugin whose file must change: a profile's rating for a
criterion nobody installed is the profile's; a criterion's default rating for a
framework nobody installed (a typo such as ``tornadoo``) is the criterion's, and
then the framework is not also blamed for leaving the criterion unrated.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from .catalog import Catalog, Criterion, Framework
from .files import Kind, Problem, display_path
from .messages import did_you_mean
from .schema import Rating, is_follow_up, meaning_changes

# A profile's score and a criterion's default this far apart on the 0–5 rubric mean
# that one of the two authors misread it: a point apart is a judgement call, two
# points (40% of the scale) are not.
DISAGREEMENT = 2.0

Pair = tuple[str, str]  # (framework slug, criterion key)


def findings(
    catalog: Catalog, chosen: dict[Kind, set[str]], installed: dict[Kind, Collection[str]]
) -> list[Problem]:
    """Every cross-plugin finding over the loaded catalog (``installed`` are entry point names)."""
    problems, explained = _unknown_rating_keys(catalog, installed)
    problems += _unrated_and_disagreeing(catalog, chosen, explained)
    problems += _empty_rationales(catalog)
    # Disabled criteria are not loaded (portal check without --all): their questions are unknown, not wrong.
    problems += _answer_references(catalog, chosen, set(installed["criterion"]) - set(catalog.criteria))
    problems += _unreachable(catalog, chosen)
    problems += _equal_needs(catalog, chosen)
    return problems


def _warning(dist: str, file: str, field: str, message: str, suggestion: str = "") -> Problem:
    return Problem(dist, display_path(file), field, message, level="warning", suggestion=suggestion)


def _unknown_rating_keys(
    catalog: Catalog, installed: dict[Kind, Collection[str]]
) -> tuple[list[Problem], set[Pair]]:
    """Ratings of plugins that are not installed; the pairs a misspelt key leaves unrated."""
    problems: list[Problem] = []
    explained: set[Pair] = set()
    criteria, frameworks = sorted(installed["criterion"]), sorted(installed["framework"])
    for framework in catalog.frameworks.values():
        for key in framework.profile.ratings:
            if key in criteria:
                continue
            suggestion = did_you_mean(key, criteria)
            if suggestion:
                explained.add((framework.slug, _suggested(suggestion)))
            problems.append(
                _warning(
                    framework.source.distribution,
                    framework.file,
                    f"ratings.{key}",
                    f"rates {key!r}, but no installed criterion has that key, so the rating is unused",
                    suggestion or f"remove it, or install the criterion plugin {key!r} it was written for",
                )
            )
    for criterion in catalog.criteria.values():
        for slug in criterion.definition.ratings:
            if slug in frameworks:
                continue
            suggestion = did_you_mean(slug, frameworks)
            if suggestion:
                explained.add((_suggested(suggestion), criterion.key))
            problems.append(
                _warning(
                    criterion.source.distribution,
                    criterion.file,
                    f"ratings.{slug}",
                    f"a default rating for {slug!r}, but no installed framework has that slug, "
                    "so the rating is unused",
                    suggestion or f"remove it, or install the framework plugin {slug!r} it was written for",
                )
            )
    return problems, explained


def _suggested(suggestion: str) -> str:
    return suggestion.split("'")[1]


def _unrated_and_disagreeing(
    catalog: Catalog, chosen: dict[Kind, set[str]], explained: set[Pair]
) -> list[Problem]:
    """Gaps and disagreements between a profile and the criteria it should rate."""
    problems: list[Problem] = []
    frameworks = [f for f in catalog.frameworks.values() if f.slug in chosen["framework"]]
    criteria = [c for c in catalog.criteria.values() if c.key in chosen["criterion"]]
    for framework in frameworks:
        dist, file = framework.source.distribution, framework.file
        for criterion in criteria:
            if criterion.definition.rated_by != "profiles" or (framework.slug, criterion.key) in explained:
                continue
            own = framework.profile.ratings.get(criterion.key)
            default = criterion.definition.ratings.get(framework.slug)
            if own is None and default is None:
                problems.append(
                    _warning(
                        dist,
                        file,
                        f"ratings.{criterion.key}",
                        f"does not rate the enabled criterion {criterion.key!r}; "
                        "it counts as 2.5, 'not rated'",
                        f"add [ratings.{criterion.key}] with a score by its rubric: {_short(criterion)}",
                    )
                )
            elif own is not None and default is not None and abs(own.score - default.score) >= DISAGREEMENT:
                problems.append(
                    _warning(
                        dist,
                        file,
                        f"ratings.{criterion.key}.score",
                        f"{own.score:g} is {abs(own.score - default.score):g} points from "
                        f"{criterion.source.distribution}'s default {default.score:g}; the profile's "
                        "rating is used",
                        f"check both against the rubric ({_short(criterion)}) and correct the one that "
                        "misreads it",
                    )
                )
        for key, rating in framework.profile.ratings.items():
            if "TODO" in rating.rationale:
                problems.append(_warning(dist, file, f"ratings.{key}.rationale", "still says TODO"))
    return problems


def _short(criterion: Criterion, limit: int = 90) -> str:
    rubric = " ".join(criterion.definition.rubric.split())
    return rubric if len(rubric) <= limit else rubric[: limit - 1].rstrip() + "…"


def _ratings_of(plugin: Framework | Criterion) -> dict[str, Rating]:
    if isinstance(plugin, Framework):
        return dict(plugin.profile.ratings)
    return dict(plugin.definition.ratings)


def _plugins(catalog: Catalog) -> Iterator[Framework | Criterion]:
    yield from catalog.frameworks.values()
    yield from catalog.criteria.values()


def _empty_rationales(catalog: Catalog) -> list[Problem]:
    """A rationale of nothing but spaces: the client would read an empty reason."""
    problems = []
    for plugin in _plugins(catalog):
        for key, rating in _ratings_of(plugin).items():
            texts = [(f"ratings.{key}.rationale", rating.rationale)]
            texts += [(f"ratings.{key}.when[{n}].rationale", w.rationale) for n, w in enumerate(rating.when)]
            for field, text in texts:
                if not text.strip():
                    problems.append(
                        _warning(
                            plugin.source.distribution,
                            plugin.file,
                            field,
                            "is empty: the client reads it as the reason for the score",
                            "say in a sentence or two why the framework earns this score",
                        )
                    )
    return problems


def _answer_references(
    catalog: Catalog, chosen: dict[Kind, set[str]], unloaded: Collection[str] = ()
) -> list[Problem]:
    """``when`` clauses and next steps must name a question and options that exist."""
    questions = {q.key: q for c in catalog.criteria.values() for q in c.questions}
    problems: list[Problem] = []

    def refer(dist, file, where, question, allowed):
        target = questions.get(question)
        if target is None and question.partition(".")[0] in unloaded:
            return  # a question of a disabled criterion, which was not read
        if target is None:
            suggestion = did_you_mean(question, questions) or "name a question of an installed criterion"
            message = f"no installed criterion asks {question!r}"
            problems.append(
                Problem(dist, display_path(file), f"{where}.question", message, suggestion=suggestion)
            )
            return
        for key in allowed:
            if key not in target.choices:
                suggestion = did_you_mean(key, target.choices) or f"answers: {', '.join(target.choices)}"
                message = f"{key!r} is not an answer of {question!r}"
                problems.append(
                    Problem(dist, display_path(file), f"{where}.in", message, suggestion=suggestion)
                )

    def ratings_of(plugin):
        for key, rating in _ratings_of(plugin).items():
            for n, clause in enumerate(rating.when):
                where = f"ratings.{key}.when[{n}]"
                refer(plugin.source.distribution, plugin.file, where, clause.question, clause.allowed)

    for framework in catalog.frameworks.values():
        ratings_of(framework)
        for n, step in enumerate(framework.profile.next_steps):
            if not isinstance(step, str):
                where = f"next_steps[{n}]"
                refer(framework.source.distribution, framework.file, where, step.question, step.allowed)
    for criterion in catalog.criteria.values():
        ratings_of(criterion)
        if criterion.key not in chosen["criterion"]:
            continue
        for field, message in meaning_changes(criterion.definition):
            problems.append(_warning(criterion.source.distribution, criterion.file, field, message))
    return problems


def _unreachable(catalog: Catalog, chosen: dict[Kind, set[str]]) -> list[Problem]:
    """Questions no answers can show: a condition on answers not offered, or on such a question.

    A file whose condition names a missing option is refused when it is read; what
    remains are options that depend on the enabled frameworks (``options_from``) and
    the questions that hang on an unreachable one.
    """
    problems = []
    for criterion in catalog.criteria.values():
        if criterion.key not in chosen["criterion"]:
            continue
        asked = {q.key: q for q in criterion.questions}
        never: set[str] = set()
        for i, question in enumerate(criterion.questions):
            condition = question.condition
            if condition is None or condition.question not in asked:
                continue
            target = asked[condition.question]
            offered = [key for key in condition.allowed if key in target.choices]
            if condition.question in never:
                why = f"it follows {condition.question!r}, which is never asked"
                suggestion = f"fix the condition of {condition.question!r} first"
            elif not offered:
                why = (
                    f"its condition needs {condition.question!r} answered "
                    f"{' or '.join(map(repr, condition.allowed))}, and no enabled plugin offers that answer"
                )
                missing = condition.allowed[0]
                suggestion = did_you_mean(missing, target.choices) or (
                    f"enable the plugin {missing!r}, or list answers that exist: {', '.join(target.choices)}"
                )
            else:
                continue
            never.add(question.key)
            problems.append(
                _warning(
                    criterion.source.distribution,
                    criterion.file,
                    f"questions[{i}].condition",
                    f"{question.key!r} is never asked: {why}",
                    suggestion,
                )
            )
    return problems


def _equal_needs(catalog: Catalog, chosen: dict[Kind, set[str]]) -> list[Problem]:
    """A question whose every answer gives the same need (or factor) changes nothing.

    Not for questions whose options come from the frameworks or whose criterion has a
    hook (the hook reads the answers), nor for questions that a condition, a ``when``
    clause or a next step reads: there the answer matters elsewhere.
    """
    read = _questions_read(catalog)
    problems = []
    for criterion in catalog.criteria.values():
        if criterion.key not in chosen["criterion"] or criterion.need or criterion.fit:
            continue
        for i, question in enumerate(criterion.definition.questions):
            if question.options_from is not None or question.key in read or len(question.options) < 2:
                continue
            follow_up = is_follow_up(question, criterion.definition)
            values = {o.factor_value if follow_up else o.need_value for o in question.options}
            if len(values) > 1:
                continue
            word = "factor" if follow_up else "need"
            problems.append(
                _warning(
                    criterion.source.distribution,
                    criterion.file,
                    f"questions[{i}].options",
                    f"every option of {question.key!r} gives {word} {values.pop():g}, so the answer changes "
                    "nothing",
                    f"give the options the {word}s their answers deserve, or remove the question",
                )
            )
    return problems


def _questions_read(catalog: Catalog) -> set[str]:
    """Questions whose answers something besides their need reads."""
    read: set[str] = set()
    for plugin in _plugins(catalog):
        for rating in _ratings_of(plugin).values():
            read.update(clause.question for clause in rating.when)
    for framework in catalog.frameworks.values():
        read.update(s.question for s in framework.profile.next_steps if not isinstance(s, str))
    for criterion in catalog.criteria.values():
        read.update(q.condition.question for q in criterion.definition.questions if q.condition is not None)
    return read
