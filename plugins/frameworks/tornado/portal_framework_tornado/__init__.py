"""Advisory Portal framework profile of Tornado, grounded in the Python frameworks guide."""


def includeme(config):
    config.add_framework("portal_framework_tornado:profile.toml")
