"""Criterion plugin: long-term maintenance and stability."""


def includeme(config):
    config.add_criterion("portal_criterion_maintenance:criterion.toml")
