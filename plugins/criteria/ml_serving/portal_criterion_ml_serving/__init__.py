"""Criterion plugin: serving machine-learning and AI model results."""


def includeme(config):
    config.add_criterion("portal_criterion_ml_serving:criterion.toml")
