"""``portal check`` and ``portal plugins``: every installed plugin and the settings, without serving.

Loads the enabled plugins (``--all``: every installed one) through the same directives
as start-up, but collects problems instead of stopping at the first one.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationConflictError

from ..scoring import PRIORITIES, model_from_catalog, score
from .catalog import Catalog
from .discovery import GROUPS, SETTINGS, Installed, enabled, installed
from .files import Kind, PluginError, PortalConfigError, Problem, SettingsError, display_path
from .ini import SettingsFile
from .schema import meaning_changes
from .todos import fold_todos
from .weights import SETTING as WEIGHTS_SETTING
from .weights import parse_weights


@dataclass
class Report:
    installed: dict[Kind, dict[str, list[Installed]]]
    enabled: dict[Kind, set[str]]
    problems: list[Problem]
    catalog: Catalog

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    def problems_of(self, distribution: str) -> list[Problem]:
        return [p for p in self.problems if p.origin == distribution]


def check(settings: dict, origin: str | SettingsFile, every: bool = False) -> Report:
    """Check the enabled plugins and the settings; ``every``: every installed plugin (``--all``)."""
    problems: list[Problem] = []
    # The core's own settings, with the environment applied, as start-up sees them.
    from ..settings import apply_environment

    try:
        settings = apply_environment(settings, origin)
    except SettingsError as error:
        problems.append(error.problem)
    found = {kind: installed(kind) for kind in GROUPS}
    chosen, weights = _enabled_names(settings, found, origin, problems)

    for kind, offers in found.items():
        for name, dists in offers.items():
            if len(dists) > 1:
                names = " and ".join(d.source.distribution for d in dists)
                problems.append(
                    Problem(names, "", "entry point", f"{kind} {name!r} is offered by both {names}")
                )

    config = Configurator(settings={})
    config.include("portal.plugins")
    config.registry.portal_problems = problems
    # Disabled plugins are not loaded at start-up, so only --all imports them.
    from . import include_plugin

    for kind in GROUPS:
        for name, dists in found[kind].items():
            for plugin in dists[:1] if every or name in chosen[kind] else ():
                try:
                    include_plugin(config, plugin)
                except PluginError as error:
                    problems.append(error.problem)
    try:
        config.commit()
    except ConfigurationConflictError as error:
        problems.append(Problem("", "", "conflict", " ".join(str(error).split())))
    catalog = config.registry.portal_catalog
    problems.extend(_warnings(catalog, chosen))
    # Disabled criteria are not loaded (portal check without --all): their questions are unknown, not wrong.
    problems.extend(_answer_references(catalog, chosen, set(found["criterion"]) - set(catalog.criteria)))
    if not any(p.level == "error" for p in problems):
        problems.extend(_golden(catalog, chosen, weights, set(found["criterion"])))
    problems = fold_todos(problems, catalog)  # what a file still says TODO: one warning line per file
    return Report(found, chosen, problems, catalog)


def _enabled_names(settings, found, origin, problems) -> tuple[dict[Kind, set[str]], dict[str, float]]:
    """The enabled plugin names, and the administrator's weights."""
    chosen: dict[Kind, set[str]] = {}
    for kind in GROUPS:
        try:
            chosen[kind] = {p.name for p in enabled(kind, settings.get(SETTINGS[kind]), found[kind], origin)}
        except PortalConfigError as error:
            problems.append(error.problem)
            chosen[kind] = set(found[kind])
    try:
        weights = parse_weights(
            settings.get(WEIGHTS_SETTING), chosen["criterion"], origin, set(found["criterion"]), problems
        )
    except PortalConfigError as error:
        problems.append(error.problem)
        weights = {}
    return chosen, weights


def _warnings(catalog: Catalog, chosen: dict[Kind, set[str]]) -> list[Problem]:
    """Doubts that do not stop start-up: gaps and disagreements between plugins."""
    warnings: list[Problem] = []
    frameworks = [f for f in catalog.frameworks.values() if f.slug in chosen["framework"]]
    criteria = [c for c in catalog.criteria.values() if c.key in chosen["criterion"]]

    def warn(dist, file, field, message):
        warnings.append(Problem(dist, display_path(file), field, message, level="warning"))

    for framework in frameworks:
        profile, file = framework.profile, framework.file
        for criterion in criteria:
            if criterion.definition.rated_by != "profiles":
                continue
            own = profile.ratings.get(criterion.key)
            default = criterion.definition.ratings.get(framework.slug)
            if own is None and default is None:
                warn(
                    framework.source.distribution,
                    file,
                    f"ratings.{criterion.key}",
                    f"does not rate the enabled criterion {criterion.key!r}; it counts as 2.5, 'not rated'",
                )
            elif own is not None and default is not None and own.score != default.score:
                warn(
                    framework.source.distribution,
                    file,
                    f"ratings.{criterion.key}.score",
                    f"{own.score:g} differs from {criterion.source.distribution}'s default "
                    f"{default.score:g}; the profile's rating is used",
                )
        for key, rating in profile.ratings.items():
            if "TODO" in rating.rationale:
                warn(framework.source.distribution, file, f"ratings.{key}.rationale", "still says TODO")
    return warnings


