"""Criterion: how likely scope and architecture are to grow or change over time."""


def includeme(config):
    config.add_criterion("portal_criterion_scope_growth:criterion.toml")
