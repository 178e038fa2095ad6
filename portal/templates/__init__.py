"""Jinja2 templates of the core; autoescaping is on for every ``.jinja2`` file."""

from __future__ import annotations

from datetime import datetime


def english(request) -> str:
    """The portal speaks English; never look for ``_LOCALE_`` in the query or the body."""
    return "en"


def when(moment: datetime) -> str:
    """A stored UTC time as a client reads it: "2 December 2026, 18:54 UTC"."""
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def includeme(config) -> None:
    config.set_locale_negotiator(english)
    settings = config.get_settings()
    settings.setdefault("jinja2.autoescape", "true")
    settings.setdefault(
        "jinja2.filters", "when = portal.templates.when\nmarkdown = portal.markdown.markdown_filter"
    )
    config.include("pyramid_jinja2")
    config.add_jinja2_search_path("portal:templates", name=".jinja2")
