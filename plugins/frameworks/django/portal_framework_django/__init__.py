"""Advisory Portal framework profile of Django, grounded in the Python frameworks guide."""


def includeme(config):
    config.add_framework("portal_framework_django:profile.toml")