def _answer_references(
    catalog: Catalog, chosen: dict[Kind, set[str]], unloaded: Collection[str] = ()
) -> list[Problem]:
    """``when`` clauses and next steps must name a question and options that exist."""
    questions = {q.key: q for c in catalog.criteria.values() for q in c.questions}
    problems: list[Problem] = []

    def refer(dist, file, field, question, allowed):
        target = questions.get(question)
        if target is None and question.partition(".")[0] in unloaded:
            return  # a question of a disabled criterion, which was not read
        if target is None:
            problems.append(
                Problem(dist, display_path(file), field, f"no installed criterion asks {question!r}")
            )
            return
        known = set(target.choices)
        for key in allowed:
            if key not in known:
                problems.append(
                    Problem(
                        dist, display_path(file), f"{field}.in", f"{key!r} is not an answer of {question!r}"
                    )
                )

    def ratings_of(dist, file, ratings):
        for key, rating in ratings.items():
            for n, clause in enumerate(rating.when):
                refer(dist, file, f"ratings.{key}.when[{n}].question", clause.question, clause.allowed)

    for framework in catalog.frameworks.values():
        dist = framework.source.distribution
        ratings_of(dist, framework.file, framework.profile.ratings)
        for n, step in enumerate(framework.profile.next_steps):
            if not isinstance(step, str):
                refer(dist, framework.file, f"next_steps[{n}].question", step.question, step.allowed)
    for criterion in catalog.criteria.values():
        dist = criterion.source.distribution
        ratings_of(dist, criterion.file, criterion.definition.ratings)
        if criterion.key not in chosen["criterion"]:
            continue
        for field, message in meaning_changes(criterion.definition):
            problems.append(Problem(dist, display_path(criterion.file), field, message, level="warning"))
    return problems


def _golden(
    catalog: Catalog, chosen: dict[Kind, set[str]], custom: dict[str, float], installed_criteria=frozenset()
) -> list[Problem]:
    """Every enabled plugin's golden cases must hold on the enabled catalog (DESIGN 5).

    With the bundled default weights a case that fails is an error; with the
    administrator's own weights (``portal.weights``) it is a warning, since such
    weights may change the advice on purpose.
    """
    frameworks, criteria = chosen["framework"], chosen["criterion"]
    defaults = {k: c.definition.default_weight for k, c in catalog.criteria.items()}
    runs = [("the default weights", defaults, "error")]
    if any(defaults.get(k) != w for k, w in custom.items()):
        runs.append(("your portal.weights", {**defaults, **custom}, "warning"))
    problems: list[Problem] = []
    questions = {q.key: q for c in catalog.criteria.values() for q in c.questions}
    enabled_questions = {q.key for c in catalog.criteria.values() if c.key in criteria for q in c.questions}
    cases = []
    for plugin, case in catalog.golden_cases(frameworks, criteria):
        origin_dist, file = plugin.source.distribution, display_path(plugin.file)
        field = f"golden[{case.name!r}]"
        # A disabled criterion is not loaded: its questions are known by their key's first part.
        disabled = [
            k for k in case.answers if k not in questions and k.partition(".")[0] in installed_criteria
        ]
        unknown = [k for k in case.answers if k not in questions and k != PRIORITIES and k not in disabled]
        if unknown:
            problems.append(
                Problem(origin_dist, file, f"{field}.answers", f"no installed criterion asks {unknown[0]!r}")
            )
            continue
        skipped = disabled + [k for k in case.answers if k in questions and k not in enabled_questions]
        named = [s for s in (case.first, case.second) if s and s not in frameworks]
        if skipped or named:
            why = f"{skipped[0]!r} is not enabled" if skipped else f"framework {named[0]!r} is not enabled"
            problems.append(Problem(origin_dist, file, field, f"skipped: {why}", level="warning"))
            continue
        cases.append((origin_dist, file, field, case))
    for label, weights, level in runs:
        model = model_from_catalog(catalog, frameworks, criteria, weights)
        for origin_dist, file, field, case in cases:
            result = score(model, case.plain_answers())
            ranking = [e.framework for e in result.ranking]
            if ranking and ranking[0] in (case.first, case.second):
                continue
            expected = case.first + (f" (or {case.second})" if case.second else "")
            actual = ", ".join(f"{e.framework} {e.score:.1f}" for e in result.ranking[:3]) or "nothing ranked"
            problems.append(
                Problem(
                    origin_dist,
                    file,
                    field,
                    f"no longer holds with {label}: expected {expected} first, got {actual}",
                    level=level,
                )
            )
    return problems
