"""``portal check`` and ``portal plugins``: every installed plugin and the settings, without serving.

Loads the enabled plugins (``--all``: every installed one) through the same directives
as start-up, but collects problems instead of stopping at the first one.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationConflictError

from ..scoring import PRIORITIES, model_from_catalog, score
from .catalog import Catalog
from .discovery import GROUPS, SETTINGS, Installed, enabled, installed
from .files import Kind, PluginError, PortalConfigError, Problem, SettingsError, display_path
from .ini import SettingsFile
from .lint import findings as cross_plugin_findings
from .messages import did_you_mean
from .positions import with_positions
from .todos import fold_todos
from .weights import SETTING as WEIGHTS_SETTING
from .weights import parse_weights


@dataclass
class Report:
    installed: dict[Kind, dict[str, list[Installed]]]
    enabled: dict[Kind, set[str]]
    problems: list[Problem]
    catalog: Catalog
    settings_file: str = ""  # the ini file, as problems with the settings name it

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
                message, suggestion = f"{kind} {name!r} is offered by both {names}", "uninstall one of them"
                problems.append(Problem(names, "", "entry point", message, suggestion=suggestion))

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
    problems.extend(cross_plugin_findings(catalog, chosen, {kind: set(found[kind]) for kind in GROUPS}))
    if not any(p.level == "error" for p in problems):
        problems.extend(_golden(catalog, chosen, weights, set(found["criterion"])))
    problems = fold_todos(problems, catalog)  # what a file still says TODO: one warning line per file
    return Report(found, chosen, _with_lines(problems), catalog, str(origin))


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


def _with_lines(problems: list[Problem]) -> list[Problem]:
    """Each problem in a plugin file with its line: every such file is parsed again, once."""
    files = dict.fromkeys(p.file for p in problems if p.file.endswith(".toml") and p.line is None)
    located = {file: iter(with_positions([p for p in problems if p.file == file], file)) for file in files}
    return [next(located[p.file]) if p.file in located else p for p in problems]


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
            message = f"no installed criterion asks {unknown[0]!r}"
            suggestion = did_you_mean(unknown[0], questions) or "answer questions of installed criteria"
            problems.append(Problem(origin_dist, file, f"{field}.answers", message, suggestion=suggestion))
            continue
        skipped = disabled + [k for k in case.answers if k in questions and k not in enabled_questions]
        named = [s for s in (case.first, case.second) if s and s not in frameworks]
        if skipped or named:
            missing = skipped[0].partition(".")[0] if skipped else named[0]
            why = f"{skipped[0]!r} is not enabled" if skipped else f"framework {named[0]!r} is not enabled"
            problems.append(
                Problem(
                    origin_dist,
                    file,
                    field,
                    f"skipped: {why}",
                    level="warning",
                    suggestion=f"enable {missing!r} to run this case",
                )
            )
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
                    suggestion="if the new first is the right advice, change the case's first; else find "
                    "the rating or need that moved it",
                )
            )
    return problems
