"""Advisory Portal framework profile of Flask, grounded in the Python frameworks guide."""


def includeme(config):
    config.add_framework("portal_framework_flask:profile.toml")
