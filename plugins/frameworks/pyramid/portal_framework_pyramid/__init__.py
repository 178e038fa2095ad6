"""Advisory Portal framework profile of Pyramid, grounded in the Python frameworks guide."""


def includeme(config):
    config.add_framework("portal_framework_pyramid:profile.toml")
