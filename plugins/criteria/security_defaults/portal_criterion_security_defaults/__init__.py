"""Criterion: protection against common web attacks out of the box."""


def includeme(config):
    config.add_criterion("portal_criterion_security_defaults:criterion.toml")
