"""The workspace's list as CSV: one row per assessment, safe to open in a spreadsheet.

A cell a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-`` or ``@``,
or with a tab or carriage return, which some programs strip first) gets a leading single
quote, so a title like ``=HYPERLINK(...)`` stays text (OWASP's CSV injection advice).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HEADER = (
    "title",
    "client",
    "status",
    "created",
    "updated",
    "first framework",
    "first score",
    "second framework",
    "second score",
    "confidence",
    "decision",
)


def neutralise(value: Any) -> str:
    """A cell as text, with a quote in front of anything a spreadsheet would evaluate."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _score(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def row_of(item) -> list[str]:
    """One ``portal.workspace.Listed`` as the CSV's cells."""
    decision = ""
    if item.decision_title:
        decision = f"{item.decision_title} ({item.decided_on:%Y-%m-%d})"
    cells = [
        item.title,
        item.client,
        item.status,
        f"{item.created:%Y-%m-%d %H:%M}",
        f"{item.updated:%Y-%m-%d %H:%M}",
        item.first_title,
        _score(item.first_score),
        item.second_title,
        _score(item.second_score),
        item.confidence,
        decision,
    ]
    return [neutralise(cell) for cell in cells]


def to_csv(items: Iterable) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for item in items:
        writer.writerow(row_of(item))
    return out.getvalue()
