"""``portal plugins``: every installed plugin, enabled, disabled or broken, with the weights in effect."""

from __future__ import annotations

from .check import Report
from .files import PortalConfigError
from .ini import SettingsFile
from .weights import SETTING as WEIGHTS_SETTING
from .weights import parse_weights

KIND_TITLES = {"framework": "Frameworks", "criterion": "Criteria"}


def plugin_lines(report: Report, settings: dict, origin: str | SettingsFile) -> list[str]:
    """One line per installed distribution: name, distribution, version, state (and a
    criterion's weight), then every problem as ``portal check`` prints it.

    ``report`` is ``check(..., every=True)``'s: a disabled plugin is read too, so a
    broken one shows before anyone enables it.
    """
    weights = _weights(report, settings, origin)
    rows: dict[str, list[tuple[str, str, str, str]]] = {}
    for kind, offers in report.installed.items():
        rows[kind] = []
        for name, dists in offers.items():
            for plugin in dists:
                on = name in report.enabled[kind]
                state = ["enabled" if on else "disabled"]
                errors = [p for p in report.problems_of(plugin.source.distribution) if p.level == "error"]
                if errors:
                    state.append(f"broken ({_count(len(errors), 'error')})")
                elif kind == "criterion" and on:
                    state.append(_weight(report, name, weights))
                rows[kind].append((name, plugin.source.distribution, plugin.source.version, ", ".join(state)))
    every = [row for kind_rows in rows.values() for row in kind_rows]
    widths = [max((len(row[i]) for row in every), default=0) for i in range(3)]
    lines = []
    for kind, kind_rows in rows.items():
        lines.append(f"{KIND_TITLES[kind]}:" if kind_rows else f"{KIND_TITLES[kind]}: none installed")
        lines += [
            "  " + "  ".join(c.ljust(w) for c, w in zip(row[:3], widths, strict=True)) + "  " + row[3]
            for row in kind_rows
        ]
    lines += [f"{problem.level}: {problem}" for problem in report.problems]
    return lines


def _weights(report: Report, settings: dict, origin) -> dict[str, float]:
    """The administrator's weights as start-up applies them (none while they are wrong)."""
    try:
        return parse_weights(
            settings.get(WEIGHTS_SETTING),
            report.enabled["criterion"],
            origin,
            set(report.installed["criterion"]),
            [],
        )
    except PortalConfigError:
        return {}  # the error is among the report's problems


def _weight(report: Report, key: str, weights: dict[str, float]) -> str:
    criterion = report.catalog.criteria.get(key)
    if criterion is None:
        return "weight unknown"
    default = criterion.definition.default_weight
    if key in weights and weights[key] != default:
        return f"weight {weights[key]:g} (yours; default {default:g})"
    return f"weight {default:g} (default)"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
