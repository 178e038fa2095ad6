"""Views: each module registers its own with ``@view_config`` and is found by the scan."""

from __future__ import annotations

from types import MappingProxyType

from pyramid.renderers import JSON


def includeme(config) -> None:
    config.add_static_view("static", "portal:static", cache_max_age=3600)
    # Registry objects hold read-only mappings and tuples; JSON sees dicts and lists.
    json_renderer = JSON()
    json_renderer.add_adapter(MappingProxyType, lambda value, request: dict(value))
    config.add_renderer("json", json_renderer)
    config.scan(".")
