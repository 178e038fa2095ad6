"""Criterion plugin: serverless deployment."""


def includeme(config):
    config.add_criterion("portal_criterion_serverless:criterion.toml")
