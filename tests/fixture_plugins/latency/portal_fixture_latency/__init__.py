"""Test fixture: a criterion with skip logic and a default rating."""


def includeme(config):
    config.add_criterion("portal_fixture_latency:criterion.toml")
