"""Criterion: how complex the stored data is (ORM, relations, migrations)."""


def includeme(config):
    config.add_criterion("portal_criterion_data_model:criterion.toml")
