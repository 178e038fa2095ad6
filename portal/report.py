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


def render_report(
    title: str, number: int, created: datetime, snapshot: dict[str, Any], url: str, decision=None
) -> str:
    """The report of a revision; once a decision is recorded (``decision``: a
    ``portal.models.Decision``), an architecture decision record instead."""
    if decision is not None:
        return render_decision_record(title, number, created, snapshot, url, decision)
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


def _answer_lines(snapshot: dict[str, Any], labels: Labels) -> list[str]:
    return [
        f"- {md(labels.questions.get(key, key))}: {md(labels.answer(key, value))}"
        for key, value in snapshot["answers"].items()
    ]


def render_decision_record(
    title: str, number: int, created: datetime, snapshot: dict[str, Any], url: str, decision
) -> str:
    """An architecture decision record: title, status, context (the brief and its answers),
    options considered (the ranking), the decision, its consequences (the chosen framework's
    caveats and next steps, as the snapshot holds them)."""
    labels = Labels.of(snapshot)
    result = snapshot["result"]
    ranking = result["ranking"]
    entries = {entry["framework"]: entry for entry in ranking}
    chosen = entries.get(decision.framework)
    chosen_title = labels.frameworks.get(decision.framework, decision.framework)
    if chosen:
        chosen_title = chosen["title"]
    recommended = ranking[0] if ranking else None
    lines = [f"# Decision record: {md(chosen_title)} for {md(title)}", ""]
    lines += ["## Status", ""]
    answered = "" if decision.revision is None else f", on the result of revision {decision.revision}"
    lines += [
        f"Accepted, decided on {decision.decided_on:%Y-%m-%d} "
        f"(version {decision.version} of this decision, recorded by {md(decision.author_name)}{answered}).",
        "",
    ]
    if decision.revision is not None and decision.revision != number:
        newer = "newer" if number > decision.revision else "older"
        lines += [
            f"This record shows revision {number}, {newer} than the one the decision answered: its "
            "answers and ranking may differ from those the decision was made on.",
            "",
        ]
    lines += ["## Context", ""]
    lines += [
        f"The brief: {md(title)}. Its answers as of revision {number}, completed "
        f"{created:%Y-%m-%d %H:%M} UTC. Online: <{url}>",
        "",
    ]
    lines += _answer_lines(snapshot, labels)
    if result["uncertain"]:
        lines += [
            "",
            "Answered “Not sure”: " + "; ".join(md(labels.questions.get(k, k)) for k in result["uncertain"]),
        ]
    lines += ["", "## Options considered", ""]
    if not ranking:
        lines += ["No answer expressed a preference, so the portal ranked no framework.", ""]
    else:
        lines += ["| Rank | Framework | Score | Warnings |", "|---:|---|---:|---|"]
        for entry in ranking:
            warnings = "; ".join(md(w) for w in entry["warnings"]) or "none"
            lines.append(f"| {entry['rank']} | {md(entry['title'])} | {entry['score']:.1f} | {warnings} |")
        confidence = result["confidence"]
        lines += [
            "",
            f"The portal recommended **{md(recommended['title'])}** with {recommended['score']:.1f} of 100 "
            f"({md(confidence['level'])} confidence: {md(confidence['why'])}).",
            "",
        ]
    lines += ["## Decision", ""]
    lines += [f"We chose **{md(chosen_title)}**. Reason: {md(decision.reason)}", ""]
    if recommended is None:
        lines += ["The portal made no recommendation to follow.", ""]
    elif recommended["framework"] == decision.framework:
        lines += ["This follows the portal's recommendation.", ""]
    else:
        placed = (
            f"it ranked {chosen['rank']} with {chosen['score']:.1f} of 100"
            if chosen
            else "it was not among the frameworks ranked"
        )
        lines += [
            f"This differs from the portal's recommendation, {md(recommended['title'])} "
            f"({recommended['score']:.1f} of 100); {placed}.",
            "",
        ]
    lines += ["## Consequences", ""]
    caveats = []
    if chosen:
        caveats += [f"Must-have not met: {md(w)}" for w in chosen["warnings"]]
        for reason in chosen["reasons"]:
            if reason.get("caveat"):
                name = labels.criteria.get(reason["criterion"], reason["criterion"])
                caveats.append(f"{md(name)}: {md(reason['caveat'])}")
        losses = [md(labels.criteria.get(w["criterion"], w["criterion"])) for w in chosen.get("why_not", [])]
        if losses:
            caveats.append(f"Weaker than {md(recommended['title'])} on {', '.join(losses)}.")
    lines += [f"Caveats with {md(chosen_title)}:", ""]
    lines += [f"- {c}" for c in caveats] or ["- The result names no caveat for it."]
    steps = next_steps(snapshot, chosen) if chosen else []
    lines += ["", f"Next steps with {md(chosen_title)}:", ""]
    lines += [f"{i}. {md(step)}" for i, step in enumerate(steps, start=1)] or [
        "- The result names no next steps for it."
    ]
    lines += ["", "## Plugins used", ""]
    for kind in ("frameworks", "criteria"):
        lines.append(
            f"- {kind.capitalize()}: " + ", ".join(f"{md(n)} {md(v)}" for n, v in snapshot[kind].items())
        )
    return "\n".join(lines) + "\n"


def decision_record_pdf(request, text: str, title: str, page_url: str) -> bytes:
    """The decision record as a PDF: its Markdown rendered safely (``portal.markdown``), then printed.

    Raises ``pdf.PdfUnavailable`` where WeasyPrint cannot run.
    """
    from pyramid.renderers import render

    from . import pdf
    from .markdown import render as markdown_html

    html = render("decision_record.jinja2", {"title": title, "body": markdown_html(text)}, request)
    fetcher = pdf.static_fetcher(request.static_url("portal:static/"))
    return pdf.render_pdf(html, page_url, fetcher)
