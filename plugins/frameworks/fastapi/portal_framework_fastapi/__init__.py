"""Advisory Portal framework profile of FastAPI, grounded in the Python frameworks guide."""


def includeme(config):
    config.add_framework("portal_framework_fastapi:profile.toml")
