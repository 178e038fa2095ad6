"""``portal check`` and ``portal plugins``: every installed plugin and the settings, without serving.

Loads every installed plugin, enabled or not, through the same directives as
start-up, but collects problems instead of stopping at the first one.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationConflictError

from .catalog import Catalog
from .discovery import GROUPS, SETTINGS, Installed, enabled, installed
from .files import Kind, PluginError, PortalConfigError, Problem, SettingsError, display_path
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


def check(settings: dict, origin: str) -> Report:
    problems: list[Problem] = []
    # The core's own settings, with the environment applied, as start-up sees them.
    from ..settings import apply_environment

    try:
        settings = apply_environment(settings, origin)
    except SettingsError as error:
        problems.append(error.problem)
    found = {kind: installed(kind) for kind in GROUPS}
    chosen = _enabled_names(settings, found, origin, problems)

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
    # Import all plugins, enabled or not: a disabled plugin may be enabled tomorrow.
    from . import include_plugin

    for kind in GROUPS:
        for dists in found[kind].values():
            for plugin in dists[:1]:
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
    return Report(found, chosen, problems, catalog)


def _enabled_names(settings, found, origin, problems) -> dict[Kind, set[str]]:
    chosen: dict[Kind, set[str]] = {}
    for kind in GROUPS:
        try:
            chosen[kind] = {p.name for p in enabled(kind, settings.get(SETTINGS[kind]), found[kind], origin)}
        except PortalConfigError as error:
            problems.append(error.problem)
            chosen[kind] = set(found[kind])
    try:
        parse_weights(settings.get(WEIGHTS_SETTING), chosen["criterion"], origin)
    except PortalConfigError as error:
        problems.append(error.problem)
    return chosen


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
