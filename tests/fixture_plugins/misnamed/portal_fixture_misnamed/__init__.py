"""Test fixture: a profile whose slug differs from its entry point name."""


def includeme(config):
    config.add_framework("portal_fixture_misnamed:profile.toml")
