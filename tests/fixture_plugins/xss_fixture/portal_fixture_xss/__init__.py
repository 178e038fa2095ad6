"""Test fixture: a framework whose ratings' rationales and caveats hold script payloads (stored XSS)."""


def includeme(config):
    config.add_framework("portal_fixture_xss:profile.toml")
