"""Criterion plugin: real-time features and long-lived connections."""


def includeme(config):
    config.add_criterion("portal_criterion_realtime:criterion.toml")
