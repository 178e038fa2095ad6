"""Test fixture: a profile that is not valid TOML."""


def includeme(config):
    config.add_framework("portal_fixture_broken_toml:profile.toml")
