"""Test fixture: a criterion whose golden cases ``portal check`` runs."""


def includeme(config):
    config.add_criterion("portal_fixture_golden:criterion.toml")
