"""Test fixture: one of two distributions that both claim the framework 'twin'."""


def includeme(config):
    config.add_framework("portal_fixture_twin_a:profile.toml")
