"""Jinja2 templates of the core; autoescaping is on for every ``.jinja2`` file."""


def english(request) -> str:
    """The portal speaks English; never look for ``_LOCALE_`` in the query or the body."""
    return "en"


def includeme(config) -> None:
    config.set_locale_negotiator(english)
    config.include("pyramid_jinja2")
    config.get_settings().setdefault("jinja2.autoescape", "true")
    config.add_jinja2_search_path("portal:templates", name=".jinja2")
