"""Criterion plugin: URLs and permissions that follow a hierarchy of content."""


def includeme(config):
    config.add_criterion("portal_criterion_content_structure:criterion.toml")
