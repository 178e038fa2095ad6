"""Criterion plugin: the size and health of a framework's ecosystem and the developers available."""


def includeme(config):
    config.add_criterion("portal_criterion_ecosystem:criterion.toml")
