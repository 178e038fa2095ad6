"""``config.add_framework`` and ``config.add_criterion``, the plugin API.

Modelled on Substance D's ``add_content_type``: the file is parsed and validated
now, so a bad file stops start-up with one ``PluginError`` line; only the
registration is deferred, through ``config.action`` with a discriminator, so
two plugins claiming one name raise Pyramid's ``ConfigurationConflictError``.
"""

from __future__ import annotations

import importlib.metadata
from functools import cache

from pyramid.config.actions import ActionInfo
from pyramid.path import AssetResolver

from .catalog import Catalog, Criterion, Framework
from .files import PluginError, PluginSource, Problem, display_path, load_criterion, load_profile

# View names of the catalogs and other words a slug must not shadow.
RESERVED = frozenset({"compare", "new", "search", "index", "static", "portal"})


def add_framework(config, spec: str) -> None:
    """Register the framework profile in the TOML file at asset ``spec``."""
    path, source = _locate(config, spec, "framework")
    profile, problems = load_profile(path, source)
    if profile is not None:
        problems = _identity_problems(profile.slug, "slug", source, path)
    if problems:
        return _report(config, problems, path)
    framework = Framework(profile, source, path)

    intr = config.introspectable("portal frameworks", profile.slug, profile.title, "portal framework")
    intr.update(slug=profile.slug, distribution=source.distribution, version=source.version, file=path)

    def register() -> None:
        catalog(config.registry).add_framework(framework)

    _attributed(config, path, source, profile.slug).action(
        ("portal.framework", profile.slug), register, introspectables=(intr,)
    )


def add_criterion(config, spec: str, need=None, fit=None) -> None:
    """Register the criterion in the TOML file at ``spec``, with optional Python hooks."""
    path, source = _locate(config, spec, "criterion")
    definition, problems = load_criterion(path, source)
    if definition is not None:
        problems = _identity_problems(definition.key, "key", source, path)
        need, fit = config.maybe_dotted(need), config.maybe_dotted(fit)
        for name, hook in (("need", need), ("fit", fit)):
            if hook is not None and not callable(hook):
                problems.append(
                    Problem(source.distribution, display_path(path), name, "hook is not callable")
                )
    if problems:
        return _report(config, problems, path)
    criterion = Criterion(definition, source, path, need=need, fit=fit)

    intr = config.introspectable("portal criteria", definition.key, definition.title, "portal criterion")
    intr.update(key=definition.key, distribution=source.distribution, version=source.version, file=path)

    def register() -> None:
        catalog(config.registry).add_criterion(criterion)

    _attributed(config, path, source, definition.key).action(
        ("portal.criterion", definition.key), register, introspectables=(intr,)
    )


def catalog(registry) -> Catalog:
    return registry.portal_catalog


def _locate(config, spec: str, kind) -> tuple[str, PluginSource]:
    asset = AssetResolver(config.package_name).resolve(spec)
    path = asset.abspath()
    package = getattr(asset, "pkg_name", None) or config.package_name  # absolute paths have none
    sources: dict[str, PluginSource] = getattr(config.registry, "portal_sources", {})
    source = sources.get(package) or _source_of_package(package.partition(".")[0], kind)
    return path, source


@cache
def _source_of_package(package: str, kind) -> PluginSource:
    """For directives called outside entry-point loading (an app's own includeme, tests)."""
    names = importlib.metadata.packages_distributions().get(package, [])
    if not names:
        return PluginSource(kind, f"(package {package})", "0")
    return PluginSource(kind, names[0], importlib.metadata.version(names[0]))


def _identity_problems(name: str, field: str, source: PluginSource, path: str) -> list[Problem]:
    file = display_path(path)
    if source.entry_point is not None and name != source.entry_point:
        message = f"{name!r} must equal the entry point name {source.entry_point!r}"
        suggestion = f'write {field} = "{source.entry_point}", or rename the entry point in pyproject.toml'
        return [Problem(source.distribution, file, field, message, suggestion=suggestion)]
    if name in RESERVED:
        suggestion = f"choose another {field}; reserved: {', '.join(sorted(RESERVED))}"
        return [Problem(source.distribution, file, field, f"{name!r} is reserved", suggestion=suggestion)]
    return []


def _report(config, problems: list[Problem], path: str) -> None:
    """Stop start-up on the first problem, or collect them all for ``portal check``."""
    from .positions import with_positions  # only a plugin with problems comes here

    problems = with_positions(problems, path)
    collected = getattr(config.registry, "portal_problems", None)
    if collected is None:
        raise PluginError(problems[0], more=len(problems) - 1)
    collected.extend(problems)


def _attributed(config, path: str, source: PluginSource, name: str):
    # A conflict report then names each side's file and distribution instead
    # of the line in includeme that called the directive.
    attributed = config.with_package(config.package)
    attributed.info = ActionInfo(
        path, 1, source.distribution, f"{name} from {source.distribution} {source.version}"
    )
    return attributed
