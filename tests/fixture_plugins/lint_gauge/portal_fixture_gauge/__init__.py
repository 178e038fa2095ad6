"""Test fixture: a criterion that loads but is wrong in ways only ``portal check`` finds."""


def includeme(config):
    config.add_criterion("portal_fixture_gauge:criterion.toml")
