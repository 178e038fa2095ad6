"""Which plugins are installed (entry points) and which the settings enable."""

from __future__ import annotations

import importlib.metadata
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from .files import Kind, PluginSource, SettingsError
from .ini import SettingsFile
from .messages import did_you_mean

GROUPS: dict[Kind, str] = {"framework": "portal.frameworks", "criterion": "portal.criteria"}
SETTINGS: dict[Kind, str] = {"framework": "portal.frameworks", "criterion": "portal.criteria"}


@dataclass(frozen=True)
class Installed:
    """One entry point offered by one installed distribution."""

    source: PluginSource
    module: str
    # Its metadata says which core versions it was built for (portal.plugins.compat).
    dist: importlib.metadata.Distribution | None = field(default=None, compare=False, repr=False)

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
        found[entry_point.name].append(Installed(source, entry_point.value, dist))
    return {
        name: sorted(offers, key=lambda o: o.source.distribution) for name, offers in sorted(found.items())
    }


def enabled(
    kind: Kind, value: str | None, available: dict[str, list[Installed]], origin: str | SettingsFile
) -> list[Installed]:
    """The installed plugins a setting enables, in a stable order.

    ``*`` (or no setting) is every installed plugin, ``* -a -b`` all but those, and a
    list of names exactly those. A name offered by two distributions yields both: their
    registrations then collide and Pyramid's conflict error names both files and
    distributions.
    """
    source, setting = SettingsFile.of(origin), SETTINGS[kind]

    def fail(message: str, suggestion: str = "") -> SettingsError:
        return source.error(setting, message, value, suggestion=suggestion)

    words = (value if value is not None else "*").split()
    everything = bool(words) and words[0] == "*"
    seen: set[str] = set()
    for word in words[1:] if everything else words:
        name = word.removeprefix("-")
        if name == "*":
            raise fail("'*' cannot be combined with names and comes first", "'* -name' enables all but name")
        if everything and name == word:
            raise fail("'*' cannot be combined with names", f"exclude with a minus, as in '* -{name}'")
        if not everything and name != word:
            raise fail(f"{word!r} excludes from nothing", f"write '* {word}' to enable all but {name}")
        if name in seen:
            raise fail(f"{name!r} is listed twice")
        seen.add(name)
        if name not in available:
            message, suggestion = not_installed(kind, name, available)
            raise fail((f"{word}: " if everything else "") + message, suggestion)
    if everything:
        return [offer for name, offers in available.items() if name not in seen for offer in offers]
    return [offer for word in words for offer in available[word]]


def not_installed(kind: Kind, name: str, available: Collection[str]) -> tuple[str, str]:
    """(message, suggestion) for a name no installed plugin offers: the closest one, or what to install."""
    message = f"{name!r} is not installed (installed: {', '.join(available) or 'none'})"
    suggestion = did_you_mean(name, available)
    return message, suggestion or f"install the distribution that provides it, e.g. portal-{kind}-{name}"
