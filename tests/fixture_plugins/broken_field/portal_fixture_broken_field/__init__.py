"""Test fixture: a criterion with a misspelt field."""


def includeme(config):
    config.add_criterion("portal_fixture_broken_field:criterion.toml")
