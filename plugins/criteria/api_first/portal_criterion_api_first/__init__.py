"""Criterion plugin: API-first development (structured models, validation, generated OpenAPI docs)."""


def includeme(config):
    config.add_criterion("portal_criterion_api_first:criterion.toml")
