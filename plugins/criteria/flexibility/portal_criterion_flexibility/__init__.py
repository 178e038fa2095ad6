"""Criterion plugin: freedom to choose components."""


def includeme(config):
    config.add_criterion("portal_criterion_flexibility:criterion.toml")
