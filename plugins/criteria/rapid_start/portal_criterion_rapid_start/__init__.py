"""Criterion: a small, quick start (prototype, proof of concept, small service)."""


def includeme(config):
    config.add_criterion("portal_criterion_rapid_start:criterion.toml")
