"""Test fixture: a plugin whose module fails to import."""

import portal_fixture_missing_dependency  # noqa: F401


def includeme(config):
    config.add_framework("portal_fixture_broken_import:profile.toml")
