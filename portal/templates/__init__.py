"""Jinja2 templates of the core; autoescaping is on for every ``.jinja2`` file."""


def includeme(config) -> None:
    config.include("pyramid_jinja2")
    config.get_settings().setdefault("jinja2.autoescape", "true")
    config.add_jinja2_search_path("portal:templates", name=".jinja2")
