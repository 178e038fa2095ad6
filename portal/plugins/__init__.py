"""The plugin registry: directives, discovery, settings and the catalog."""

from __future__ import annotations

import logging

from .catalog import Catalog, Criterion, Framework
from .compat import incompatibility
from .directives import add_criterion, add_framework
from .discovery import GROUPS, SETTINGS, Installed, enabled, installed
from .files import PluginError, PluginSource, Problem, SettingsError
from .ini import SettingsFile
from .weights import SETTING as WEIGHTS_SETTING
from .weights import parse_weights

__all__ = [
    "Catalog",
    "Criterion",
    "Framework",
    "PluginError",
    "PluginSource",
    "Problem",
    "SettingsError",
    "include_enabled",
]

log = logging.getLogger(__name__)

# Runs after every registration action (default order 0).
SEAL_ORDER = 1000


def includeme(config) -> None:
    """Add the directives and an empty catalog; plugins are included by include_enabled."""
    config.add_directive("add_framework", add_framework)
    config.add_directive("add_criterion", add_criterion)
    # A plugin's own alembic migrations and the tables they own (portal.plugins.migrations).
    config.add_directive("add_migrations", "portal.plugins.migrations.add_migrations")
    config.registry.portal_catalog = Catalog()  # request.catalog (portal.request)
    config.registry.portal_sources = {}
    config.action(None, config.registry.portal_catalog.seal, order=SEAL_ORDER)


def include_enabled(config, origin: str | SettingsFile = "settings") -> list[Installed]:
    """Include every plugin the settings enable; ``origin`` names the settings file in errors.

    Installed but disabled plugins are neither imported nor read.
    """
    settings = config.get_settings()
    chosen: list[Installed] = []
    available = {kind: installed(kind) for kind in GROUPS}
    for kind in GROUPS:
        chosen += enabled(kind, settings.get(SETTINGS[kind]), available[kind], origin)
    criteria = {plugin.name for plugin in chosen if plugin.source.kind == "criterion"}
    warnings: list[Problem] = []
    config.registry.portal_catalog.weight_overrides = parse_weights(
        settings.get(WEIGHTS_SETTING), criteria, origin, set(available["criterion"]), warnings
    )
    for warning in warnings:
        log.warning("%s", warning)
    for plugin in chosen:
        include_plugin(config, plugin)
    return chosen


def include_plugin(config, plugin: Installed) -> None:
    """Include one plugin's module; a failure names the distribution, not a traceback."""
    refused = incompatibility(plugin)  # built for another version of the core
    if refused is not None:
        raise PluginError(refused)
    package = plugin.module.partition(":")[0]
    config.registry.portal_sources[package] = plugin.source
    config.registry.portal_sources[package.partition(".")[0]] = plugin.source
    try:
        config.include(plugin.module)
    except PluginError:
        raise
    except Exception as error:  # whatever a third-party includeme raises
        verb = "imported" if isinstance(error, ImportError) else "included"
        message = f"cannot be {verb}: {type(error).__name__}: {error}"
        dist = plugin.source.distribution
        suggestion = f"reinstall {dist} with its dependencies, or disable it"
        problem = Problem(dist, plugin.module, "includeme", message, suggestion=suggestion)
        raise PluginError(problem) from error
