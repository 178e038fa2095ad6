"""Criterion: how large the application will become (features, areas, developers)."""


def includeme(config):
    config.add_criterion("portal_criterion_project_scale:criterion.toml")
