"""Criterion plugin: many simultaneous requests and slow outside calls (asynchronous processing)."""


def includeme(config):
    config.add_criterion("portal_criterion_async_concurrency:criterion.toml")
