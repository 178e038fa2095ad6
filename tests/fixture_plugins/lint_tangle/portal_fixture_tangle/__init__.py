"""Test fixture: a profile with values of the wrong type, each reported once."""


def includeme(config):
    config.add_framework("portal_fixture_tangle:profile.toml")
