"""Test fixture: a plugin built for another major version of the core; it must never be included."""


def includeme(config):
    raise AssertionError("a plugin built for another core version was included")
