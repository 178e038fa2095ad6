"""The Markdown report of a revision: the same content as its page, as plain text.

Text typed by a client or written by a plugin is escaped, so it can neither add
Markdown structure (headings, links, tables) nor raw HTML to the report.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from .results import Labels, analysis_sentences, next_steps

# Escaped text never starts a line, so only inline syntax matters: emphasis, code,
# links and images (brackets), raw HTML and entities, table cells, strikethrough.
_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~])")


def md(text: Any) -> str:
    """Escape text for Markdown: one line, no structure, no HTML."""
    flat = " ".join(str(text).split())
    return _SPECIAL.sub(r"\\\1", flat)


def render_report(title: str, number: int, created: datetime, snapshot: dict[str, Any], url: str) -> str:
    labels = Labels.of(snapshot)
    result = snapshot["result"]
    ranking = result["ranking"]
    lines = [f"# Framework recommendation: {md(title)}", ""]
    lines += [f"Revision {number}, completed {created:%Y-%m-%d %H:%M} UTC. Online: <{url}>", ""]
    if not ranking:
        lines += ["No answer expressed a preference, so nothing was ranked.", ""]
    else:
        winner = ranking[0]
        lines += [
            "## Recommendation",
            "",
            f"**{md(winner['title'])}** ranks first with {winner['score']:.1f} of 100.",
            "",
        ]
        confidence = result["confidence"]
        lines += [f"Confidence: {md(confidence['level'])}. {md(confidence['why'])}", ""]
        if result.get("priorities"):
            stressed = ", ".join(md(labels.criteria.get(k, k)) for k in result["priorities"])
            lines += [f"What matters most to you: {stressed}.", ""]
        lines += ["## Ranking", "", "| Rank | Framework | Score | Warnings |", "|---:|---|---:|---|"]
        for entry in ranking:
            warnings = "; ".join(md(w) for w in entry["warnings"]) or "none"
            lines.append(f"| {entry['rank']} | {md(entry['title'])} | {entry['score']:.1f} | {warnings} |")
        lines += ["", "## Why it ranks first", ""]
        for reason in winner["reasons"]:
            name = labels.criteria.get(reason["criterion"], reason["criterion"])
            line = f"- **{md(name)}**: {md(reason['rationale'] or 'not rated')}"
            if reason.get("caveat"):
                line += f" To know: {md(reason['caveat'])}"
            lines.append(line)
        lines += ["", "## Why not the others", ""]
        for entry in ranking[1:]:
            losses = (
                ", ".join(md(labels.criteria.get(w["criterion"], w["criterion"])) for w in entry["why_not"])
                or "no single criterion"
            )
            lines.append(f"- **{md(entry['title'])}** ({entry['score']:.1f}): loses most on {losses}.")
        lines += ["", "## What would change the answer", ""]
        sensitivity, what_if = analysis_sentences(snapshot)
        sentences = sensitivity + what_if
        lines += [f"- {md(s)}" for s in sentences] or [
            "- No single change of weight or answer changes the first place."
        ]
        steps = next_steps(snapshot, winner)
        if steps:
            lines += ["", f"## Next steps with {md(winner['title'])}", ""]
            lines += [f"{i}. {md(step)}" for i, step in enumerate(steps, start=1)]
    lines += ["", "## Answers", ""]
    for key, value in snapshot["answers"].items():
        lines.append(f"- {md(labels.questions.get(key, key))}: {md(labels.answer(key, value))}")
    if result["uncertain"]:
        lines += [
            "",
            "Answered “Not sure”: " + "; ".join(md(labels.questions.get(k, k)) for k in result["uncertain"]),
        ]
    lines += ["", "## Plugins used", ""]
    for kind in ("frameworks", "criteria"):
        lines.append(
            f"- {kind.capitalize()}: " + ", ".join(f"{md(n)} {md(v)}" for n, v in snapshot[kind].items())
        )
    return "\n".join(lines) + "\n"
