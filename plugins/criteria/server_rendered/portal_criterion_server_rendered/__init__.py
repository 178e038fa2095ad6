"""Criterion: web pages and forms built on the server with templates."""


def includeme(config):
    config.add_criterion("portal_criterion_server_rendered:criterion.toml")
