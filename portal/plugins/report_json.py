"""``portal check --format json``: the findings for editors and CI, in a stable shape.

The shape is public (docs/administrators.md, "portal check"): add keys freely,
never rename or remove one without raising ``format``.
"""

from __future__ import annotations

import json
from typing import Any

from .check import Report
from .files import Problem

FORMAT = 1


def as_json(report: Report, checked: int) -> str:
    document = {
        "format": FORMAT,
        "plugins_checked": checked,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "findings": [finding(problem, report.settings_file) for problem in report.problems],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def finding(problem: Problem, settings_file: str) -> dict[str, Any]:
    """One problem: a plugin's names its distribution and file, a setting's its ini file."""
    from_settings = not problem.file and (
        problem.origin == settings_file or problem.origin.startswith("environment variable ")
    )
    if from_settings:
        distribution = None
        file = problem.origin if problem.origin == settings_file else None
    else:
        distribution, file = problem.origin or None, problem.file or None
    return {
        "level": problem.level,
        "distribution": distribution,
        "file": file,
        "line": problem.line,
        "column": problem.column,
        "field": problem.field or None,
        "message": problem.message,
        "suggestion": problem.suggestion or None,
        "text": str(problem),
    }
