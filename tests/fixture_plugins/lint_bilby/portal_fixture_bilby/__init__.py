"""Test fixture: a profile that loads but is wrong in ways only ``portal check`` finds."""


def includeme(config):
    config.add_framework("portal_fixture_bilby:profile.toml")
