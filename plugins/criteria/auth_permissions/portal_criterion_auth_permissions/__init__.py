"""Criterion: user accounts, sign-in, roles and permissions."""


def includeme(config):
    config.add_criterion("portal_criterion_auth_permissions:criterion.toml")
