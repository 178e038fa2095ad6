"""Test fixture: a second fictional framework, with markup in its text."""


def includeme(config):
    config.add_framework("portal_fixture_wombat:profile.toml")
