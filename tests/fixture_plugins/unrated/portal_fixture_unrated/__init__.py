"""Test fixture: a profile that rates nothing, so `portal check` warns."""


def includeme(config):
    config.add_framework("portal_fixture_unrated:profile.toml")
