"""Which plugins are installed (entry points) and which the settings enable."""

from __future__ import annotations

import importlib.metadata
from collections import defaultdict
from dataclasses import dataclass

from .files import Kind, PluginSource, Problem, SettingsError

GROUPS: dict[Kind, str] = {"framework": "portal.frameworks", "criterion": "portal.criteria"}
SETTINGS: dict[Kind, str] = {"framework": "portal.frameworks", "criterion": "portal.criteria"}


@dataclass(frozen=True)
class Installed:
    """One entry point offered by one installed distribution."""

    source: PluginSource
    module: str

    @property
    def name(self) -> str:
        return self.source.entry_point or ""


def installed(kind: Kind) -> dict[str, list[Installed]]:
    """Entry point name -> every distribution offering it (usually exactly one)."""
    found: dict[str, list[Installed]] = defaultdict(list)
    for entry_point in importlib.metadata.entry_points(group=GROUPS[kind]):
        dist = entry_point.dist
        source = PluginSource(
            kind=kind,
            distribution=dist.name if dist else f"(unknown, module {entry_point.module})",
            version=dist.version if dist else "0",
            entry_point=entry_point.name,
        )
        found[entry_point.name].append(Installed(source, entry_point.value))
    return {
        name: sorted(offers, key=lambda o: o.source.distribution) for name, offers in sorted(found.items())
    }


def parse_selection(value: str | None) -> tuple[str, ...] | None:
    """``*`` (or absent) means every installed plugin: None. Otherwise the listed names."""
    if value is None or value.strip() == "*":
        return None
    return tuple(value.split())


def enabled(
    kind: Kind, value: str | None, available: dict[str, list[Installed]], origin: str
) -> list[Installed]:
    """The installed plugins a setting enables, in a stable order.

    A name offered by two distributions yields both: their registrations then
    collide and Pyramid's conflict error names both files and distributions.
    """
    names = parse_selection(value)
    if names is None:
        return [offer for offers in available.values() for offer in offers]
    setting = SETTINGS[kind]
    seen: set[str] = set()
    chosen: list[Installed] = []
    for name in names:
        if name == "*":
            message = "'*' cannot be combined with names"
            raise SettingsError(Problem(origin, "", setting, message))
        if name in seen:
            raise SettingsError(Problem(origin, "", setting, f"{name!r} is listed twice"))
        seen.add(name)
        if name not in available:
            message = (
                f"{name!r} is not installed (installed: {', '.join(available) or 'none'}); "
                f"install the distribution that provides it, e.g. portal-{kind}-{name}"
            )
            raise SettingsError(Problem(origin, "", setting, message))
        chosen.extend(available[name])
    return chosen
